/**
 * BERT's input embeddings (paper §3, Figure 2): token + segment + position, then LayerNorm
 * and dropout. Legend: B batch, T tokens, H hidden.
 */
import * as tf from "@tensorflow/tfjs-core";
import type { BertConfig } from "./config";
import { dropout, RunContext } from "./dropout";
import { LayerNorm } from "./layer-norm";
import { ParamStore } from "./params";

export class Embeddings {
  readonly word: tf.Variable; // [V, H]
  readonly position: tf.Variable; // [P, H]
  readonly tokenType: tf.Variable; // [S, H]
  readonly layerNorm: LayerNorm;

  constructor(store: ParamStore, prefix: string, readonly config: BertConfig) {
    const { vocabSize: V, hiddenSize: H, maxPositionEmbeddings: P, typeVocabSize: S, initializerRange: std } = config;
    this.word = store.add(`${prefix}embeddings.word_embeddings.weight`, [V, H], store.truncatedNormal(V * H, std));
    this.position = store.add(`${prefix}embeddings.position_embeddings.weight`, [P, H], store.truncatedNormal(P * H, std));
    this.tokenType = store.add(`${prefix}embeddings.token_type_embeddings.weight`, [S, H], store.truncatedNormal(S * H, std));
    this.layerNorm = new LayerNorm(store, `${prefix}embeddings.LayerNorm`, H, config.layerNormEps);
  }

  /** The three embeddings and their normalised sum, for notebooks that show each part. */
  parts(inputIds: tf.Tensor2D, tokenTypeIds: tf.Tensor2D): { token: tf.Tensor3D; segment: tf.Tensor3D; position: tf.Tensor2D } {
    return tf.tidy(() => {
      const T = inputIds.shape[1];
      return {
        token: tf.gather(this.word, inputIds) as tf.Tensor3D, // [B, T, H]
        segment: tf.gather(this.tokenType, tokenTypeIds) as tf.Tensor3D, // [B, T, H]
        position: tf.slice(this.position, [0, 0], [T, -1]) as tf.Tensor2D, // [T, H]
      };
    });
  }

  apply(inputIds: tf.Tensor2D, tokenTypeIds: tf.Tensor2D, ctx: RunContext): tf.Tensor3D {
    return tf.tidy(() => {
      const { token, segment, position } = this.parts(inputIds, tokenTypeIds);
      const sum = tf.add(tf.add(token, segment), position); // [B, T, H]
      return dropout(this.layerNorm.apply(sum), this.config.hiddenDropoutProb, ctx) as tf.Tensor3D;
    });
  }
}
