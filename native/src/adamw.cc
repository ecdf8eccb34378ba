// One AdamW update in one pass over p, m, v and g (src/training/adamw.ts states both rules):
//   m ← β1·m + (1−β1)·g;  v ← β2·v + (1−β2)·g²;  r = m/(√v + ε)
//   BERT:  p ← p − lr·(r + wd·p)
//   HF:    p ← p − step_size·r;  p ← p − lr·wd·p
// g is multiplied by grad_scale first (the global-norm clipping factor).
#include <cmath>

#include "bertlab.h"
#include "vmath.h"

namespace bertlab {

namespace {
MULTIVERSION void update_range(const AdamArgs& a, int64_t lo, int64_t hi) {
    for (int64_t i = lo; i < hi; i++) {
      const float g = a.g[i] * a.grad_scale;
      const float m = a.beta1 * a.m[i] + (1.f - a.beta1) * g;
      const float v = a.beta2 * a.v[i] + (1.f - a.beta2) * g * g;
      const float r = m / (std::sqrt(v) + a.eps);
      float p = a.p[i];
      if (!a.bias_correction) {
        p = p - a.lr * (r + a.weight_decay * p);
      } else {
        p = p - a.step_size * r;
        p = p - a.lr * a.weight_decay * p;
      }
      a.m_out[i] = m;
      a.v_out[i] = v;
      a.p_out[i] = p;
    }
}
}  // namespace

void adamw_update(const AdamArgs& a) {
  parallel_rows(a.n, 1, [&](int64_t lo, int64_t hi) { update_range(a, lo, hi); });
}

}  // namespace bertlab
