// The N-API face of the native kernels. Every kernel call gets the wasm heap (an ArrayBuffer)
// and a Float64Array of arguments: byte offsets of tensors in the heap, sizes and scalars.
// Pointers are made from the heap's address on every call, because the heap moves when it grows.
#include <node_api.h>

#include <cstring>
#include <string>

#include "bertlab.h"

using namespace bertlab;

namespace {

#define CHECK(call)                                                  \
  do {                                                               \
    if ((call) != napi_ok) {                                         \
      napi_throw_error(env, nullptr, "bert-lab native: " #call);     \
      return nullptr;                                                \
    }                                                                \
  } while (0)

struct Call {
  uint8_t* heap = nullptr;
  size_t heap_bytes = 0;
  const double* a = nullptr;
  size_t n = 0;
  float* f(size_t i) const { return reinterpret_cast<float*>(heap + (size_t)a[i]); }
  int32_t* i32(size_t i) const { return reinterpret_cast<int32_t*>(heap + (size_t)a[i]); }
  int64_t i64(size_t i) const { return (int64_t)a[i]; }
};

// (heap: ArrayBuffer, args: Float64Array) → Call, or throws and returns false
bool unpack(napi_env env, napi_callback_info info, size_t want, Call* call) {
  size_t argc = 2;
  napi_value argv[2];
  if (napi_get_cb_info(env, info, &argc, argv, nullptr, nullptr) != napi_ok || argc < 2) {
    napi_throw_type_error(env, nullptr, "bert-lab native: expected (heap, args)");
    return false;
  }
  void* data;
  if (napi_get_arraybuffer_info(env, argv[0], &data, &call->heap_bytes) != napi_ok) {
    napi_throw_type_error(env, nullptr, "bert-lab native: the heap must be an ArrayBuffer");
    return false;
  }
  call->heap = static_cast<uint8_t*>(data);
  napi_typedarray_type type;
  size_t length;
  void* args;
  napi_value ab;
  size_t offset;
  if (napi_get_typedarray_info(env, argv[1], &type, &length, &args, &ab, &offset) != napi_ok || type != napi_float64_array) {
    napi_throw_type_error(env, nullptr, "bert-lab native: the arguments must be a Float64Array");
    return false;
  }
  if (length != want) {
    std::string msg = "bert-lab native: expected " + std::to_string(want) + " arguments, got " + std::to_string(length);
    napi_throw_range_error(env, nullptr, msg.c_str());
    return false;
  }
  call->a = static_cast<const double*>(args);
  call->n = length;
  return true;
}

#define KERNEL(name, nargs, ...)                                        \
  napi_value name(napi_env env, napi_callback_info info) {              \
    Call c;                                                             \
    if (!unpack(env, info, nargs, &c)) return nullptr;                  \
    __VA_ARGS__;                                                        \
    return nullptr;                                                     \
  }

// [batch, M, N, K, a, a_item, a_row, a_col, b, b_item, b_row, b_col, c, bias (−1: none)]
KERNEL(Gemm, 14, {
  GemmArgs g;
  g.batch = c.i64(0), g.M = c.i64(1), g.N = c.i64(2), g.K = c.i64(3);
  g.a = c.f(4), g.a_item = c.i64(5), g.a_row = c.i64(6), g.a_col = c.i64(7);
  g.b = c.f(8), g.b_item = c.i64(9), g.b_row = c.i64(10), g.b_col = c.i64(11);
  g.c = c.f(12);
  g.bias = c.a[13] < 0 ? nullptr : c.f(13);
  gemm(g);
})
KERNEL(GeluForward, 3, gelu_forward(c.f(0), c.f(1), c.i64(2)))                        // [x, y, n]
KERNEL(GeluBackward, 4, gelu_backward(c.f(0), c.f(1), c.f(2), c.i64(3)))              // [x, dy, dx, n]
KERNEL(DropoutMask, 4, dropout_mask(c.f(0), c.i64(1), (float)c.a[2], (uint32_t)c.a[3])) // [mask, n, rate, seed]
KERNEL(Multiply, 4, multiply(c.f(0), c.f(1), c.f(2), c.i64(3)))                       // [a, b, y, n]
// [x, gamma, beta, y, mean, rstd, rows, H, eps]
KERNEL(LayerNormForward, 9, layer_norm_forward(c.f(0), c.f(1), c.f(2), c.f(3), c.f(4), c.f(5), c.i64(6), c.i64(7), (float)c.a[8]))
// [x, gamma, mean, rstd, dy, dx, dgamma, dbeta, rows, H]
KERNEL(LayerNormBackward, 10, layer_norm_backward(c.f(0), c.f(1), c.f(2), c.f(3), c.f(4), c.f(5), c.f(6), c.f(7), c.i64(8), c.i64(9)))
KERNEL(SoftmaxForward, 4, softmax_forward(c.f(0), c.f(1), c.i64(2), c.i64(3)))         // [x, y, rows, cols]
KERNEL(SoftmaxBackward, 5, softmax_backward(c.f(0), c.f(1), c.f(2), c.i64(3), c.i64(4))) // [y, dy, dx, rows, cols]
// [logits, labels (int32), loss, grad, rows, cols]
KERNEL(SoftmaxCrossEntropy, 6, softmax_cross_entropy(c.f(0), c.i32(1), c.f(2), c.f(3), c.i64(4), c.i64(5)))
// [x, idx (int32), out, outer, dim, slice, n_idx]
KERNEL(Gather, 7, gather_rows(c.f(0), c.i32(1), c.f(2), c.i64(3), c.i64(4), c.i64(5), c.i64(6)))
KERNEL(SumMiddle, 5, sum_middle(c.f(0), c.f(1), c.i64(2), c.i64(3), c.i64(4)))          // [x, y, outer, mid, inner]
// [p, m, v, g, p_out, m_out, v_out, n, lr, beta1, beta2, eps, weight_decay, grad_scale, step_size, bias_correction]
KERNEL(AdamW, 16, {
  AdamArgs a;
  a.p = c.f(0), a.m = c.f(1), a.v = c.f(2), a.g = c.f(3);
  a.p_out = c.f(4), a.m_out = c.f(5), a.v_out = c.f(6);
  a.n = c.i64(7);
  a.lr = (float)c.a[8], a.beta1 = (float)c.a[9], a.beta2 = (float)c.a[10], a.eps = (float)c.a[11];
  a.weight_decay = (float)c.a[12], a.grad_scale = (float)c.a[13], a.step_size = (float)c.a[14];
  a.bias_correction = c.a[15] != 0;
  adamw_update(a);
})

napi_value make_string(napi_env env, const char* s) {
  napi_value v;
  napi_create_string_utf8(env, s, NAPI_AUTO_LENGTH, &v);
  return v;
}

// info() → { isa, features: [...], threads, compiled: [...] }
napi_value Info(napi_env env, napi_callback_info) {
  napi_value out, features, compiled, n;
  CHECK(napi_create_object(env, &out));
  CHECK(napi_set_named_property(env, out, "isa", make_string(env, isa_name(best_isa()))));
  auto f = cpu_features();
  CHECK(napi_create_array_with_length(env, f.size(), &features));
  for (size_t i = 0; i < f.size(); i++) CHECK(napi_set_element(env, features, (uint32_t)i, make_string(env, f[i].c_str())));
  CHECK(napi_set_named_property(env, out, "features", features));
  std::vector<const char*> isas = {"scalar"};
#if defined(__x86_64__) || defined(__i386__)
  isas.push_back("avx2");
  isas.push_back("avx512");
#endif
#if defined(__aarch64__)
  isas.push_back("neon");
#endif
  CHECK(napi_create_array_with_length(env, isas.size(), &compiled));
  for (size_t i = 0; i < isas.size(); i++) CHECK(napi_set_element(env, compiled, (uint32_t)i, make_string(env, isas[i])));
  CHECK(napi_set_named_property(env, out, "compiled", compiled));
  CHECK(napi_create_int32(env, threads(), &n));
  CHECK(napi_set_named_property(env, out, "threads", n));
  return out;
}

napi_value SetThreads(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1];
  int32_t n = 1;
  CHECK(napi_get_cb_info(env, info, &argc, argv, nullptr, nullptr));
  if (argc < 1 || napi_get_value_int32(env, argv[0], &n) != napi_ok) {
    napi_throw_type_error(env, nullptr, "bert-lab native: setThreads(n) needs a number");
    return nullptr;
  }
  set_threads(n);
  return nullptr;
}

// setIsa(name): use a lesser instruction set than the best (tests every micro-kernel on one CPU)
napi_value SetIsa(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1];
  char name[32] = {0};
  size_t len;
  CHECK(napi_get_cb_info(env, info, &argc, argv, nullptr, nullptr));
  if (argc < 1 || napi_get_value_string_utf8(env, argv[0], name, sizeof name, &len) != napi_ok) {
    napi_throw_type_error(env, nullptr, "bert-lab native: setIsa(name) needs a string");
    return nullptr;
  }
  static const Isa detected = best_isa();
  Isa want = Isa::scalar;
  if (!strcmp(name, "avx512")) want = Isa::avx512;
  else if (!strcmp(name, "avx2")) want = Isa::avx2;
  else if (!strcmp(name, "neon")) want = Isa::neon;
  else if (strcmp(name, "scalar")) {
    napi_throw_range_error(env, nullptr, "bert-lab native: setIsa: unknown instruction set (avx512, avx2, neon, scalar)");
    return nullptr;
  }
  if ((int)want > (int)detected || (want == Isa::neon) != (detected == Isa::neon && want != Isa::scalar)) {
    if (!(want == Isa::scalar || want == detected || (detected == Isa::avx512 && want == Isa::avx2))) {
      std::string msg = std::string("bert-lab native: this CPU cannot run ") + name + " (best: " + isa_name(detected) + ")";
      napi_throw_range_error(env, nullptr, msg.c_str());
      return nullptr;
    }
  }
  force_isa(want);
  return nullptr;
}

