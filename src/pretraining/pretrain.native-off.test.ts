// The pre-training tests again with the native kernels off (BERT_LAB_NATIVE=0): loss falls,
// resume lists each step's batch once, on the pure wasm path too.
process.env.BERT_LAB_NATIVE = "0";
require("./pretrain.test");
