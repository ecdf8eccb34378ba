// LayerNorm over rows of width H (biased variance, as torch and BERT), forward and backward.
// Forward keeps each row's mean and 1/√(var + eps) for the backward pass, which is then one
// pass per row:  x̂ = (x − mean)·rstd,  g = dy·γ,
//   dx = rstd·(g − mean(g) − x̂·mean(g·x̂)),  dγ = Σ dy·x̂,  dβ = Σ dy  (sums over rows).
#include <cmath>

#include "bertlab.h"
#include "vmath.h"

namespace bertlab {

namespace {
MULTIVERSION void forward_rows(const float* x, const float* gamma, const float* beta, float* y, float* mean, float* rstd,
                               int64_t lo, int64_t hi, int64_t H, float eps) {
  for (int64_t r = lo; r < hi; r++) {
    const float* xr = x + r * H;
    float* yr = y + r * H;
    float s = 0.f;
    for (int64_t j = 0; j < H; j++) s += xr[j];
    const float mu = s / H;
    float q = 0.f;
    for (int64_t j = 0; j < H; j++) q += (xr[j] - mu) * (xr[j] - mu);
    const float inv = 1.f / std::sqrt(q / H + eps);
    for (int64_t j = 0; j < H; j++) yr[j] = (xr[j] - mu) * inv * gamma[j] + beta[j];
    mean[r] = mu;
    rstd[r] = inv;
  }
}

MULTIVERSION void backward_rows(const float* x, const float* gamma, const float* mean, const float* rstd, const float* dy,
                                float* dx, float* pg, float* pb, int64_t lo, int64_t hi, int64_t H) {
  for (int64_t r = lo; r < hi; r++) {
    const float* xr = x + r * H;
    const float* gr = dy + r * H;
    const float mu = mean[r], inv = rstd[r];
    float sg = 0.f, sgx = 0.f;
    for (int64_t j = 0; j < H; j++) {
      const float xh = (xr[j] - mu) * inv;
      const float g = gr[j] * gamma[j];
      sg += g;
      sgx += g * xh;
      pg[j] += gr[j] * xh;
      pb[j] += gr[j];
    }
    sg /= H;
    sgx /= H;
    float* dr = dx + r * H;
    for (int64_t j = 0; j < H; j++) {
      const float xh = (xr[j] - mu) * inv;
      dr[j] = inv * (gr[j] * gamma[j] - sg - xh * sgx);
    }
  }
}
}  // namespace

void layer_norm_forward(const float* x, const float* gamma, const float* beta, float* y, float* mean, float* rstd,
                        int64_t rows, int64_t H, float eps) {
  parallel_rows(rows, H, [&](int64_t lo, int64_t hi) { forward_rows(x, gamma, beta, y, mean, rstd, lo, hi, H, eps); });
}

void layer_norm_backward(const float* x, const float* gamma, const float* mean, const float* rstd, const float* dy,
                         float* dx, float* dgamma, float* dbeta, int64_t rows, int64_t H) {
  // dγ and dβ: per-chunk partial sums, added up at the end (no locks, same order every run)
  const int64_t per = std::max<int64_t>(1, 16384 / std::max<int64_t>(1, H));
  const int64_t chunks = (rows + per - 1) / per;
  std::vector<float> partial((size_t)(chunks * 2 * H), 0.f);
  parallel_for(chunks, [&](int64_t c) {
    float* pg = partial.data() + c * 2 * H;
    backward_rows(x, gamma, mean, rstd, dy, dx, pg, pg + H, c * per, std::min(rows, (c + 1) * per), H);
  });
  for (int64_t j = 0; j < H; j++) dgamma[j] = dbeta[j] = 0.f;
  for (int64_t c = 0; c < chunks; c++) {
    const float* pg = partial.data() + c * 2 * H;
    for (int64_t j = 0; j < H; j++) {
      dgamma[j] += pg[j];
      dbeta[j] += pg[H + j];
    }
  }
}

}  // namespace bertlab
