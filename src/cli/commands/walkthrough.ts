/** `bert-lab walkthrough` (what `npm start` runs): every stage of BERT's tokenizer on one text. */
import { BertTokenizer } from "../../tokenization/bert-tokenizer";
import { trainVocab } from "../../tokenization/vocab-trainer";
import { Command, CliIO } from "../command";
import { embeddedCorpusPath } from "../embedded";
import { resolveVocabPath } from "./tokenize";

const DEFAULT_TEXT = "The naïve CAFÉ owner's unaffable dog barked at 東京\u00a0tourists…\u200b twice!";
const DEFAULT_PAIR = "It was not amused.";

function show(s: string): string {
  // make invisible characters visible
  return JSON.stringify(s).replace(/\\u00a0|\u00a0/g, "\\u00a0");
}

/** Terminal columns a string takes: East Asian wide characters and emoji take two. */
function displayWidth(s: string): number {
  let w = 0;
  for (const ch of s) {
    const cp = ch.codePointAt(0)!;
    const wide =
      (cp >= 0x1100 && cp <= 0x115f) || (cp >= 0x2e80 && cp <= 0xa4cf) || (cp >= 0xac00 && cp <= 0xd7a3) ||
      (cp >= 0xf900 && cp <= 0xfaff) || (cp >= 0xfe30 && cp <= 0xfe4f) || (cp >= 0xff00 && cp <= 0xff60) ||
      (cp >= 0xffe0 && cp <= 0xffe6) || (cp >= 0x1f300 && cp <= 0x1faff) || (cp >= 0x20000 && cp <= 0x3fffd);
    w += wide ? 2 : 1;
  }
  return w;
}

function pad(s: string, width: number): string {
  return s + " ".repeat(Math.max(0, width - displayWidth(s)));
}

function list(tokens: readonly string[]): string {
  return tokens.map((t) => `[${t}]`).join(" ");
}

export const walkthroughCommand: Command = {
  spec: {
    name: "walkthrough",
    summary: "Show what each stage of BERT's tokenizer does to a text (runs offline on the embedded corpus).",
    usage: "bert-lab walkthrough [--text TEXT] [--pair TEXT] [--vocab FILE] [--cased]",
    options: {
      text: { type: "string", value: "TEXT", description: "the text to tokenize (default: a built-in sentence)" },
      pair: { type: "string", value: "TEXT", description: "a second sentence for the [CLS] A [SEP] B [SEP] input" },
      vocab: { type: "string", value: "FILE", description: "a BERT vocab.txt (default: train one on the embedded corpus)" },
      cased: { type: "boolean", description: "keep case and accents" },
      size: { type: "number", value: "N", description: "size of the vocab trained on the embedded corpus", default: 400 },
    },
  },

  async run(args, io: CliIO) {
    const v = args.values;
    const text = (v.text as string | undefined) ?? DEFAULT_TEXT;
    const pair = (v.pair as string | undefined) ?? (v.text === undefined ? DEFAULT_PAIR : undefined);
    const lower = !v.cased;
    const out: string[] = [];
    const say = (s = "") => out.push(s);

    let tok: BertTokenizer;
    say("BERT Lab — the tokenizer, stage by stage (google-research/bert tokenization.py)");
    say();
    if (v.vocab) {
      const p = resolveVocabPath(v.vocab as string);
      tok = BertTokenizer.fromFile(p, { doLowerCase: lower });
      say(`vocab      ${p} (${tok.vocab.size} tokens)`);
    } else {
      const t0 = performance.now();
      const trained = trainVocab({ files: [embeddedCorpusPath()] }, { vocabSize: v.size as number, doLowerCase: lower });
      const ms = (performance.now() - t0).toFixed(0);
      tok = new BertTokenizer(trained.vocab, { doLowerCase: lower });
      say(`vocab      ${trained.vocab.size} WordPiece tokens trained here in ${ms} ms on the embedded corpus`);
      say(`           (data/embedded/corpus.txt); pass --vocab vocab.txt to use BERT's own`);
    }
    say(`lower-case ${lower ? "yes (uncased model: lower-case, strip accents)" : "no (cased model)"}`);
    say();
    const s = tok.tokenizeWithSteps(text);
    say(`input                 ${show(s.text)}`);
    say(`1 clean               ${show(s.cleaned)}`);
    say(`                      control and format characters dropped, every whitespace became " "`);
    say(`2 space CJK           ${show(s.cjkSpaced)}`);
    say(`                      each CJK ideograph stands alone`);
    say(`3 split on spaces     ${list(s.whitespaceTokens)}`);
    if (lower) {
      say(`4 lower, no accents   ${list(s.normalized)}`);
      say(`                      lower(), NFD, drop combining marks: É → e`);
    } else {
      say(`4 (cased: unchanged)  ${list(s.normalized)}`);
    }
    say(`5 split punctuation   ${list(s.basicTokens)}`);
    say(`6 WordPiece           greedy longest match; "##" marks a piece that continues a word`);
    for (const w of s.wordPieces) {
      if (w.pieces.length !== 1 || w.pieces[0] !== w.word) say(`                      ${w.word} → ${w.pieces.join(" ")}`);
    }
    say(`                      ${list(s.tokens)}`);
    say(`7 ids                 ${s.ids.join(" ")}`);
    say();
    const enc = tok.encode(text, pair ?? null);
    say(`model input           [CLS] sentence A [SEP]${pair !== undefined ? " sentence B [SEP]" : ""}`);
    const width = Math.max(...enc.tokens.map(displayWidth), 6) + 1;
    const row = (label: string, cells: (string | number)[]) =>
      say(`  ${label.padEnd(9)} ${cells.map((c) => pad(String(c), width)).join("")}`.trimEnd());
    for (let i = 0; i < enc.tokens.length; i += 10) {
      const sl = (a: (string | number)[]) => a.slice(i, i + 10);
      row("position", sl(enc.tokens.map((_, k) => k)));
      row("token", sl(enc.tokens));
      row("segment", sl(enc.tokenTypeIds));
      row("span", sl(enc.offsets.map((o, k) => (o ? `${enc.sequenceIds[k] === 1 ? "B" : "A"}${o.start}-${o.end}` : "-"))));
      say();
    }
    say(`decode                ${show(tok.decode(enc.inputIds, { skipSpecialTokens: true }))}`);
    say();
    say("Next: bert-lab tokenize --help (JSON Lines), bert-lab vocab train --help");
    io.stdout.write(out.join("\n") + "\n");
    return 0;
  },
};
