// Branch-free exp and erf that compilers vectorise, and MULTIVERSION: on x86-64 Linux with
// GCC, a function so marked is compiled for AVX-512, AVX2 and the baseline, and the loader
// picks one by what the CPU supports (an ifunc); elsewhere it is an ordinary function.
#pragma once
#include <cstdint>
#include <cstring>

#if defined(__x86_64__) && defined(__linux__) && defined(__GNUC__) && !defined(__clang__)
#define MULTIVERSION __attribute__((target_clones("avx512f", "avx2", "default")))
#else
#define MULTIVERSION
#endif

namespace bertlab {

// Σ x[j]·y[j] and Σ x[j] over 16 interleaved partial sums, added in a fixed order:
// vectorisable without reassociating anything, and the same result on every run.
inline float dot16(const float* x, const float* y, int64_t n) {
  float acc[16] = {0};
  int64_t j = 0;
  for (; j + 16 <= n; j += 16)
    for (int l = 0; l < 16; l++) acc[l] += x[j + l] * y[j + l];
  float s = 0.f;
  for (; j < n; j++) s += x[j] * y[j];
  for (int l = 0; l < 16; l++) s += acc[l];
  return s;
}

inline float sum16(const float* x, int64_t n) {
  float acc[16] = {0};
  int64_t j = 0;
  for (; j + 16 <= n; j += 16)
    for (int l = 0; l < 16; l++) acc[l] += x[j + l];
  float s = 0.f;
  for (; j < n; j++) s += x[j];
  for (int l = 0; l < 16; l++) s += acc[l];
  return s;
}

// max x[j] over 16 interleaved partial maxima (−∞ for n = 0)
inline float max16(const float* x, int64_t n) {
  float acc[16];
  for (int l = 0; l < 16; l++) acc[l] = -__builtin_inff();
  int64_t j = 0;
  for (; j + 16 <= n; j += 16)
    for (int l = 0; l < 16; l++) acc[l] = x[j + l] > acc[l] ? x[j + l] : acc[l];
  float m = -__builtin_inff();
  for (; j < n; j++) m = x[j] > m ? x[j] : m;
  for (int l = 0; l < 16; l++) m = acc[l] > m ? acc[l] : m;
  return m;
}

// e^x: x = n·ln2 + r with |r| ≤ ln2/2, e^r by Cephes' expf polynomial (public domain,
// Moshier), 2^n put straight into the exponent bits. Relative error about 2e-7; inputs are
// clamped to [−87.3, 88], so e^x never overflows and tiny results stay normal numbers.
inline float fast_exp(float x) {
  x = x < -87.3f ? -87.3f : (x > 88.f ? 88.f : x);
  const float n = (x * 1.44269504088896341f + 12582912.f) - 12582912.f;  // round(x/ln2)
  const float r = x - n * 0.693359375f + n * 2.12194440e-4f;            // ln2 split in two
  float p = 1.9875691500e-4f;
  p = p * r + 1.3981999507e-3f;
  p = p * r + 8.3334519073e-3f;
  p = p * r + 4.1665795894e-2f;
  p = p * r + 1.6666665459e-1f;
  p = p * r + 5.0000001201e-1f;
  p = p * r * r + r + 1.f;
  const int32_t bits = ((int32_t)n + 127) << 23;
  float scale;
  std::memcpy(&scale, &bits, sizeof scale);
  return p * scale;
}

// erf(x) by Abramowitz & Stegun 7.1.26 (absolute error ≤ 1.5e-7), the same formula
// tfjs's Erf kernel uses.
inline float fast_erf(float x) {
  const float ax = x < 0.f ? -x : x;
  const float t = 1.f / (1.f + 0.3275911f * ax);
  const float poly = ((((1.061405429f * t - 1.453152027f) * t + 1.421413741f) * t - 0.284496736f) * t + 0.254829592f) * t;
  const float y = 1.f - poly * fast_exp(-ax * ax);
  return x < 0.f ? -y : y;
}

}  // namespace bertlab
