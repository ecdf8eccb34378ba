import assert from "node:assert/strict";
import { test } from "node:test";
import { bySize, labMode } from "./lab-mode";

test("labMode / bySize: BERT_LAB_SMOKE=1 picks the smoke size, unset or 0 the full one, anything else is an error naming the variable", () => {
  assert.equal(labMode({}), "full");
  assert.equal(labMode({ BERT_LAB_SMOKE: "0" }), "full");
  assert.equal(labMode({ BERT_LAB_SMOKE: "1" }), "smoke");
  assert.equal(labMode({ BERT_LAB_SMOKE: "TRUE" }), "smoke");
  assert.equal(bySize({ full: 3000, smoke: 30 }, { BERT_LAB_SMOKE: "1" }), 30);
  assert.equal(bySize({ full: 3000, smoke: 30 }, {}), 3000);
  assert.throws(() => labMode({ BERT_LAB_SMOKE: "fast" }), /BERT_LAB_SMOKE="fast" is not understood/);
});
