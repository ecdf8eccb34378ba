// The pretrain CLI tests again with the native kernels off (BERT_LAB_NATIVE=0, inherited by the
// runs they start): resume and interrupt must give the same losses on the pure wasm path too.
process.env.BERT_LAB_NATIVE = "0";
require("./pretrain-cli.test");
