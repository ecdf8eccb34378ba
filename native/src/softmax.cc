// Softmax over the last axis (forward, backward) and the fused softmax cross-entropy the
// MLM and NSP losses use: one pass over the logits gives the loss and its gradient.
#include <cmath>

#include "bertlab.h"
#include "vmath.h"

namespace bertlab {

namespace {
MULTIVERSION float row_max(const float* x, int64_t n) { return max16(x, n); }

// y = e^(x − shift), returns Σ y
MULTIVERSION float exp_shifted(const float* x, float* y, int64_t n, float shift) {
  for (int64_t j = 0; j < n; j++) y[j] = fast_exp(x[j] - shift);
  return sum16(y, n);
}

MULTIVERSION void scale_row(float* y, int64_t n, float k) {
  for (int64_t j = 0; j < n; j++) y[j] *= k;
}

MULTIVERSION void softmax_grad_row(const float* y, const float* dy, float* dx, int64_t n) {
  const float s = dot16(dy, y, n);
  for (int64_t j = 0; j < n; j++) dx[j] = y[j] * (dy[j] - s);
}
}  // namespace

void softmax_forward(const float* x, float* y, int64_t rows, int64_t cols) {
  parallel_rows(rows, cols, [&](int64_t lo, int64_t hi) {
    for (int64_t r = lo; r < hi; r++) {
      const float* xr = x + r * cols;
      float* yr = y + r * cols;
      const float s = exp_shifted(xr, yr, cols, row_max(xr, cols));
      scale_row(yr, cols, 1.f / s);
    }
  });
}

// dx = y·(dy − Σ dy·y)
void softmax_backward(const float* y, const float* dy, float* dx, int64_t rows, int64_t cols) {
  parallel_rows(rows, cols, [&](int64_t lo, int64_t hi) {
    for (int64_t r = lo; r < hi; r++) softmax_grad_row(y + r * cols, dy + r * cols, dx + r * cols, cols);
  });
}

// loss = mean over rows of log Σ exp(x) − x[label];  grad = (softmax(x) − one-hot)/rows
void softmax_cross_entropy(const float* logits, const int32_t* labels, float* loss, float* grad, int64_t rows,
                           int64_t cols) {
  std::vector<double> row_loss((size_t)rows);
  const float scale = 1.f / (float)rows;
  parallel_rows(rows, cols, [&](int64_t lo, int64_t hi) {
    for (int64_t r = lo; r < hi; r++) {
      const float* xr = logits + r * cols;
      float* gr = grad + r * cols;
      const float mx = row_max(xr, cols);
      const float s = exp_shifted(xr, gr, cols, mx);
      scale_row(gr, cols, scale / s);
      const int32_t y = labels[r];
      gr[y] -= scale;
      row_loss[(size_t)r] = std::log((double)s) + mx - xr[y];
    }
  });
  double total = 0;
  for (double l : row_loss) total += l;
  *loss = (float)(total / (double)rows);
}

}  // namespace bertlab
