/**
 * `pyRound(2.5)` → `2`
 *
 * Python 3's `round(x)` for a float: the nearest integer, ties to even (`pyRound(0.5)` → 0,
 * `pyRound(1.5)` → 2, `pyRound(-2.5)` → -2), exact on doubles (no `x + 0.5` rounding
 * error). `Math.round` differs: it sends ties up (`Math.round(2.5)` → 3).
 *
 * Why it matters: create_pretraining_data.py picks the number of masked positions as
 * `int(round(len(tokens) * masked_lm_prob))` — Python's round() is half-to-even.
 *
 * NaN and ±Infinity throw, as Python's ValueError / OverflowError do. The result is never
 * -0 (Python returns the int 0).
 */
export function pyRound(x: number): number {
  if (typeof x !== "number") throw new TypeError(`pyRound needs a number: got ${typeof x}`);
  if (Number.isNaN(x)) throw new RangeError("pyRound(NaN): cannot convert float NaN to integer (Python's ValueError)");
  if (!Number.isFinite(x)) {
    throw new RangeError(`pyRound(${x}): cannot convert float infinity to integer (Python's OverflowError)`);
  }
  const floor = Math.floor(x);
  // x - floor is exact (Sterbenz) except for x in (-0.5, 0), where 1 + x may round up
  // to at most 0.5 — and a tie between -1 and 0 picks 0, the right answer there too.
  const frac = x - floor;
  let r: number;
  if (frac < 0.5) r = floor;
  else if (frac > 0.5) r = floor + 1;
  else r = floor % 2 === 0 ? floor : floor + 1; // a tie: take the even neighbour
  return r === 0 ? 0 : r; // turn -0 into 0
}
