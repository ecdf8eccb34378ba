// MT19937, the Mersenne Twister of Matsumoto & Nishimura (1998), as CPython's
// Modules/_randommodule.c runs it: the reference init_genrand / init_by_array seeding and
// the reference genrand_uint32 (twist + tempering). Written from the published algorithm;
// all arithmetic is mod 2^32 (Math.imul for products, `>>> 0` to stay unsigned).

/** Number of 32-bit words in the state. */
export const MT_N = 624;
const M = 397;
const MATRIX_A = 0x9908b0df;
const UPPER_MASK = 0x80000000;
const LOWER_MASK = 0x7fffffff;

/** A snapshot of an MT19937 state: the 624 state words and the read position (0..624). */
export interface MtState {
  readonly mt: readonly number[];
  readonly index: number;
}

/**
 * The bare generator: `Mt19937.fromKey([0]).nextUint32()` → `3626764237`.
 * Use `PyRandom` unless you need the raw 32-bit words.
 */
export class Mt19937 {
  private readonly mt = new Uint32Array(MT_N);
  private index = MT_N + 1; // "not initialised", as in the reference code

  /**
   * `Mt19937.fromKey([0x123, 0x234, 0x345, 0x456]).nextUint32()` → `1067595299`
   * (the first output listed in the reference mt19937ar.out).
   * Seeds with the reference init_by_array(key) — what CPython does for every seed.
   */
  static fromKey(key: readonly number[]): Mt19937 {
    const g = new Mt19937();
    g.initByArray(key);
    return g;
  }

  /** Reference init_genrand(s). */
  private initGenrand(s: number): void {
    const mt = this.mt;
    mt[0] = s >>> 0;
    for (let i = 1; i < MT_N; i++) {
      const prev = mt[i - 1];
      // mt[i] = 1812433253 * (mt[i-1] ^ (mt[i-1] >> 30)) + i   (mod 2^32)
      mt[i] = (Math.imul(1812433253, prev ^ (prev >>> 30)) + i) >>> 0;
    }
    this.index = MT_N;
  }

  /** Reference init_by_array(init_key, key_length). */
  private initByArray(key: readonly number[]): void {
    if (key.length === 0) throw new RangeError("Mt19937 key must have at least one word");
    for (const w of key) {
      if (!Number.isInteger(w) || w < 0 || w > 0xffffffff) {
        throw new RangeError(`Mt19937 key words must be integers in [0, 2^32): got ${w}`);
      }
    }
    const mt = this.mt;
    this.initGenrand(19650218);
    let i = 1;
    let j = 0;
    for (let k = Math.max(MT_N, key.length); k > 0; k--) {
      const prev = mt[i - 1];
      // mt[i] = (mt[i] ^ ((prev ^ (prev >> 30)) * 1664525)) + key[j] + j   (non-linear)
      mt[i] = ((mt[i] ^ Math.imul(prev ^ (prev >>> 30), 1664525)) + key[j] + j) >>> 0;
      i++;
      j++;
      if (i >= MT_N) {
        mt[0] = mt[MT_N - 1];
        i = 1;
      }
      if (j >= key.length) j = 0;
    }
    for (let k = MT_N - 1; k > 0; k--) {
      const prev = mt[i - 1];
      // mt[i] = (mt[i] ^ ((prev ^ (prev >> 30)) * 1566083941)) - i   (non-linear)
      mt[i] = ((mt[i] ^ Math.imul(prev ^ (prev >>> 30), 1566083941)) - i) >>> 0;
      i++;
      if (i >= MT_N) {
        mt[0] = mt[MT_N - 1];
        i = 1;
      }
    }
    mt[0] = 0x80000000; // MSB is 1, assuring a non-zero initial array
    this.index = MT_N;
  }

  /** Regenerates all 624 words at once (the reference "twist"). */
  private twist(): void {
    const mt = this.mt;
    let kk = 0;
    let y: number;
    for (; kk < MT_N - M; kk++) {
      y = (mt[kk] & UPPER_MASK) | (mt[kk + 1] & LOWER_MASK);
      mt[kk] = mt[kk + M] ^ (y >>> 1) ^ (y & 1 ? MATRIX_A : 0);
    }
    for (; kk < MT_N - 1; kk++) {
      y = (mt[kk] & UPPER_MASK) | (mt[kk + 1] & LOWER_MASK);
      mt[kk] = mt[kk + (M - MT_N)] ^ (y >>> 1) ^ (y & 1 ? MATRIX_A : 0);
    }
    y = (mt[MT_N - 1] & UPPER_MASK) | (mt[0] & LOWER_MASK);
    mt[MT_N - 1] = mt[M - 1] ^ (y >>> 1) ^ (y & 1 ? MATRIX_A : 0);
    this.index = 0;
  }

  /** `Mt19937.fromKey([0]).nextUint32()` → `3626764237`. Next tempered word in [0, 2^32). */
  nextUint32(): number {
    if (this.index >= MT_N) {
      if (this.index > MT_N) throw new Error("Mt19937 used before seeding: create it with Mt19937.fromKey(key)");
      this.twist();
    }
    let y = this.mt[this.index++];
    y ^= y >>> 11;
    y ^= (y << 7) & 0x9d2c5680;
    y ^= (y << 15) & 0xefc60000;
    y ^= y >>> 18;
    return y >>> 0;
  }

  /** `Mt19937.fromKey([0]).getState().index` → `624`. A copy of the state. */
  getState(): MtState {
    return { mt: Array.from(this.mt), index: this.index };
  }

  /** `g.setState(g.getState())` → `undefined`. Restores a copy made by `getState()`. */
  setState(state: MtState): void {
    const { mt, index } = state;
    if (!Array.isArray(mt) || mt.length !== MT_N) {
      throw new RangeError(`MT19937 state must have ${MT_N} words: got ${Array.isArray(mt) ? mt.length : typeof mt}`);
    }
    if (!Number.isInteger(index) || index < 0 || index > MT_N) {
      throw new RangeError(`MT19937 state index must be an integer in [0, ${MT_N}]: got ${index}`);
    }
    for (const w of mt) {
      if (!Number.isInteger(w) || w < 0 || w > 0xffffffff) {
        throw new RangeError(`MT19937 state words must be integers in [0, 2^32): got ${w}`);
      }
    }
    this.mt.set(mt);
    this.index = index;
  }
}
