/** A growable Int32Array: the tokenizer's output without one JS number object per token. */
export class IntBuffer {
  data: Int32Array;
  length = 0;

  constructor(capacity = 256) {
    this.data = new Int32Array(capacity);
  }

  push(v: number): void {
    if (this.length === this.data.length) {
      const bigger = new Int32Array(this.data.length * 2);
      bigger.set(this.data);
      this.data = bigger;
    }
    this.data[this.length++] = v;
  }

  /** A copy of the filled part. */
  toArray(): number[] {
    return Array.from(this.data.subarray(0, this.length));
  }

  clear(): void {
    this.length = 0;
  }
}
