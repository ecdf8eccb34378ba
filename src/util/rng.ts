// The fast general-purpose seeded generator: sfc32 ("Small Fast Counting", Chris
// Doty-Humphrey, from PractRand; passes PractRand and BigCrush), 128 bits of state with a
// counter, so no seed falls into a short cycle. Seeding follows PractRand's sfc32 (two
// seed words into b and c, counter 1, 12 outputs discarded) after passing each seed word
// through a bijective 32-bit mixer, so every safe-integer seed gives its own stream.
// Use PyRandom instead where numbers must match Python's `random`.

import { RandomSource } from "./random-source";

const TWO_32 = 4294967296;
const TWO_53 = 9007199254740992;

/** Bijective 32-bit mixer (xorshift-multiply, constants from Wellons' hash-prospector). */
function mix32(x: number): number {
  x ^= x >>> 16;
  x = Math.imul(x, 0x21f0aaad);
  x ^= x >>> 15;
  x = Math.imul(x, 0x735a2d97);
  x ^= x >>> 15;
  return x >>> 0;
}

/** FNV-1a over the UTF-16 code units of a label, to separate named forks. */
function hashLabel(label: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < label.length; i++) {
    h ^= label.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

/** A checkpoint of an `Rng`: its four sfc32 state words. */
export interface RngState {
  readonly a: number;
  readonly b: number;
  readonly c: number;
  readonly d: number;
}

/**
 * ```ts
 * const rng = new Rng(42);
 * rng.randint(1, 6);           // the same number on every run with seed 42
 * rng.shuffle([1, 2, 3, 4]);   // a permutation, also repeatable
 * const maskRng = rng.fork("masking");  // an independent child stream
 * ```
 */
export class Rng implements RandomSource {
  private a = 0;
  private b = 0;
  private c = 0;
  private d = 0;

  /**
   * `new Rng(7).random() === new Rng(7).random()` → `true`
   *
   * Seeds from any safe integer (negative ones too). Each seed gives its own stream.
   */
  constructor(seed: number) {
    if (!Number.isSafeInteger(seed)) {
      throw new RangeError(`Rng seed must be a safe integer (|seed| < 2^53): got ${seed}`);
    }
    const lo = seed >>> 0; // low 32 bits (two's complement for negatives)
    const hi = Math.floor(seed / TWO_32) >>> 0; // the rest, sign included
    this.reset(0, mix32(lo), mix32(hi ^ 0x9e3779b9), 1);
  }

  private reset(a: number, b: number, c: number, d: number): void {
    this.a = a >>> 0;
    this.b = b >>> 0;
    this.c = c >>> 0;
    this.d = d >>> 0;
    for (let i = 0; i < 12; i++) this.nextUint32(); // PractRand's warm-up
  }

  /** `new Rng(1).nextUint32() < 2 ** 32` → `true`. The next raw 32-bit word. */
  nextUint32(): number {
    // sfc32 step (shifts 9, 3; rotation 21)
    const t = (((this.a + this.b) | 0) + this.d) | 0;
    this.d = (this.d + 1) | 0;
    this.a = this.b ^ (this.b >>> 9);
    this.b = (this.c + (this.c << 3)) | 0;
    this.c = (this.c << 21) | (this.c >>> 11);
    this.c = (this.c + t) | 0;
    return t >>> 0;
  }

  /**
   * `new Rng(3).random() < 1` → `true`
   *
   * A float in [0, 1) with 53 random bits (two words, as PyRandom.random()).
   */
  random(): number {
    const a = this.nextUint32() >>> 5;
    const b = this.nextUint32() >>> 6;
    return (a * 67108864 + b) / TWO_53;
  }

  /** An unbiased integer in [0, n) for an integer 1 ≤ n ≤ 2^53 (rejection sampling). */
  private below(n: number): number {
    if (n <= TWO_32) {
      if (n === TWO_32) return this.nextUint32();
      const limit = TWO_32 - (TWO_32 % n); // largest multiple of n that fits: no modulo bias
      let r = this.nextUint32();
      while (r >= limit) r = this.nextUint32();
      return r % n;
    }
    const limit = TWO_53 - (TWO_53 % n);
    let r: number;
    do {
      r = (this.nextUint32() >>> 11) * TWO_32 + this.nextUint32(); // 53 bits
    } while (r >= limit);
    return r % n;
  }

  /**
   * `[1, 2, 3].includes(new Rng(5).randint(1, 3))` → `true`
   *
   * An integer in [a, b], both ends included, without modulo bias. a ≤ b, both safe
   * integers, b - a < 2^53.
   */
  randint(a: number, b: number): number {
    if (!Number.isSafeInteger(a) || !Number.isSafeInteger(b)) {
      throw new RangeError(`randint needs safe integers: got (${a}, ${b})`);
    }
    if (b < a) throw new RangeError(`empty range for randint(${a}, ${b}): need a ≤ b`);
    const width = b - a; // exact whenever < 2^53
    if (width >= TWO_53) throw new RangeError(`randint(${a}, ${b}) spans 2^53 or more values`);
    return a + this.below(width + 1);
  }

  /**
   * `new Rng(5).randrange(10) < 10` → `true`
   *
   * `randrange(stop)`: an integer in [0, stop); `randrange(start, stop)`: in [start, stop).
   * An empty range throws.
   */
  randrange(stop: number): number;
  randrange(start: number, stop: number): number;
  randrange(a: number, b?: number): number {
    const start = b === undefined ? 0 : a;
    const stop = b === undefined ? a : b;
    if (!Number.isSafeInteger(start) || !Number.isSafeInteger(stop)) {
      throw new RangeError(`randrange needs safe integers: got (${start}, ${stop})`);
    }
    if (stop <= start) throw new RangeError(`empty range for randrange(${start}, ${stop})`);
    return this.randint(start, stop - 1);
  }

  /**
   * `["x", "y"].includes(new Rng(9).choice(["x", "y"]))` → `true`
   *
   * One element of a non-empty array, each equally likely.
   */
  choice<T>(arr: readonly T[]): T {
    if (arr.length === 0) throw new RangeError("Cannot choose from an empty array: choice() needs at least one element");
    return arr[this.below(arr.length)];
  }

  /**
   * `new Rng(2).shuffle([1, 2, 3]).sort()` → `[1, 2, 3]`
   *
   * Fisher–Yates in place (same loop as Python's shuffle); returns the same array.
   */
  shuffle<T>(arr: T[]): T[] {
    for (let i = arr.length - 1; i > 0; i--) {
      const j = this.below(i + 1);
      const t = arr[i];
      arr[i] = arr[j];
      arr[j] = t;
    }
    return arr;
  }

  /**
   * `Number.isFinite(new Rng(4).normal(0, 0.02))` → `true`
   *
   * A draw from N(mean, std²) by Box–Muller (one cosine branch per call, four words).
   */
  normal(mean = 0, std = 1): number {
    if (!Number.isFinite(mean) || !Number.isFinite(std) || std < 0) {
      throw new RangeError(`normal(mean, std) needs a finite mean and std ≥ 0: got (${mean}, ${std})`);
    }
    const u1 = 1 - this.random(); // (0, 1]: log stays finite
    const u2 = this.random();
    return mean + std * Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * u2);
  }

  /**
   * `new Rng(1).fork("init").random() !== new Rng(1).random()` → `true`
   *
   * A child generator with its own stream, seeded from four words of this one (so this
   * one advances, and successive forks differ) mixed with the optional label (so
   * `fork("a")` and `fork("b")` from the same state differ). Drawing from the child never
   * changes this generator.
   */
  fork(label?: string): Rng {
    const h = label === undefined ? 0 : hashLabel(label);
    const w0 = this.nextUint32();
    const w1 = this.nextUint32();
    const w2 = this.nextUint32();
    const w3 = this.nextUint32();
    const child = Object.create(Rng.prototype) as Rng;
    child.reset(mix32(w0 ^ h), mix32(w1 ^ mix32(h + 0x9e3779b9)), mix32(w2), w3);
    return child;
  }

  /** `new Rng(1).getstate().d` → `13`. A copy of the state, to checkpoint. */
  getstate(): RngState {
    return { a: this.a >>> 0, b: this.b >>> 0, c: this.c >>> 0, d: this.d >>> 0 };
  }

  /** `rng.setstate(saved)` → `undefined`; afterwards `rng` repeats what followed `getstate()`. */
  setstate(state: RngState): void {
    for (const key of ["a", "b", "c", "d"] as const) {
      const w = state[key];
      if (!Number.isInteger(w) || w < 0 || w > 0xffffffff) {
        throw new RangeError(`Rng state word ${key} must be an integer in [0, 2^32): got ${w}`);
      }
    }
    this.a = state.a;
    this.b = state.b;
    this.c = state.c;
    this.d = state.d;
  }
}
