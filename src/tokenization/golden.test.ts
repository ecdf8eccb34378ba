// The tokenizer against google-research/bert tokenization.py's own outputs (../shared/golden).
import { test } from "node:test";
import assert from "node:assert/strict";
import * as fs from "node:fs";
import { needsShared, sharedPath } from "../util/shared-folder";
import { BertTokenizer } from "./bert-tokenizer";
import { basicSteps } from "./steps";

interface Expected {
  basic_tokens?: string[];
  tokens: string[];
  ids: number[];
}

const EN = "golden/golden_tokenization_public.json";
const ZH = "golden/golden_tokenization_zh_public.json";

test("matches tokenization.py on every English case (uncased and cased)", needsShared(EN), () => {
  const golden = JSON.parse(fs.readFileSync(sharedPath(EN), "utf8"));
  const tokenizers: Record<string, BertTokenizer> = {};
  for (const [name, v] of Object.entries<{ vocab: string; do_lower_case: boolean }>(golden.meta.vocabs)) {
    tokenizers[name] = BertTokenizer.fromFile(sharedPath(`data/${v.vocab}`), { doLowerCase: v.do_lower_case });
  }
  let checked = 0;
  for (const c of golden.cases) {
    for (const [name, tok] of Object.entries(tokenizers)) {
      const want: Expected = c[name];
      const label = `case ${c.id} (${name}) ${JSON.stringify(c.input).slice(0, 60)}`;
      if (want.basic_tokens) {
        assert.deepEqual(tok.basic.tokenize(c.input), want.basic_tokens, `basic tokens, ${label}`);
        assert.deepEqual(basicSteps(c.input, tok.doLowerCase).basicTokens, want.basic_tokens, `steps, ${label}`);
      }
      assert.deepEqual(tok.tokenize(c.input), want.tokens, `tokens, ${label}`);
      assert.deepEqual(tok.tokenizeToIds(c.input), want.ids, `ids, ${label}`);
      assert.deepEqual(tok.tokenizeWithSteps(c.input).tokens, want.tokens, `steps tokens, ${label}`);
      checked++;
    }
  }
  assert.ok(checked >= 100, `checked ${checked} cases`);
});

test("matches tokenization.py on every Chinese case (bert-base-chinese)", needsShared(ZH), () => {
  const golden = JSON.parse(fs.readFileSync(sharedPath(ZH), "utf8"));
  const tok = BertTokenizer.fromFile(sharedPath(`data/vocab/${golden.meta.vocab}`), { doLowerCase: true });
  for (const c of golden.cases) {
    assert.deepEqual(tok.tokenize(c.input), c.tokens, `case ${c.id}`);
    assert.deepEqual(tok.tokenizeToIds(c.input), c.ids, `case ${c.id}`);
  }
  assert.ok(golden.cases.length > 0);
});
