# The optional native kernels (src/backend/native.ts loads them; see native/README.md).
# Built by node-gyp at install (scripts/build-native.cjs); a failed build only leaves them out.
# No -march=native: each kernel family is compiled for its own instruction set with a
# function attribute and chosen at run time by what the CPU reports (cpu.cc).
{
  "targets": [
    {
      "target_name": "bert_lab_native",
      "sources": ["src/addon.cc", "src/cpu.cc", "src/thread_pool.cc", "src/gemm.cc", "src/elementwise.cc", "src/layer_norm.cc", "src/softmax.cc", "src/reduce.cc", "src/gather.cc", "src/adamw.cc"],
      "cflags_cc": ["-O3", "-std=c++17", "-fno-math-errno", "-fno-trapping-math"],
      "cflags_cc!": ["-fno-exceptions"],
      "xcode_settings": { "OTHER_CPLUSPLUSFLAGS": ["-O3", "-std=c++17"], "GCC_ENABLE_CPP_EXCEPTIONS": "YES" },
      "msvs_settings": { "VCCLCompilerTool": { "Optimization": 2 } }
    }
  ]
}
