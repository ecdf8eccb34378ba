// A bit-for-bit port of CPython 3.11's `random.Random` for the operations that
// google-research/bert's create_pretraining_data.py uses (random, randint, randrange,
// choice, shuffle) plus getrandbits. Same seed → the same numbers Python gives, so the
// TypeScript port of the data generator reproduces the reference instances exactly.
//
// Sources of the rules (CPython 3.11): Lib/random.py (seed, _randbelow_with_getrandbits,
// randrange, choice, shuffle) and Modules/_randommodule.c (random_seed, random_random,
// getrandbits). The generator itself is MT19937 (./mt19937.ts).

import { createHash } from "node:crypto";
import { Mt19937, MtState } from "./mt19937";
import { RandomSource } from "./random-source";

/** What `new PyRandom(seed)` accepts: an integer (number or bigint) or a string. */
export type PySeed = number | bigint | string;

/**
 * A checkpoint of a `PyRandom`: the 624 MT19937 words and the read position. The same
 * numbers as Python's `r.getstate()[1]` (624 words, then the index).
 */
export type PyRandomState = MtState;

const TWO_32 = 4294967296;
const TWO_53 = 9007199254740992;

/**
 * `pySeedKey(2n ** 32n)` → `[0, 1]`
 *
 * The init_by_array key CPython derives from a seed: abs(n) cut into 32-bit words, least
 * significant first ([0] for zero). A string seed first becomes, as `random.seed(s)`
 * version 2 does, `int.from_bytes(s.encode() + sha512(s.encode()).digest(), "big")`.
 */
export function pySeedKey(seed: PySeed): number[] {
  let n: bigint;
  if (typeof seed === "string") {
    n = stringSeedToBigInt(seed);
  } else if (typeof seed === "bigint") {
    n = seed;
  } else if (typeof seed === "number") {
    if (!Number.isInteger(seed)) {
      throw new TypeError(
        `PyRandom seed must be an integer (number or bigint) or a string: got ${seed}. ` +
          "Only integer and string seeds are supported (CPython would hash a float seed); " +
          "pass Math.trunc(seed) or a string.",
      );
    }
    n = BigInt(seed);
  } else {
    throw new TypeError(`PyRandom seed must be a number, bigint or string: got ${typeof seed}`);
  }
  if (n < 0n) n = -n; // random_seed: n = abs(arg)
  const key: number[] = [];
  while (n > 0n) {
    key.push(Number(n & 0xffffffffn));
    n >>= 32n;
  }
  if (key.length === 0) key.push(0);
  return key;
}

function stringSeedToBigInt(s: string): bigint {
  // Python's s.encode() raises UnicodeEncodeError on a lone surrogate; Buffer would
  // silently write U+FFFD and give a seed Python never could.
  if (/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/.test(s)) {
    throw new RangeError("PyRandom string seed contains a lone UTF-16 surrogate: it has no UTF-8 encoding, as in Python");
  }
  const bytes = Buffer.from(s, "utf8");
  const digest = createHash("sha512").update(bytes).digest();
  const hex = Buffer.concat([bytes, digest]).toString("hex");
  return BigInt("0x" + hex);
}

function bitLength(n: bigint): number {
  return n === 0n ? 0 : n.toString(2).length;
}

/** Integers with |x| ≤ 2^53 are exact doubles, and so is every integer between two of them. */
function checkExactInteger(what: string, x: number): void {
  if (!Number.isInteger(x) || Math.abs(x) > TWO_53) {
    throw new RangeError(`${what} must be an integer with |x| ≤ 2^53: got ${x}; pass bigints for larger values`);
  }
}

/**
 * ```ts
 * const r = new PyRandom(42);
 * r.random();        // 0.6394267984578837
 * r.randint(1, 10);  // 1   — as Python's random.Random(42) would give, bit for bit
 * ```
 */
export class PyRandom implements RandomSource {
  private readonly gen: Mt19937;

  /**
   * `new PyRandom("hello").random()` → `0.3537754404730722`
   *
   * Seeds like CPython 3.11's `random.Random(seed)`: integers of any size (number or
   * bigint; the sign is dropped, as Python does) and strings (version-2 seeding: UTF-8
   * bytes plus their SHA-512). Non-integer numbers throw.
   */
  constructor(seed: PySeed) {
    this.gen = Mt19937.fromKey(pySeedKey(seed));
  }

