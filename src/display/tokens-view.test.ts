import { test } from "node:test";
import assert from "node:assert/strict";
import { DISPLAY, bundleOf } from "./mime";
import { assertWellFormedSvg } from "./charts/svg.test.helper";
import { layoutBoxes, tokensView, wordsOf, WORD_PALETTE } from "./tokens-view";
import { trainVocab } from "../tokenization/vocab-trainer";
import { BertTokenizer } from "../tokenization/bert-tokenizer";
import { embeddedCorpusPath } from "../cli/embedded";

/** The rects drawn as pieces, in order, with their attributes. */
function pieceRects(svg: string): { cls: string; fill: string; dash: boolean }[] {
  return [...svg.matchAll(/<rect class="(piece[^"]*)"[^>]*?fill="([^"]*)"([^>]*)\/>/g)].map((m) => ({ cls: m[1], fill: m[2], dash: /stroke-dasharray/.test(m[0]) }));
}

let tokCache: BertTokenizer | null = null;
function tokenizer(): BertTokenizer {
  tokCache ??= new BertTokenizer(trainVocab({ files: [embeddedCorpusPath()] }, { vocabSize: 300, doLowerCase: true }).vocab, { doLowerCase: true });
  return tokCache;
}

test("tokensView: one box per piece, same-word pieces share a fill, ## pieces joined", () => {
  const tokens = ["[CLS]", "un", "##aff", "##able", "dogs", "[SEP]"];
  const v = tokensView({ tokens, ids: [101, 4895, 2546, 3085, 6077, 102] });
  assertWellFormedSvg(v.svg);
  const rects = pieceRects(v.svg);
  assert.equal(rects.length, tokens.length);
  assert.deepEqual(v.words, [null, 0, 0, 0, 1, null]);
  assert.equal(rects[1].fill, WORD_PALETTE[0]);
  assert.equal(rects[2].fill, rects[1].fill);
  assert.equal(rects[3].fill, rects[1].fill);
  assert.notEqual(rects[4].fill, rects[1].fill);
  assert.match(rects[2].cls, /continuation/);
  // joined pieces sit edge to edge: x + width of one is x of the next
  const geo = [...v.svg.matchAll(/<rect class="piece[^"]*" x="([\d.]+)" y="[\d.]+" width="([\d.]+)"/g)].map((m) => [Number(m[1]), Number(m[2])]);
  assert.equal(geo[1][0] + geo[1][1], geo[2][0]);
  assert.ok(geo[4][0] > geo[3][0] + geo[3][1], "a gap between words");
  for (const id of [101, 4895, 102]) assert.match(v.svg, new RegExp(`class="id"[^>]*>${id}<`));
  const b = bundleOf(v);
  assert.deepEqual(Object.keys(b).sort(), ["image/svg+xml", "text/plain"]);
  assert.equal(v[DISPLAY]()["image/svg+xml"], v.svg);
  assert.equal(v.text.split("\n")[0], "[CLS] | un   ##aff ##able | dogs | [SEP]");
  assert.equal(v.text.split("\n")[1], "  101 | 4895  2546   3085 | 6077 |   102");
});

test("tokensView: special tokens drawn in their own style; palette cycles", () => {
  const tokens = ["[CLS]", "[MASK]", "[UNK]", "[SEP]", ...Array.from({ length: WORD_PALETTE.length + 1 }, (_, i) => `w${i}`), "[PAD]"];
  const v = tokensView(tokens, { collapsePadding: Infinity });
  assertWellFormedSvg(v.svg);
  const rects = pieceRects(v.svg);
  assert.equal(rects.length, tokens.length);
  assert.match(rects[0].cls, /special cls/);
  assert.match(rects[1].cls, /special mask/);
  assert.match(rects[2].cls, /special unk/);
  assert.match(rects[3].cls, /special sep/);
  assert.match(rects.at(-1)!.cls, /special pad/);
  assert.ok(rects.at(-1)!.dash && rects[2].dash && !rects[1].dash);
  assert.equal(rects[0].fill, rects[3].fill);
  assert.ok(!WORD_PALETTE.includes(rects[0].fill));
  assert.equal(rects[4].fill, rects[4 + WORD_PALETTE.length].fill, "the palette cycles");
});

test("tokensView: XML in tokens is escaped", () => {
  const v = tokensView({ tokens: ["<b>", "&", "##<", "\"'"] });
  assertWellFormedSvg(v.svg);
  assert.ok(v.svg.includes("&lt;b&gt;") && v.svg.includes(">&amp;<") && v.svg.includes("&quot;&#39;"));
  assert.ok(!/>[^<]*&(?!amp;|lt;|gt;|quot;|#39;)/.test(v.svg), "no bare &");
  assert.equal(pieceRects(v.svg).length, 4);
});

test("tokensView: a real encoding — segments as bands, padding collapsed, rows wrap", () => {
  const tok = tokenizer();
  const e = tok.encode("BERT reads the whole sentence at once, in both directions.", "The tokenizer comes first.", { maxLength: 40, padding: "max_length" });
  const v = tokensView(e, { maxWidth: 420, title: "encode(a, b)" });
  assertWellFormedSvg(v.svg);
  const pads = e.tokens.filter((t) => t === "[PAD]").length;
  assert.ok(pads > 3);
  assert.equal(pieceRects(v.svg).length, e.tokens.length - pads + 1);
  assert.match(v.svg, new RegExp(`\\[PAD\\] ×${pads}`));
  const bands = [...v.svg.matchAll(/class="segment seg-(a|b)"/g)].map((m) => m[1]);
  assert.equal(bands.length, e.tokens.length - pads + 1);
  assert.ok(bands.includes("b") && bands[0] === "a");
  const ys = new Set([...v.svg.matchAll(/<rect class="piece[^"]*" x="[\d.]+" y="([\d.]+)"/g)].map((m) => m[1]));
  assert.ok(ys.size > 1, "wrapped onto several rows");
  const w = Number(/width="(\d+)"/.exec(v.svg)![1]);
  assert.ok(w <= 420);
  assert.ok(v.text.startsWith("encode(a, b)\n[CLS] |"));
  // tokenizeWithSteps output draws too
  const s = tokensView(tok.tokenizeWithSteps("naïve tokenizers"));
  assertWellFormedSvg(s.svg);
  assert.equal(pieceRects(s.svg).length, s.tokens.length);
});

test("layoutBoxes and wordsOf", () => {
  assert.deepEqual(layoutBoxes([40, 30, 50], [false, true, false], 100, 8), { x: [0, 40, 0], row: [0, 0, 1], rows: 2, width: 70 });
  assert.deepEqual(wordsOf(["[CLS]", "##a", "b", "##c", "[SEP]", "##d"]), [null, 0, 1, 1, null, 2]);
});
