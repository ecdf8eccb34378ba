// Finite-difference checks of every module's gradient on a tiny config (cpu backend):
// the gradient tfjs computes (including our own for the sparse cross-entropy) must match
// (f(θ+ε) − f(θ−ε)) / 2ε on randomly chosen coordinates of every parameter.
import { test } from "node:test";
import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs-core";
import "@tensorflow/tfjs-backend-cpu";
import { Rng } from "../util/rng";
import { gelu, geluNew } from "./activations";
import { additiveMask, SelfAttention } from "./attention";
import { BertForPreTraining } from "./bert-for-pretraining";
import { bertConfig } from "./config";
import { Dense } from "./dense";
import { Embeddings } from "./embeddings";
import { EncoderLayer } from "./encoder-layer";
import { LayerNorm } from "./layer-norm";
import { sparseSoftmaxCrossEntropy } from "./losses";
import { ParamStore } from "./params";

// σ = 0.5 so a step ε = 0.01 is small next to the weights (at BERT's 0.02 LayerNorm would make it huge)
const config = bertConfig("tiny", { vocabSize: 20, hiddenSize: 8, numAttentionHeads: 2, intermediateSize: 16, maxPositionEmbeddings: 8, initializerRange: 0.5 });
const eval_ = { training: false, rng: new Rng(0) };

/** Compares tf.variableGrads with central differences (float64 math on the host). */
function checkGradients(name: string, f: () => tf.Scalar, vars: tf.Variable[], coordsPerVar = 4, eps = 1e-2): void {
  const rng = new Rng(42);
  const { grads, value } = tf.variableGrads(f, vars);
  value.dispose();
  let checked = 0;
  for (const v of vars) {
    const g = grads[v.name].dataSync();
    const base = v.dataSync().slice() as Float32Array;
    for (let k = 0; k < coordsPerVar; k++) {
      const i = rng.randint(0, base.length - 1);
      const at = (delta: number) => {
        const moved = base.slice();
        moved[i] += delta;
        v.assign(tf.tensor(moved, v.shape));
        return tf.tidy(() => f().dataSync()[0]);
      };
      const numeric = (at(eps) - at(-eps)) / (2 * eps);
      v.assign(tf.tensor(base, v.shape));
      const tol = 2e-3 + 3e-2 * Math.abs(numeric);
      assert.ok(Math.abs(g[i] - numeric) <= tol, `${name}: d/d${v.name}[${i}] analytic ${g[i]} vs numeric ${numeric}`);
      checked++;
    }
  }
  tf.dispose(Object.values(grads));
  assert.ok(checked > 0);
}

/** A fixed random projection makes any tensor output a scalar with rich gradients. */
function project(x: tf.Tensor, seed: number): tf.Scalar {
  const w = tf.randomNormal(x.shape, 0, 1, "float32", seed);
  return tf.sum(tf.mul(x, w));
}

test("setup: cpu backend", async () => {
  await tf.setBackend("cpu");
});

test("Dense, LayerNorm, GELU (erf and tanh forms)", () => {
  const store = new ParamStore(1);
  const dense = new Dense(store, "d", 8, 6, 0.5);
  const ln = new LayerNorm(store, "ln", 6, 1e-12);
  const x = tf.randomNormal([3, 8], 0, 1, "float32", 7);
  checkGradients("dense", () => project(dense.apply(x), 1), [dense.kernel, dense.bias]);
  // perturb γ, β away from 1, 0 so their gradients are not trivial
  ln.gamma.assign(tf.randomNormal([6], 1, 0.2, "float32", 3));
  checkGradients("layernorm", () => project(ln.apply(dense.apply(x)), 2), [ln.gamma, ln.beta, dense.kernel]);
  checkGradients("gelu", () => project(gelu(dense.apply(x)), 3), [dense.kernel]);
  checkGradients("gelu_new", () => project(geluNew(dense.apply(x)), 4), [dense.kernel]);
  store.dispose();
  x.dispose();
});

test("embeddings (gather's gradient), attention with a padding mask, encoder layer", () => {
  const store = new ParamStore(2);
  const emb = new Embeddings(store, "", config);
  const ids = tf.tensor2d([[1, 5, 7, 2], [1, 9, 2, 0]], [2, 4], "int32");
  const types = tf.tensor2d([[0, 0, 1, 1], [0, 0, 0, 0]], [2, 4], "int32");
  const mask = additiveMask(tf.tensor2d([[1, 1, 1, 1], [1, 1, 1, 0]], [2, 4], "int32"));
  checkGradients("embeddings", () => project(emb.apply(ids, types, eval_), 5), [emb.word, emb.position, emb.tokenType, emb.layerNorm.gamma]);
  const attn = new SelfAttention(store, "a.", config);
  const x = tf.randomNormal([2, 4, 8], 0, 1, "float32", 9) as tf.Tensor3D;
  checkGradients("attention", () => project(attn.apply(x, mask, eval_).output, 6), [attn.query.kernel, attn.key.kernel, attn.value.kernel, attn.output.bias]);
  const layer = new EncoderLayer(store, "l.", config);
  checkGradients("encoder layer", () => project(layer.apply(x, mask, eval_).output, 7), [layer.intermediate.kernel, layer.output.kernel, layer.layerNorm.beta]);
  store.dispose();
  tf.dispose([ids, types, mask, x]);
});

test("sparse softmax cross-entropy (own gradient) and the whole pre-training loss", () => {
  const store = new ParamStore(3);
  const dense = new Dense(store, "d", 8, 20, 0.5);
  const x = tf.randomNormal([5, 8], 0, 1, "float32", 11);
  checkGradients("cross-entropy", () => sparseSoftmaxCrossEntropy(dense.apply(x) as tf.Tensor2D, [3, 0, 19, 7, 7]), [dense.kernel, dense.bias]);
  store.dispose();
  x.dispose();

  const model = new BertForPreTraining(config, { seed: 8 });
  const input = {
    inputIds: [[2, 4, 3, 5, 3], [2, 6, 7, 3, 0]],
    tokenTypeIds: [[0, 0, 0, 1, 1], [0, 0, 0, 0, 0]],
    attentionMask: [[1, 1, 1, 1, 1], [1, 1, 1, 1, 0]],
    maskedLmLabels: [[-100, 9, -100, -100, -100], [-100, -100, 11, -100, -100]],
    nextSentenceLabel: [1, 0],
  };
  const pick = ["bert.embeddings.word_embeddings.weight", "bert.encoder.layer.1.attention.self.key.weight", "bert.pooler.dense.weight", "cls.predictions.bias", "cls.predictions.transform.dense.weight", "cls.seq_relationship.weight"];
  checkGradients("pre-training loss", () => model.loss(input), pick.map((n) => model.store.get(n)), 3);
  model.dispose();
});
