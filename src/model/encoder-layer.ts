/**
 * One Transformer encoder layer as BERT has it: self-attention block, then the feed-forward
 * block (dense to the intermediate size, activation, dense back, dropout, residual,
 * post-LayerNorm). Legend: B batch, T tokens, H hidden, I intermediate.
 */
import * as tf from "@tensorflow/tfjs-core";
import { activation } from "./activations";
import { SelfAttention } from "./attention";
import type { BertConfig } from "./config";
import { Dense } from "./dense";
import { dropout, RunContext } from "./dropout";
import { LayerNorm } from "./layer-norm";
import { ParamStore } from "./params";

export class EncoderLayer {
  readonly attention: SelfAttention;
  readonly intermediate: Dense;
  readonly output: Dense;
  readonly layerNorm: LayerNorm;

  constructor(store: ParamStore, prefix: string, readonly config: BertConfig) {
    const { hiddenSize: H, intermediateSize: I, initializerRange: std } = config;
    this.attention = new SelfAttention(store, prefix, config);
    this.intermediate = new Dense(store, `${prefix}intermediate.dense`, H, I, std);
    this.output = new Dense(store, `${prefix}output.dense`, I, H, std);
    this.layerNorm = new LayerNorm(store, `${prefix}output.LayerNorm`, H, config.layerNormEps);
  }

  apply(x: tf.Tensor3D, mask: tf.Tensor, ctx: RunContext): { output: tf.Tensor3D; probs: tf.Tensor4D } {
    return tf.tidy(() => {
      const attn = this.attention.apply(x, mask, ctx);
      const inner = activation(this.config.hiddenAct)(this.intermediate.apply(attn.output)); // [B, T, I]
      const out = dropout(this.output.apply(inner), this.config.hiddenDropoutProb, ctx); // [B, T, H]
      return { output: this.layerNorm.apply(tf.add(out, attn.output)) as tf.Tensor3D, probs: attn.probs };
    });
  }
}
