/**
 * What a stochastic function needs from a seeded generator, so it can take either the
 * Python-compatible `PyRandom` (to reproduce google-research/bert's data exactly) or the
 * fast `Rng` (everything else):
 *
 * ```ts
 * function coin(rng: RandomSource): boolean { return rng.random() < 0.5; }
 * coin(new PyRandom(42)); // false  (0.6394267984578837)
 * coin(new Rng(42));      // same seed, same answer on every run
 * ```
 */
export interface RandomSource {
  /** A float in [0, 1). */
  random(): number;
  /** An integer in [a, b], both ends included (Python's `randint`). */
  randint(a: number, b: number): number;
  /** Shuffles `arr` in place and returns the same array. */
  shuffle<T>(arr: T[]): T[];
  /** One element of a non-empty array. */
  choice<T>(arr: readonly T[]): T;
}
