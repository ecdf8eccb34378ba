// Gather along one axis (the embedding lookups): whole slices copied, threaded over rows.
#include <cstring>

#include "bertlab.h"

namespace bertlab {

void gather_rows(const float* x, const int32_t* idx, float* out, int64_t outer, int64_t dim, int64_t slice, int64_t n_idx) {
  parallel_rows(outer * n_idx, slice, [&](int64_t lo, int64_t hi) {
    for (int64_t r = lo; r < hi; r++) {
      const int64_t o = r / n_idx, i = r % n_idx;
      std::memcpy(out + r * slice, x + (o * dim + idx[i]) * slice, sizeof(float) * slice);
    }
  });
}

}  // namespace bertlab
