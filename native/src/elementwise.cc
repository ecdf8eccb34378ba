// GELU (the exact erf form BERT uses) forward and backward, dropout masks and a product,
// threaded in chunks. The dropout generator is a counter-based hash, so the mask of element i
// depends only on (seed, i): the JavaScript fallback (src/kernels/dropout-mask.ts) computes
// the same bits.
#include "bertlab.h"
#include "vmath.h"

namespace bertlab {

namespace {
constexpr int64_t CHUNK = 16384;

template <class F>
void chunked(int64_t n, F f) {
  const int64_t chunks = (n + CHUNK - 1) / CHUNK;
  parallel_for(chunks, [&](int64_t c) {
    const int64_t lo = c * CHUNK, hi = std::min(n, lo + CHUNK);
    f(lo, hi);
  });
}

MULTIVERSION void gelu_range(const float* x, float* y, int64_t lo, int64_t hi) {
  for (int64_t i = lo; i < hi; i++) y[i] = 0.5f * x[i] * (1.f + fast_erf(x[i] * 0.70710678118654752f));
}

// d/dx x·Φ(x) = Φ(x) + x·φ(x)
MULTIVERSION void gelu_grad_range(const float* x, const float* dy, float* dx, int64_t lo, int64_t hi) {
  for (int64_t i = lo; i < hi; i++) {
    const float v = x[i];
    const float cdf = 0.5f * (1.f + fast_erf(v * 0.70710678118654752f));
    const float pdf = 0.39894228040143268f * fast_exp(-0.5f * v * v);
    dx[i] = dy[i] * (cdf + v * pdf);
  }
}

// MurmurHash3's 32-bit finaliser
inline uint32_t fmix32(uint32_t h) {
  h ^= h >> 16;
  h *= 0x85ebca6bu;
  h ^= h >> 13;
  h *= 0xc2b2ae35u;
  h ^= h >> 16;
  return h;
}

MULTIVERSION void mask_range(float* mask, int64_t lo, int64_t hi, uint32_t base, uint32_t threshold, float scale) {
  for (int64_t i = lo; i < hi; i++) mask[i] = (fmix32((uint32_t)i + base) >> 8) >= threshold ? scale : 0.f;
}

MULTIVERSION void multiply_range(const float* a, const float* b, float* y, int64_t lo, int64_t hi) {
  for (int64_t i = lo; i < hi; i++) y[i] = a[i] * b[i];
}
}  // namespace

void gelu_forward(const float* x, float* y, int64_t n) {
  chunked(n, [&](int64_t lo, int64_t hi) { gelu_range(x, y, lo, hi); });
}

void gelu_backward(const float* x, const float* dy, float* dx, int64_t n) {
  chunked(n, [&](int64_t lo, int64_t hi) { gelu_grad_range(x, dy, dx, lo, hi); });
}

// keep element i when the 24-bit draw fmix32(i + seed·0x9E3779B9) >> 8 is ≥ rate·2²⁴
void dropout_mask(float* mask, int64_t n, float rate, uint32_t seed) {
  const float scale = 1.f / (1.f - rate);
  const uint32_t threshold = (uint32_t)__builtin_ceil((double)rate * 16777216.0);
  const uint32_t base = seed * 0x9e3779b9u;
  chunked(n, [&](int64_t lo, int64_t hi) { mask_range(mask, lo, hi, base, threshold, scale); });
}

void multiply(const float* a, const float* b, float* y, int64_t n) {
  chunked(n, [&](int64_t lo, int64_t hi) { multiply_range(a, b, y, lo, hi); });
}

}  // namespace bertlab
