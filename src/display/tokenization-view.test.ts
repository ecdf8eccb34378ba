import { test } from "node:test";
import assert from "node:assert/strict";
import { DISPLAY, bundleOf } from "./mime";
import { assertWellFormedSvg } from "./charts/svg.test.helper";
import { tokenizationView, visibleChar, TOKENIZATION_STAGES } from "./tokenization-view";
import { escapeXml, WORD_PALETTE } from "./tokens-view";
import { BertTokenizer } from "../tokenization/bert-tokenizer";
import { Vocab } from "../tokenization/vocab";
import { assertSnapshot } from "./snapshot.test.helper";

const VOCAB = new Vocab(["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", "hello", ",", "!", "世", "un", "##aff", "##able", "Un"]);
const TEXT = "Héllo, 世界!\tUnaffable";

/** A string as a regular expression source that matches it literally. */
function lit(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

/** The drawing of one stage (stages without nested groups only). */
function stageSvg(svg: string, key: string): string {
  const m = svg.match(new RegExp(`<g class="stage" data-stage="${key}">([\\s\\S]*?)</g>`));
  assert.ok(m, `no stage ${key}`);
  return m[1];
}

test("tokenizationView: every stage labelled, changes highlighted, pieces as tokensView draws them", () => {
  const steps = new BertTokenizer(VOCAB, { doLowerCase: true }).tokenizeWithSteps(TEXT);
  assert.deepEqual(steps.tokens, ["hello", ",", "世", "[UNK]", "!", "un", "##aff", "##able"]);
  const v = tokenizationView(steps, { title: "stages" });
  assertWellFormedSvg(v.svg);
  for (const s of TOKENIZATION_STAGES) {
    assert.match(v.svg, new RegExp(`class="stage-label" data-stage="${s.key}"[^>]*>${lit(escapeXml(s.label))}<`), s.label);
  }
  assert.deepEqual(v.unchanged, []);
  assert.doesNotMatch(v.svg, /\(unchanged\)/);
  // the tab is drawn as a faint glyph in the input row, and became a highlighted space when cleaned
  assert.match(stageSvg(v.svg, "input"), /class="invisible"[^>]*><title>U\+0009<\/title>⇥</);
  assert.equal((stageSvg(v.svg, "cleaned").match(/<rect class="mark mark-space"/g) ?? []).length, 1);
  // CJK: both characters highlighted, and the two spaces each got
  const cjk = stageSvg(v.svg, "cjk");
  assert.deepEqual([...cjk.matchAll(/class="char cjk"[^>]*>([^<]*)</g)].map((m) => m[1]), ["世", "界"]);
  assert.equal((cjk.match(/<rect class="mark"/g) ?? []).length, 2);
  assert.equal((cjk.match(/<rect class="mark mark-space"/g) ?? []).length, 4);
  // lower-casing: the changed boxes are highlighted and show before → after; the others are not
  const norm = stageSvg(v.svg, "normalized");
  assert.equal((norm.match(/<rect class="token-box changed"/g) ?? []).length, 2);
  assert.equal((norm.match(/<rect class="token-box"/g) ?? []).length, 3);
  assert.match(norm, /<tspan fill="#888888">Héllo,<\/tspan><tspan[^>]*> → <\/tspan>hello,</);
  assert.equal((stageSvg(v.svg, "whitespace").match(/changed/g) ?? []).length, 0);
  // pieces: one box each, coloured by word, [UNK] in its special style, ## faint, ids beneath
  const pieces = [...v.svg.matchAll(/<rect class="(piece[^"]*)"[^>]*?fill="([^"]*)"([^>]*)\/>/g)];
  assert.equal(pieces.length, steps.tokens.length);
  assert.match(pieces[3][1], /special unk/);
  assert.match(pieces[3][3], /stroke-dasharray/);
  assert.equal(pieces[0][2], WORD_PALETTE[0]);
  assert.equal(pieces[6][2], pieces[5][2]);
  assert.notEqual(pieces[5][2], pieces[4][2]);
  assert.match(pieces[6][1], /continuation/);
  assert.match(v.svg, /<tspan fill="#666666" fill-opacity="0.75">##<\/tspan>aff</);
  assert.deepEqual([...v.svg.matchAll(/class="id"[^>]*>(\d+)</g)].map((m) => Number(m[1])), steps.ids);
  // the basic token of a word has the colour of its pieces
  assert.match(stageSvg(v.svg, "basic"), new RegExp(`fill="${pieces[5][2]}"[^>]*/>\\s*<text[^>]*>unaffable<`));
  // display bundle and text
  assert.deepEqual(Object.keys(bundleOf(v)).sort(), ["image/svg+xml", "text/plain"]);
  assert.equal(v[DISPLAY]()["image/svg+xml"], v.svg);
  const lines = v.text.split("\n");
  assert.equal(lines[0], "stages");
  assert.equal(lines[1], `1 input              "Héllo, 世界!⇥Unaffable"`);
  assert.equal(lines[5], "5 lower, no accents  [Héllo, → hello,] [世] [界] [!] [Unaffable → unaffable]");
  assert.equal(lines[7], "7 WordPiece          hello , 世 [UNK] ! un ##aff ##able");
  assert.equal(lines[8], "8 ids                    5 6  8     1 7  9    10     11");
});

test("tokenizationView: a cased tokenizer's normalize stage is marked (unchanged)", () => {
  const v = tokenizationView(new BertTokenizer(VOCAB, { doLowerCase: false }).tokenizeWithSteps(TEXT));
  assertWellFormedSvg(v.svg);
  assert.deepEqual(v.unchanged, ["normalized"]);
  assert.match(stageSvg(v.svg, "normalized"), /data-stage="normalized"[^>]*>5 lower-cased \+ accents stripped<\/text>\s*<text class="unchanged"[^>]*>\(unchanged\)</);
  assert.equal((v.svg.match(/>\(unchanged\)</g) ?? []).length, 1);
  assert.doesNotMatch(v.svg, /token-box changed/);
  assert.match(v.text, /^5 lower, no accents \(unchanged\) +\[Héllo,\] \[世\]/m);
  // one word, nothing to clean: those stages are unchanged too, every row still drawn
  const w = tokenizationView(new BertTokenizer(VOCAB, { doLowerCase: true }).tokenizeWithSteps("hello"));
  assert.deepEqual(w.unchanged, ["cleaned", "cjk", "whitespace", "normalized", "basic", "pieces"]);
  for (const s of TOKENIZATION_STAGES) assert.match(w.svg, new RegExp(`data-stage="${s.key}"`));
});

test("tokenizationView: rows wrap to maxWidth; invisible characters get names", () => {
  const tok = new BertTokenizer(VOCAB, { doLowerCase: true });
  const text = Array.from({ length: 12 }, () => "Unaffable hello,").join(" ") + "\u200b\r\n世界";
  const v = tokenizationView(tok.tokenizeWithSteps(text), { maxWidth: 320 });
  assertWellFormedSvg(v.svg);
  assert.match(v.svg, /^<svg [^>]*width="320"/);
  const rects = [...v.svg.matchAll(/<rect class="(?:piece|token-box)[^"]*" x="([\d.]+)" y="([\d.]+)" width="([\d.]+)"/g)].map((m) => m.slice(1).map(Number));
  assert.ok(rects.length > 60);
  for (const [x, , w] of rects) assert.ok(x >= 10 && x + w <= 310.001, `box at ${x} + ${w} passes the right margin`);
  const texts = [...v.svg.matchAll(/<text class="char[^"]*" x="([\d.]+)"/g)].map((m) => Number(m[1]));
  assert.ok(Math.max(...texts) < 310);
  assert.ok(new Set(rects.map((r) => r[1])).size > 10, "boxes on many rows");
  assert.match(stageSvg(v.svg, "input"), />ZWSP</);
  assert.match(stageSvg(v.svg, "input"), />CR</);
  assert.equal(visibleChar("\u2060").glyph, "2060");
  assert.equal(visibleChar("é").kind, "char");
});

test("SVG snapshot of the stages of one text (UPDATE_SNAPSHOTS=1 rewrites it)", () => {
  const v = tokenizationView(new BertTokenizer(VOCAB, { doLowerCase: true }).tokenizeWithSteps(TEXT), { title: "Héllo, 世界!" });
  assertWellFormedSvg(v.svg);
  assertSnapshot("tokenization-view.svg", v.svg);
});
