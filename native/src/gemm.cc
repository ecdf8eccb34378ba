// SGEMM: a packed, blocked matrix product in the style of GotoBLAS/BLIS (the published
// algorithm: K is cut into KC-deep slices, B's slice is packed into NR-wide column panels,
// A's into MR-high row panels, and a register-blocked micro-kernel multiplies one panel pair).
// One micro-kernel per instruction set; gemm() picks the one best_isa() names at run time.
// Transposes and batches are only strides here, so every tfjs BatchMatMul variant is one call.
#include <algorithm>
#include <cstring>

#include "bertlab.h"

#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>
#endif
#if defined(__aarch64__)
#include <arm_neon.h>
#endif

namespace bertlab {

namespace {

constexpr int64_t KC = 256;   // depth of one packed slice
constexpr int64_t MC = 144;   // rows of A packed at once (a multiple of every MR)
constexpr int64_t NC = 3072;  // columns of B packed at once

// c (mr×nr tile, row stride ldc) = (acc ? c : bias row or 0) + a_panel·b_panel over kc.
using Kernel = void (*)(int64_t kc, const float* a, const float* b, float* c, int64_t ldc, bool acc, const float* bias);

template <int MR, int NR>
void kernel_scalar(int64_t kc, const float* a, const float* b, float* c, int64_t ldc, bool acc, const float* bias) {
  float t[MR][NR];
  for (int r = 0; r < MR; r++)
    for (int j = 0; j < NR; j++) t[r][j] = acc ? c[r * ldc + j] : bias ? bias[j] : 0.f;
  for (int64_t k = 0; k < kc; k++, a += MR, b += NR)
    for (int r = 0; r < MR; r++)
      for (int j = 0; j < NR; j++) t[r][j] += a[r] * b[j];
  for (int r = 0; r < MR; r++)
    for (int j = 0; j < NR; j++) c[r * ldc + j] = t[r][j];
}

#if defined(__x86_64__) || defined(__i386__)
// 6×16: 12 ymm accumulators, 2 for B, 1 broadcast of A
__attribute__((target("avx2,fma"))) void kernel_avx2(int64_t kc, const float* a, const float* b, float* c, int64_t ldc,
                                                     bool acc, const float* bias) {
  __m256 c0[6], c1[6];
#pragma GCC unroll 6
  for (int r = 0; r < 6; r++) {
    if (acc) {
      c0[r] = _mm256_loadu_ps(c + r * ldc);
      c1[r] = _mm256_loadu_ps(c + r * ldc + 8);
    } else if (bias) {
      c0[r] = _mm256_loadu_ps(bias);
      c1[r] = _mm256_loadu_ps(bias + 8);
    } else {
      c0[r] = _mm256_setzero_ps();
      c1[r] = _mm256_setzero_ps();
    }
  }
  for (int64_t k = 0; k < kc; k++, a += 6, b += 16) {
    const __m256 b0 = _mm256_loadu_ps(b), b1 = _mm256_loadu_ps(b + 8);
#pragma GCC unroll 6
    for (int r = 0; r < 6; r++) {
      const __m256 x = _mm256_broadcast_ss(a + r);
      c0[r] = _mm256_fmadd_ps(x, b0, c0[r]);
      c1[r] = _mm256_fmadd_ps(x, b1, c1[r]);
    }
  }
#pragma GCC unroll 6
  for (int r = 0; r < 6; r++) {
    _mm256_storeu_ps(c + r * ldc, c0[r]);
    _mm256_storeu_ps(c + r * ldc + 8, c1[r]);
  }
}

// 12×32: 24 zmm accumulators, 2 for B, 1 broadcast of A
__attribute__((target("avx512f"))) void kernel_avx512(int64_t kc, const float* a, const float* b, float* c,
                                                      int64_t ldc, bool acc, const float* bias) {
  __m512 c0[12], c1[12];
#pragma GCC unroll 12
  for (int r = 0; r < 12; r++) {
    if (acc) {
      c0[r] = _mm512_loadu_ps(c + r * ldc);
      c1[r] = _mm512_loadu_ps(c + r * ldc + 16);
    } else if (bias) {
      c0[r] = _mm512_loadu_ps(bias);
      c1[r] = _mm512_loadu_ps(bias + 16);
    } else {
      c0[r] = _mm512_setzero_ps();
      c1[r] = _mm512_setzero_ps();
    }
  }
  for (int64_t k = 0; k < kc; k++, a += 12, b += 32) {
    const __m512 b0 = _mm512_loadu_ps(b), b1 = _mm512_loadu_ps(b + 16);
#pragma GCC unroll 12
    for (int r = 0; r < 12; r++) {
      const __m512 x = _mm512_set1_ps(a[r]);
      c0[r] = _mm512_fmadd_ps(x, b0, c0[r]);
      c1[r] = _mm512_fmadd_ps(x, b1, c1[r]);
    }
  }
#pragma GCC unroll 12
  for (int r = 0; r < 12; r++) {
    _mm512_storeu_ps(c + r * ldc, c0[r]);
    _mm512_storeu_ps(c + r * ldc + 16, c1[r]);
  }
}
#endif

#if defined(__aarch64__)
// 8×8: 16 q-register accumulators
void kernel_neon(int64_t kc, const float* a, const float* b, float* c, int64_t ldc, bool acc, const float* bias) {
  float32x4_t c0[8], c1[8];
  for (int r = 0; r < 8; r++) {
    if (acc) {
      c0[r] = vld1q_f32(c + r * ldc);
      c1[r] = vld1q_f32(c + r * ldc + 4);
    } else if (bias) {
      c0[r] = vld1q_f32(bias);
      c1[r] = vld1q_f32(bias + 4);
    } else {
      c0[r] = vdupq_n_f32(0.f);
      c1[r] = vdupq_n_f32(0.f);
    }
  }
  for (int64_t k = 0; k < kc; k++, a += 8, b += 8) {
    const float32x4_t b0 = vld1q_f32(b), b1 = vld1q_f32(b + 4);
    for (int r = 0; r < 8; r++) {
      c0[r] = vfmaq_n_f32(c0[r], b0, a[r]);
      c1[r] = vfmaq_n_f32(c1[r], b1, a[r]);
    }
  }
  for (int r = 0; r < 8; r++) {
    vst1q_f32(c + r * ldc, c0[r]);
    vst1q_f32(c + r * ldc + 4, c1[r]);
  }
}
#endif

struct Plan {
  int MR, NR;
  Kernel kernel;
};

Plan plan_for(Isa isa) {
  switch (isa) {
#if defined(__x86_64__) || defined(__i386__)
    case Isa::avx512: return {12, 32, kernel_avx512};
    case Isa::avx2: return {6, 16, kernel_avx2};
#endif
#if defined(__aarch64__)
    case Isa::neon: return {8, 8, kernel_neon};
#endif
    default: return {4, 16, kernel_scalar<4, 16>};
  }
}

// A's rows [i0, i0+mc) × depth [p0, p0+kc) into MR-high panels, k-major, zero-padded.
void pack_a(const float* a, int64_t row, int64_t col, int64_t i0, int64_t mc, int64_t p0, int64_t kc, int MR, float* out) {
  for (int64_t ip = 0; ip < mc; ip += MR) {
    const int mr = (int)std::min<int64_t>(MR, mc - ip);
    const float* base = a + (i0 + ip) * row + p0 * col;
    if (col == 1) {
      for (int64_t k = 0; k < kc; k++) {
        for (int r = 0; r < mr; r++) out[k * MR + r] = base[r * row + k];
        for (int r = mr; r < MR; r++) out[k * MR + r] = 0.f;
      }
    } else if (row == 1) {  // A stored transposed: the panel's rows are contiguous at each depth
      for (int64_t k = 0; k < kc; k++) {
        const float* src = base + k * col;
        for (int r = 0; r < mr; r++) out[k * MR + r] = src[r];
        for (int r = mr; r < MR; r++) out[k * MR + r] = 0.f;
      }
    } else {
      for (int r = 0; r < MR; r++) {
        if (r < mr) {
          const float* src = base + r * row;
          for (int64_t k = 0; k < kc; k++) out[k * MR + r] = src[k * col];
        } else {
          for (int64_t k = 0; k < kc; k++) out[k * MR + r] = 0.f;
        }
      }
    }
    out += kc * MR;
  }
}

// One NR-wide panel of B: depth [p0, p0+kc) × columns [j0, j0+nr), k-major, zero-padded.
void pack_b_panel(const float* b, int64_t row, int64_t col, int64_t p0, int64_t kc, int64_t j0, int nr, int NR, float* out) {
  const float* base = b + p0 * row + j0 * col;
  if (col == 1) {
    for (int64_t k = 0; k < kc; k++) {
      const float* src = base + k * row;
      float* dst = out + k * NR;
      std::memcpy(dst, src, sizeof(float) * nr);
      for (int j = nr; j < NR; j++) dst[j] = 0.f;
    }
  } else {
    for (int j = 0; j < NR; j++) {
      if (j < nr) {
        const float* src = base + j * col;
        for (int64_t k = 0; k < kc; k++) out[k * NR + j] = src[k * row];
      } else {
        for (int64_t k = 0; k < kc; k++) out[k * NR + j] = 0.f;
      }
    }
  }
}

float* scratch(std::vector<float>& v, size_t n) {
  if (v.size() < n) v.resize(n);
  return v.data();
}

// Multiplies the packed A block (mc rows) by the packed B block (nc columns) into C.
void macro_kernel(const Plan& p, int64_t mc, int64_t nc, int64_t kc, const float* pa, const float* pb, float* c,
                  int64_t ldc, bool acc, const float* bias) {
  alignas(64) float tile[12 * 32];
  alignas(64) float tile_bias[32];
  for (int64_t jr = 0; jr < nc; jr += p.NR) {
    const int nr = (int)std::min<int64_t>(p.NR, nc - jr);
    const float* bp = pb + (jr / p.NR) * kc * p.NR;
    const float* bj = bias ? bias + jr : nullptr;
    if (bj && nr < p.NR) {
      std::fill(tile_bias, tile_bias + p.NR, 0.f);
      std::copy(bj, bj + nr, tile_bias);
      bj = tile_bias;
    }
    for (int64_t ir = 0; ir < mc; ir += p.MR) {
      const int mr = (int)std::min<int64_t>(p.MR, mc - ir);
      const float* ap = pa + (ir / p.MR) * kc * p.MR;
      float* cp = c + ir * ldc + jr;
      if (mr == p.MR && nr == p.NR) {
        p.kernel(kc, ap, bp, cp, ldc, acc, bj);
      } else {  // an edge tile: work on a full-size copy, write back the valid part
        if (acc)
          for (int r = 0; r < mr; r++) std::copy(cp + r * ldc, cp + r * ldc + nr, tile + r * p.NR);
        p.kernel(kc, ap, bp, tile, p.NR, acc, bj);
        for (int r = 0; r < mr; r++) std::copy(tile + r * p.NR, tile + r * p.NR + nr, cp + r * ldc);
      }
    }
  }
}

thread_local std::vector<float> a_buffer, b_buffer;

// One item, on the calling thread only.
void gemm_serial(const Plan& p, const GemmArgs& g, const float* a, const float* b, float* c) {
  for (int64_t jc = 0; jc < g.N; jc += NC) {
    const int64_t nc = std::min(NC, g.N - jc);
    for (int64_t pc = 0; pc < g.K; pc += KC) {
      const int64_t kc = std::min(KC, g.K - pc);
      float* pb = scratch(b_buffer, ((nc + p.NR - 1) / p.NR) * p.NR * kc);
      for (int64_t jr = 0; jr < nc; jr += p.NR)
        pack_b_panel(b, g.b_row, g.b_col, pc, kc, jc + jr, (int)std::min<int64_t>(p.NR, nc - jr), p.NR, pb + (jr / p.NR) * kc * p.NR);
      for (int64_t ic = 0; ic < g.M; ic += MC) {
        const int64_t mc = std::min(MC, g.M - ic);
        float* pa = scratch(a_buffer, ((mc + p.MR - 1) / p.MR) * p.MR * kc);
        pack_a(a, g.a_row, g.a_col, ic, mc, pc, kc, p.MR, pa);
        macro_kernel(p, mc, nc, kc, pa, pb, c + ic * g.N + jc, g.N, pc > 0, g.bias ? g.bias + jc : nullptr);
      }
    }
  }
}

// One item, its row blocks (and B's packing) shared among the pool.
void gemm_parallel(const Plan& p, const GemmArgs& g, const float* a, const float* b, float* c) {
  std::vector<float> packed_b;
  for (int64_t jc = 0; jc < g.N; jc += NC) {
    const int64_t nc = std::min(NC, g.N - jc);
    for (int64_t pc = 0; pc < g.K; pc += KC) {
      const int64_t kc = std::min(KC, g.K - pc);
      const int64_t panels = (nc + p.NR - 1) / p.NR;
      float* pb = scratch(packed_b, panels * p.NR * kc);
      parallel_for(panels, [&](int64_t q) {
        const int64_t jr = q * p.NR;
        pack_b_panel(b, g.b_row, g.b_col, pc, kc, jc + jr, (int)std::min<int64_t>(p.NR, nc - jr), p.NR, pb + q * kc * p.NR);
      });
      // row blocks small enough that every thread gets a few
      int64_t mc_step = MC;
      const int64_t want = 4 * threads();
      while (mc_step > p.MR && (g.M + mc_step - 1) / mc_step < want) mc_step -= p.MR;
      const int64_t blocks = (g.M + mc_step - 1) / mc_step;
      parallel_for(blocks, [&](int64_t q) {
        const int64_t ic = q * mc_step;
        const int64_t mc = std::min(mc_step, g.M - ic);
        float* pa = scratch(a_buffer, ((mc + p.MR - 1) / p.MR) * p.MR * kc);
        pack_a(a, g.a_row, g.a_col, ic, mc, pc, kc, p.MR, pa);
        macro_kernel(p, mc, nc, kc, pa, pb, c + ic * g.N + jc, g.N, pc > 0, g.bias ? g.bias + jc : nullptr);
      });
    }
  }
}

}  // namespace

void gemm(const GemmArgs& g) {
  if (g.batch == 0 || g.M == 0 || g.N == 0) return;
  if (g.K == 0) {  // an empty sum: C = bias (or 0)
    for (int64_t i = 0; i < g.batch * g.M; i++)
      for (int64_t j = 0; j < g.N; j++) g.c[i * g.N + j] = g.bias ? g.bias[j] : 0.f;
    return;
  }
  const Plan p = plan_for(best_isa());
  const int t = threads();
  const double work = (double)g.M * g.N * g.K;
  // many items, or one too small to share: whole items per thread; else share each item
  if (t == 1 || g.batch >= t || work < 64.0 * 64 * 64) {
    parallel_for(g.batch, [&](int64_t i) {
      gemm_serial(p, g, g.a + i * g.a_item, g.b + i * g.b_item, g.c + i * g.M * g.N);
    });
  } else {
    for (int64_t i = 0; i < g.batch; i++) gemm_parallel(p, g, g.a + i * g.a_item, g.b + i * g.b_item, g.c + i * g.M * g.N);
  }
}

}  // namespace bertlab
