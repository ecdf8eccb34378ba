/**
 * Batches of example indices for fine-tuning: every epoch visits each example once, in an
 * order seeded by (seed, epoch), so a resumed run sees the same batches. Also the one helper
 * both task kinds use to gather the rows of a batch from padded [N·T] arrays.
 *
 * @example
 *   const batches = new EpochBatches(1000, 32, 42);
 *   batches.next();        // Int32Array of 32 example indices
 *   batches.getState();    // { epoch: 0, index: 32 } — into a checkpoint
 */
import * as tf from "@tensorflow/tfjs-core";
import { Rng } from "../util/rng";

export interface EpochBatchesState {
  epoch: number;
  index: number;
}

export class EpochBatches {
  private epochCount = 0;
  private index = 0;
  private order: number[];

  constructor(readonly size: number, readonly batchSize: number, private readonly seed: number) {
    this.order = this.orderFor(0);
  }

  /** batches per epoch (the last may be short) */
  get perEpoch(): number {
    return Math.ceil(this.size / this.batchSize);
  }

  /** passes so far, with the share of the current one */
  get epoch(): number {
    return this.epochCount + Math.min(1, this.index / this.size);
  }

  next(): Int32Array {
    if (this.index >= this.size) {
      this.epochCount += 1;
      this.index = 0;
      this.order = this.orderFor(this.epochCount);
    }
    const rows = Int32Array.from(this.order.slice(this.index, this.index + this.batchSize));
    this.index += this.batchSize;
    return rows;
  }

  getState(): EpochBatchesState {
    return { epoch: this.epochCount, index: this.index };
  }

  setState(state: EpochBatchesState): void {
    this.epochCount = state.epoch;
    this.index = state.index;
    this.order = this.orderFor(state.epoch);
  }

  private orderFor(epoch: number): number[] {
    return new Rng(this.seed).fork(`epoch ${epoch}`).shuffle(Array.from({ length: this.size }, (_, i) => i));
  }
}

/** The rows of a row-major [N·T] array as an int32 tensor [rows, T]. */
export function gatherRows(values: Int32Array, T: number, rows: Int32Array): tf.Tensor2D {
  const out = new Int32Array(rows.length * T);
  rows.forEach((r, k) => out.set(values.subarray(r * T, (r + 1) * T), k * T));
  return tf.tensor2d(out, [rows.length, T], "int32");
}
