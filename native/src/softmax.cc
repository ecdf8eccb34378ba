// Softmax over the last axis (forward, backward) and the fused softmax cross-entropy the
// MLM and NSP losses use: one pass over the logits gives the loss and its gradient.
#include <cmath>

#include "bertlab.h"

namespace bertlab {

void softmax_forward(const float* x, float* y, int64_t rows, int64_t cols) {
  parallel_rows(rows, cols, [&](int64_t lo, int64_t hi) {
    for (int64_t r = lo; r < hi; r++) {
      const float* xr = x + r * cols;
      float* yr = y + r * cols;
      float mx = -INFINITY;
      for (int64_t j = 0; j < cols; j++) mx = std::max(mx, xr[j]);
      float s = 0.f;
      for (int64_t j = 0; j < cols; j++) s += (yr[j] = std::exp(xr[j] - mx));
      const float inv = 1.f / s;
      for (int64_t j = 0; j < cols; j++) yr[j] *= inv;
    }
  });
}

// dx = y·(dy − Σ dy·y)
void softmax_backward(const float* y, const float* dy, float* dx, int64_t rows, int64_t cols) {
  parallel_rows(rows, cols, [&](int64_t lo, int64_t hi) {
    for (int64_t r = lo; r < hi; r++) {
      const float* yr = y + r * cols;
      const float* gr = dy + r * cols;
      float s = 0.f;
      for (int64_t j = 0; j < cols; j++) s += gr[j] * yr[j];
      float* dr = dx + r * cols;
      for (int64_t j = 0; j < cols; j++) dr[j] = yr[j] * (gr[j] - s);
    }
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
      float mx = -INFINITY;
      for (int64_t j = 0; j < cols; j++) mx = std::max(mx, xr[j]);
      float s = 0.f;
      for (int64_t j = 0; j < cols; j++) s += (gr[j] = std::exp(xr[j] - mx));
      const float inv = scale / s;
      for (int64_t j = 0; j < cols; j++) gr[j] *= inv;
      const int32_t y = labels[r];
      gr[y] -= scale;
      row_loss[(size_t)r] = (double)std::log(s) + mx - xr[y];
    }
  });
  double total = 0;
  for (double l : row_loss) total += l;
  *loss = (float)(total / (double)rows);
}

}  // namespace bertlab
