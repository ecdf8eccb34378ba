// Which vector instructions to use, decided when the addon loads by asking the CPU, so one
// build runs everywhere its baseline runs and uses AVX-512 / AVX2 only where they exist.
#include "bertlab.h"

namespace bertlab {

static Isa detect() {
#if defined(__x86_64__) || defined(__i386__)
  __builtin_cpu_init();
  if (__builtin_cpu_supports("avx512f")) return Isa::avx512;
  if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma")) return Isa::avx2;
  return Isa::scalar;
#elif defined(__aarch64__)
  return Isa::neon;  // Advanced SIMD is part of every AArch64 CPU
#else
  return Isa::scalar;
#endif
}

static Isa chosen = detect();

Isa best_isa() { return chosen; }

void force_isa(Isa isa) { chosen = isa; }

const char* isa_name(Isa isa) {
  switch (isa) {
    case Isa::avx512: return "avx512";
    case Isa::avx2: return "avx2";
    case Isa::neon: return "neon";
    default: return "scalar";
  }
}

std::vector<std::string> cpu_features() {
  std::vector<std::string> f;
#if defined(__x86_64__) || defined(__i386__)
  __builtin_cpu_init();
  if (__builtin_cpu_supports("sse4.2")) f.push_back("sse4.2");
  if (__builtin_cpu_supports("avx")) f.push_back("avx");
  if (__builtin_cpu_supports("avx2")) f.push_back("avx2");
  if (__builtin_cpu_supports("fma")) f.push_back("fma");
  if (__builtin_cpu_supports("avx512f")) f.push_back("avx512f");
  if (__builtin_cpu_supports("avx512bw")) f.push_back("avx512bw");
  if (__builtin_cpu_supports("avx512vl")) f.push_back("avx512vl");
#elif defined(__aarch64__)
  f.push_back("neon");
#endif
  return f;
}

}  // namespace bertlab
