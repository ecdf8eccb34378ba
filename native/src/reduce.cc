// Sums over the middle axis of x viewed as [outer, mid, inner]: column sums (the bias
// gradient of every dense layer: [N, O] → [O]) when inner > 1, row sums when inner = 1.
#include "bertlab.h"

namespace bertlab {

void sum_middle(const float* x, float* y, int64_t outer, int64_t mid, int64_t inner) {
  if (inner == 1) {
    parallel_rows(outer, mid, [&](int64_t lo, int64_t hi) {
      for (int64_t o = lo; o < hi; o++) {
        const float* xr = x + o * mid;
        float s = 0.f;
        for (int64_t m = 0; m < mid; m++) s += xr[m];
        y[o] = s;
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
    for (int64_t m = s * per; m < std::min(mid, (s + 1) * per); m++) {
      const float* xr = x + (o * mid + m) * inner;
      for (int64_t i = 0; i < inner; i++) p[i] += xr[i];
    }
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