  /**
   * `new PyRandom(42).random()` → `0.6394267984578837`
   *
   * A float in [0, 1) with 53 random bits: two words a, b; (a>>5 · 2^26 + b>>6) / 2^53.
   */
  random(): number {
    const a = this.gen.nextUint32() >>> 5;
    const b = this.gen.nextUint32() >>> 6;
    return (a * 67108864 + b) / TWO_53;
  }

  /**
   * `new PyRandom(42).getrandbits32(7)` → `81`
   *
   * `getrandbits(k)` for 0 ≤ k ≤ 32, returned as a number (no bigint cost).
   */
  getrandbits32(k: number): number {
    if (!Number.isInteger(k) || k < 0 || k > 32) {
      throw new RangeError(`getrandbits32 needs an integer k in [0, 32]: got ${k}; use getrandbits(k) for more bits`);
    }
    if (k === 0) return 0; // CPython returns 0 without drawing a word
    return this.gen.nextUint32() >>> (32 - k);
  }

  /**
   * `new PyRandom(42).getrandbits(100)` → `873491343714207852616756591005n`
   *
   * An integer with k random bits, exactly as CPython: k ≤ 32 takes the top k bits of one
   * word; otherwise words fill the result least significant first and the last word is
   * shifted right to the bits still needed. k = 0 gives 0n; negative k throws.
   */
  getrandbits(k: number): bigint {
    if (!Number.isInteger(k) || k < 0) {
      throw new RangeError(`number of bits must be a non-negative integer: got ${k}`);
    }
    if (k <= 32) return BigInt(this.getrandbits32(k));
    let result = 0n;
    let shift = 0n;
    for (let left = k; left > 0; left -= 32, shift += 32n) {
      let w = this.gen.nextUint32();
      if (left < 32) w >>>= 32 - left; // drop the least significant bits
      result |= BigInt(w) << shift;
    }
    return result;
  }

  /**
   * `new PyRandom(42).randbelow(10)` → `1`
   *
   * An integer in [0, n) as CPython's `_randbelow_with_getrandbits`: k = bit length of n,
   * draw getrandbits(k) until it is below n. Numbers up to 2^53 stay numbers; pass a
   * bigint for anything larger (`randbelow(2n ** 70n)` → `57393928075486525853n`).
   */
  randbelow(n: number): number;
  randbelow(n: bigint): bigint;
  randbelow(n: number | bigint): number | bigint {
    if (typeof n === "bigint") {
      if (n <= 0n) throw new RangeError(`randbelow needs n > 0: got ${n}`);
      if (n <= BigInt(TWO_53)) return BigInt(this.randbelowNumber(Number(n)));
      const k = bitLength(n);
      let r = this.getrandbits(k);
      while (r >= n) r = this.getrandbits(k);
      return r;
    }
    if (!Number.isInteger(n) || n <= 0 || n > TWO_53) {
      throw new RangeError(`randbelow needs an integer n with 0 < n ≤ 2^53: got ${n}; pass a bigint for larger n`);
    }
    return this.randbelowNumber(n);
  }

  /** randbelow for an integer 0 < n ≤ 2^53, without bigints. */
  private randbelowNumber(n: number): number {
    const gen = this.gen;
    if (n < TWO_32) {
      const shift = Math.clz32(n); // 32 - bit_length(n), and n ≥ 1 so k ≥ 1
      let r = gen.nextUint32() >>> shift;
      while (r >= n) r = gen.nextUint32() >>> shift;
      return r;
    }
    // 33..54 bits: low word whole, high word shifted down to the remaining bits.
    const shift = Math.clz32(Math.floor(n / TWO_32)); // 64 - k
    let r: number;
    do {
      const lo = gen.nextUint32();
      const hi = gen.nextUint32() >>> shift;
      r = hi * TWO_32 + lo; // exact whenever r < 2^53; larger r is rejected anyway
    } while (r >= n);
    return r;
  }

