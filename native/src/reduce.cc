// Sums over the middle axis of x viewed as [outer, mid, inner]: column sums (the bias
// gradient of every dense layer: [N, O] → [O]) when inner > 1, row sums when inner = 1.
#include "bertlab.h"
#include "vmath.h"

namespace bertlab {

namespace {
MULTIVERSION float sum_row(const float* x, int64_t n) { return sum16(x, n); }

MULTIVERSION void add_rows(const float* x, float* p, int64_t rows, int64_t inner) {
  for (int64_t m = 0; m < rows; m++)
    for (int64_t i = 0; i < inner; i++) p[i] += x[m * inner + i];
}
}  // namespace

void sum_middle(const float* x, float* y, int64_t outer, int64_t mid, int64_t inner) {
  if (inner == 1) {
    parallel_rows(outer, mid, [&](int64_t lo, int64_t hi) {
      for (int64_t o = lo; o < hi; o++) {
        y[o] = sum_row(x + o * mid, mid);
      }
    });
    return;
  }
  // cut mid into slices, each summed into its own partial row, then the partials added in order
  const int64_t per = std::max<int64_t>(1, 65536 / inner);
  const int64_t slices = (mid + per - 1) / per;
  std::vector<float> partial((size_t)(outer * slices * inner), 0.f);
  parallel_for(outer * slices, [&](int64_t q) {
    const int64_t o = q / slices, s = q % slices;
    float* p = partial.data() + q * inner;
    const int64_t m0 = s * per, m1 = std::min(mid, (s + 1) * per);
    add_rows(x + (o * mid + m0) * inner, p, m1 - m0, inner);
  });
  for (int64_t o = 0; o < outer; o++) {
    float* yr = y + o * inner;
    for (int64_t i = 0; i < inner; i++) yr[i] = 0.f;
    for (int64_t s = 0; s < slices; s++) {
      const float* p = partial.data() + (o * slices + s) * inner;
      for (int64_t i = 0; i < inner; i++) yr[i] += p[i];
    }
  }
}

}  // namespace bertlab
