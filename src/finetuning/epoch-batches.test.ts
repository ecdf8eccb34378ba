import assert from "node:assert/strict";
import { test } from "node:test";
import { EpochBatches } from "./epoch-batches";

test("EpochBatches: each epoch visits every example once, in a new seeded order; a saved state resumes identically", () => {
  const b = new EpochBatches(10, 4, 7);
  assert.equal(b.perEpoch, 3);
  const epoch = (x: EpochBatches) => [...x.next(), ...x.next(), ...x.next()];
  const e0 = epoch(b);
  assert.deepEqual([...e0].sort((p, q) => p - q), Array.from({ length: 10 }, (_, i) => i), "every example once (the last batch is short)");
  const saved = b.getState();
  const e1 = epoch(b);
  assert.notDeepEqual(e1, e0, "another order in the next epoch");
  const again = new EpochBatches(10, 4, 7);
  assert.deepEqual(epoch(again), e0, "the same seed, the same order");
  again.setState(saved);
  assert.deepEqual(epoch(again), e1, "resumed from the saved state");
  assert.equal(again.epoch, 2);
});
