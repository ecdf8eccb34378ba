// Shared declarations of the native kernels. Every kernel works on float32 data that lives in
// the tfjs wasm heap: the caller (addon.cc) turns heap byte offsets into pointers.
#pragma once
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

namespace bertlab {

// ---- cpu.cc: what the CPU can do, asked at run time (not at compile time)
enum class Isa { scalar, neon, avx2, avx512 };
Isa best_isa();                   // the best family this build has and this CPU supports
const char* isa_name(Isa isa);
std::vector<std::string> cpu_features();  // e.g. {"avx2", "fma", "avx512f"}
void force_isa(Isa isa);          // tests: pretend the CPU has only this (must be supported)

// ---- thread_pool.cc
void set_threads(int n);          // 1 = run on the caller's thread only
int threads();
// Runs fn(i) for i in [0, n) on the pool (the caller takes part); returns when all are done.
void parallel_for(int64_t n, const std::function<void(int64_t)>& fn);
void shutdown_pool();             // joins the workers (an N-API cleanup hook calls it)

// ---- gemm.cc: C[i] = A[i]·B[i] (+ bias) for `batch` items, element strides given per matrix
struct GemmArgs {
  int64_t batch, M, N, K;
  const float* a; int64_t a_item, a_row, a_col;  // A(i,k) = a[item*a_item + i*a_row + k*a_col]
  const float* b; int64_t b_item, b_row, b_col;  // B(k,j) = b[item*b_item + k*b_row + j*b_col]
  float* c;                                      // C(i,j) = c[item*M*N + i*N + j], contiguous
  const float* bias;                             // [N] or null
};
void gemm(const GemmArgs& g);

// rows split into chunks of about `work` elements' worth (at least one row each)
void parallel_rows(int64_t rows, int64_t width, const std::function<void(int64_t, int64_t)>& fn);

// ---- elementwise.cc
void gelu_forward(const float* x, float* y, int64_t n);
void gelu_backward(const float* x, const float* dy, float* dx, int64_t n);
// mask[i] = 1/(1−rate) where the hash of (seed, i) keeps element i, else 0
void dropout_mask(float* mask, int64_t n, float rate, uint32_t seed);
void multiply(const float* a, const float* b, float* y, int64_t n);

// ---- layer_norm.cc: rows of width H
void layer_norm_forward(const float* x, const float* gamma, const float* beta, float* y, float* mean, float* rstd,
                        int64_t rows, int64_t H, float eps);
void layer_norm_backward(const float* x, const float* gamma, const float* mean, const float* rstd, const float* dy,
                         float* dx, float* dgamma, float* dbeta, int64_t rows, int64_t H);

// ---- softmax.cc
void softmax_forward(const float* x, float* y, int64_t rows, int64_t cols);
void softmax_backward(const float* y, const float* dy, float* dx, int64_t rows, int64_t cols);
// mean cross-entropy of softmax(logits) against labels, and its gradient (softmax − one-hot)/rows
void softmax_cross_entropy(const float* logits, const int32_t* labels, float* loss, float* grad, int64_t rows, int64_t cols);

// ---- gather.cc: x viewed as [outer, dim, slice]; out[o, i, :] = x[o, idx[i], :] (idx checked by the caller)
void gather_rows(const float* x, const int32_t* idx, float* out, int64_t outer, int64_t dim, int64_t slice, int64_t n_idx);

// ---- reduce.cc: x viewed as [outer, mid, inner]; sums over mid → [outer, inner]
void sum_middle(const float* x, float* y, int64_t outer, int64_t mid, int64_t inner);

// ---- adamw.cc: one AdamW update (see src/training/adamw.ts for the two rules)
struct AdamArgs {
  const float *p, *m, *v, *g;  // inputs
  float *p_out, *m_out, *v_out; // outputs (may be the inputs)
  int64_t n;
  float lr, beta1, beta2, eps, weight_decay, grad_scale, step_size;  // step_size: bias-corrected lr
  bool bias_correction;
};
void adamw_update(const AdamArgs& a);

}  // namespace bertlab
