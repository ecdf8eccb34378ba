// util: seeded randomness (a Python-compatible generator and a fast one), Python's
// round(), and the lab's error type. Imports nothing else in src/.

export { RandomSource } from "./random-source";
export { PyRandom, PySeed, PyRandomState, pySeedKey } from "./py-random";
export { Mt19937, MtState, MT_N } from "./mt19937";
export { pyRound } from "./py-round";
export { Rng, RngState } from "./rng";
export { BertLabError } from "./errors";
export { interruptCount, noteInterrupt } from "./kernel-interrupt";
export { labMode, bySize } from "./lab-mode";