void Cleanup(void*) { shutdown_pool(); }

napi_value Init(napi_env env, napi_value exports) {
  napi_property_descriptor props[] = {
      {"info", nullptr, Info, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"setThreads", nullptr, SetThreads, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"setIsa", nullptr, SetIsa, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"gemm", nullptr, Gemm, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"geluForward", nullptr, GeluForward, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"geluBackward", nullptr, GeluBackward, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"dropoutMask", nullptr, DropoutMask, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"multiply", nullptr, Multiply, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"layerNormForward", nullptr, LayerNormForward, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"layerNormBackward", nullptr, LayerNormBackward, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"softmaxForward", nullptr, SoftmaxForward, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"softmaxBackward", nullptr, SoftmaxBackward, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"softmaxCrossEntropy", nullptr, SoftmaxCrossEntropy, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"gather", nullptr, Gather, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"sumMiddle", nullptr, SumMiddle, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"adamw", nullptr, AdamW, nullptr, nullptr, nullptr, napi_default, nullptr},
  };
  if (napi_define_properties(env, exports, sizeof props / sizeof props[0], props) != napi_ok) return nullptr;
  napi_add_env_cleanup_hook(env, Cleanup, nullptr);
  return exports;
}

}  // namespace

NAPI_MODULE(NODE_GYP_MODULE_NAME, Init)
