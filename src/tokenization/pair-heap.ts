/**
 * The max-heap of pair candidates used by the merge learner (merge-learner.ts): entries of
 * (count, merged token, pair key), kept in three parallel arrays.
 */

/** One heap entry, as pop() hands it out. */
export interface PairEntry {
  count: number;
  /** the pair key, first · 2^26 + second */
  key: number;
  /** the merged token */
  str: string;
}

/**
 * Max-heap of (count, merged token, pair key): higher count first, then the smaller token,
 * then the smaller key. Entries are never updated in place; see the lazy invalidation in
 * merge-learner.ts.
 */
export class PairHeap {
  private counts: number[] = [];
  private keys: number[] = [];
  private strs: string[] = [];

  get size(): number {
    return this.counts.length;
  }

  /** True when entry i must come out before entry j. */
  private before(i: number, j: number): boolean {
    const ci = this.counts[i];
    const cj = this.counts[j];
    if (ci !== cj) return ci > cj;
    const si = this.strs[i];
    const sj = this.strs[j];
    if (si !== sj) return si < sj;
    return this.keys[i] < this.keys[j];
  }

  private swap(i: number, j: number): void {
    const c = this.counts[i];
    this.counts[i] = this.counts[j];
    this.counts[j] = c;
    const k = this.keys[i];
    this.keys[i] = this.keys[j];
    this.keys[j] = k;
    const s = this.strs[i];
    this.strs[i] = this.strs[j];
    this.strs[j] = s;
  }

  private up(i: number): void {
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!this.before(i, parent)) break;
      this.swap(i, parent);
      i = parent;
    }
  }

  private down(i: number): void {
    const n = this.counts.length;
    for (;;) {
      const l = 2 * i + 1;
      if (l >= n) break;
      let best = l;
      if (l + 1 < n && this.before(l + 1, l)) best = l + 1;
      if (!this.before(best, i)) break;
      this.swap(i, best);
      i = best;
    }
  }

  /** Adds entries without ordering them; call heapify() before pop(). */
  add(count: number, key: number, str: string): void {
    this.counts.push(count);
    this.keys.push(key);
    this.strs.push(str);
  }

  heapify(): void {
    for (let i = (this.counts.length >> 1) - 1; i >= 0; i--) this.down(i);
  }

  push(count: number, key: number, str: string): void {
    this.add(count, key, str);
    this.up(this.counts.length - 1);
  }

  /** Removes the top entry into `out`; false when empty. */
  pop(out: PairEntry): boolean {
    const n = this.counts.length;
    if (n === 0) return false;
    out.count = this.counts[0];
    out.key = this.keys[0];
    out.str = this.strs[0];
    const last = n - 1;
    if (last > 0) {
      this.counts[0] = this.counts[last];
      this.keys[0] = this.keys[last];
      this.strs[0] = this.strs[last];
    }
    this.counts.pop();
    this.keys.pop();
    this.strs.pop();
    if (last > 1) this.down(0);
    return true;
  }
}