  /**
   * `new PyRandom(42).randrange(5, 10)` → `5`
   *
   * `randrange(stop)` is an integer in [0, stop); `randrange(start, stop)` one in
   * [start, stop). Step 1 only. An empty range throws, as Python's ValueError. Numbers
   * must be integers within ±2^53; use bigints for wider ranges.
   */
  randrange(stop: number): number;
  randrange(start: number, stop: number): number;
  randrange(stop: bigint): bigint;
  randrange(start: bigint, stop: bigint): bigint;
  randrange(a: number | bigint, b?: number | bigint): number | bigint {
    if (typeof a === "bigint" || typeof b === "bigint") {
      if (typeof a !== "bigint" || (b !== undefined && typeof b !== "bigint")) {
        throw new TypeError("randrange arguments must be all numbers or all bigints");
      }
      const start = b === undefined ? 0n : a;
      const stop = b === undefined ? a : (b as bigint);
      const width = stop - start;
      if (width <= 0n) throw new RangeError(`empty range for randrange() (${start}, ${stop}, ${width})`);
      return start + this.randbelow(width);
    }
    const start = b === undefined ? 0 : a;
    const stop = b === undefined ? a : b;
    checkExactInteger("randrange start", start);
    checkExactInteger("randrange stop", stop);
    const width = stop - start;
    if (width <= 0) throw new RangeError(`empty range for randrange() (${start}, ${stop}, ${width})`);
    // stop - width !== start catches a width that rounded (true width 2^53 + 1, say)
    if (width > TWO_53 || stop - width !== start) {
      throw new RangeError(`randrange(${start}, ${stop}) is wider than 2^53: pass bigints`);
    }
    return start + this.randbelowNumber(width);
  }

  /**
   * `new PyRandom(42).randint(1, 6)` → `6`
   *
   * An integer in [a, b], both ends included: Python's `randint(a, b)` = `randrange(a, b+1)`.
   */
  randint(a: number, b: number): number;
  randint(a: bigint, b: bigint): bigint;
  randint(a: number | bigint, b: number | bigint): number | bigint {
    if (typeof a === "bigint" && typeof b === "bigint") return this.randrange(a, b + 1n);
    if (typeof a === "number" && typeof b === "number") {
      if (!Number.isSafeInteger(b)) {
        throw new RangeError(`randint b must be a safe integer (|b| < 2^53): got ${b}; pass bigints for larger values`);
      }
      return this.randrange(a, b + 1);
    }
    throw new TypeError("randint arguments must be both numbers or both bigints");
  }

  /**
   * `new PyRandom(42).choice(["a", "b", "c"])` → `"c"`
   *
   * One element, `arr[randbelow(arr.length)]` as Python. An empty array throws.
   */
  choice<T>(arr: readonly T[]): T {
    if (arr.length === 0) throw new RangeError("Cannot choose from an empty sequence: choice() needs at least one element");
    return arr[this.randbelowNumber(arr.length)];
  }

  /**
   * `new PyRandom(42).shuffle([0, 1, 2, 3, 4])` → `[3, 1, 2, 4, 0]`
   *
   * Shuffles in place exactly as CPython 3.11 (`for i in reversed(range(1, len(x))):
   * j = _randbelow(i + 1); swap x[i], x[j]`) and returns the same array.
   */
  shuffle<T>(arr: T[]): T[] {
    for (let i = arr.length - 1; i > 0; i--) {
      const j = this.randbelowNumber(i + 1);
      const t = arr[i];
      arr[i] = arr[j];
      arr[j] = t;
    }
    return arr;
  }

  /**
   * `new PyRandom(42).getstate().index` → `624`
   *
   * A copy of the generator state, to checkpoint; `setstate` resumes from it.
   */
  getstate(): PyRandomState {
    return this.gen.getState();
  }

  /**
   * `r.setstate(saved)` → `undefined`; afterwards `r` repeats what followed `getstate()`.
   *
   * Restores a state from `getstate()` (or Python's: `{ mt: st[1][:624], index: st[1][624] }`
   * for `st = r.getstate()`). Throws on a malformed state.
   */
  setstate(state: PyRandomState): void {
    this.gen.setState(state);
  }
}
