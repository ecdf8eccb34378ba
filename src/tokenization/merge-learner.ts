/**
 * The merge learning of the WordPiece vocabulary trainer (see vocab-trainer.ts): from a table
 * word → frequency, the alphabet (step 2) and the merges (step 3).
 *
 * Why plain frequency (BPE-style) and not the WordPiece likelihood score
 * freq(ab) / (freq(a) · freq(b)): the score prefers pairs of rare symbols that always occur
 * together, so a 30k vocabulary first spends itself gluing rare characters and names together
 * before common words like "the" become whole tokens; and it changes for every pair that
 * shares a symbol with the one just merged, anywhere in the corpus, so it cannot be kept up
 * to date incrementally. A pair's frequency changes only in the words that contain the merged
 * pair, which is what makes the incremental algorithm below exact. (Hugging Face's
 * WordPieceTrainer also learns its merges by frequency.)
 *
 * Among pairs of equal frequency the one whose merged token is smallest in JavaScript string
 * order wins (then the pair of older symbols), so the same words always give the same
 * vocabulary, byte for byte, whatever order the texts came in.
 *
 * The incremental algorithm: pair counts live in a Map keyed by `first · 2^26 + second`
 * (symbol ids stay below 2^26, so keys stay below 2^52 and are exact doubles); every pair
 * keeps the list of words it occurs in; a max-heap holds (count, merged token, pair) entries
 * and is invalidated lazily — an entry whose count is out of date is re-pushed with the
 * current count when it reaches the top. A merge rewrites only the words in its pair's list
 * and updates the counts of the pairs around each occurrence.
 *
 * Output order: the special tokens, the word-initial characters by code point, the `##`
 * characters by code point, then the merged tokens in the order they were learned. A token
 * that is already there (say "the" was passed as a special token) is not added again: the
 * vocabulary has no duplicates.
 */
import { performance } from "node:perf_hooks";
import { BertLabError } from "../util/errors";
import { PairHeap } from "./pair-heap";

/** Words longer than this (in code points) are always [UNK] in BERT, so they are not learned. */
const MAX_WORD_CHARS = 200;
/** Pair key = first * PAIR_SHIFT + second; symbol ids are kept below PAIR_SHIFT. */
const PAIR_SHIFT = 2 ** 26;
/** Added to a code point that is seen inside a word, to tell ##c apart from c. */
const CONT = 0x110000;
export const PROGRESS_MS = 200;

/** One adjacent pair of symbols: how often it occurs, and in which words (may hold stale entries). */
interface PairInfo {
  count: number;
  words: number[];
  /** the merge step in which its count last grew */
  touched: number;
}

export interface MergeLearnerOptions {
  /** Total size of the vocabulary, special tokens included. */
  vocabSize: number;
  /** Pairs seen fewer times than this are never merged. */
  minFrequency: number;
  /** Placed first, in this order. */
  specials: readonly string[];
  /** Called now and then (at most every 200 ms, and once at the end). */
  onProgress?: (p: { phase: "merge"; done: number; total: number }) => void;
}

export interface LearnedMerges {
  /** The tokens in id order: the special tokens, the alphabet, then the merged tokens. */
  tokens: string[];
  /** alphabet tokens: word-initial characters plus `##` characters */
  alphabet: number;
  /** tokens learned by merging */
  merges: number;
}

/**
 * Learns the vocabulary from a table word → frequency: the alphabet, then merges until the
 * vocabulary has `vocabSize` tokens or no pair is seen `minFrequency` times.
 */
export function learnMerges(counts: ReadonlyMap<string, number>, opts: MergeLearnerOptions): LearnedMerges {
  const minFrequency = opts.minFrequency;
  const vocabSize = opts.vocabSize;
  const specials = opts.specials;
  const onProgress = opts.onProgress;

  // --- words as code points, marked initial (cp) or continuation (CONT + cp)
  let syms = new Int32Array(1 << 16);
  const starts: number[] = [];
  const wordCounts: number[] = [];
  const seen = new Uint8Array(2 * CONT);
  let total = 0;
  for (const [word, count] of counts) {
    const at = total;
    let k = 0;
    if (syms.length < total + word.length) {
      const bigger = new Int32Array(Math.max(syms.length * 2, total + word.length));
      bigger.set(syms);
      syms = bigger;
    }
    for (let u = 0; u < word.length; u++) {
      let cp = word.charCodeAt(u);
      if (cp >= 0xd800 && cp <= 0xdbff && u + 1 < word.length) {
        const d = word.charCodeAt(u + 1);
        if (d >= 0xdc00 && d <= 0xdfff) {
          cp = ((cp - 0xd800) << 10) + (d - 0xdc00) + 0x10000;
          u++;
        }
      }
      syms[at + k] = k === 0 ? cp : CONT + cp;
      k++;
    }
    if (k > MAX_WORD_CHARS) continue; // always [UNK]: nothing to learn from it
    for (let i = at; i < at + k; i++) seen[syms[i]] = 1;
    starts.push(at);
    wordCounts.push(count);
    total += k;
  }
  const numWords = starts.length;
  const wStart = Int32Array.from(starts);
  const wLen = new Int32Array(numWords);
  for (let w = 0; w < numWords; w++) wLen[w] = (w + 1 < numWords ? wStart[w + 1] : total) - wStart[w];
  const wCount = Float64Array.from(wordCounts);

  // --- the alphabet: word-initial characters by code point, then ## characters by code point
  const symStr: string[] = []; // symbol id → token
  const symBody: string[] = []; // symbol id → token without the ## prefix
  const symId = new Map<string, number>();
  const idOfRaw = new Int32Array(2 * CONT);
  for (let raw = 0; raw < 2 * CONT; raw++) {
    if (!seen[raw]) continue;
    const body = String.fromCodePoint(raw >= CONT ? raw - CONT : raw);
    const tok = raw >= CONT ? "##" + body : body;
    idOfRaw[raw] = symStr.length;
    symId.set(tok, symStr.length);
    symStr.push(tok);
    symBody.push(body);
  }
  for (let i = 0; i < total; i++) syms[i] = idOfRaw[syms[i]];

  const tokens = specials.slice();
  const inVocab = new Set<string>(tokens);
  for (const t of symStr) {
    if (!inVocab.has(t)) {
      inVocab.add(t);
      tokens.push(t);
    }
  }
  const alphabet = tokens.length - specials.length;
  if (tokens.length > vocabSize) {
    const initial = symStr.filter((t) => !t.startsWith("##")).length;
    throw new BertLabError(
      "VOCAB_SIZE_TOO_SMALL",
      `vocabSize ${vocabSize} is too small for this corpus: its ${specials.length} special tokens and ` +
        `${alphabet}-token alphabet (${initial} word-initial characters, ${symStr.length - initial} ##characters) ` +
        `need ${tokens.length} — raise vocabSize to at least ${tokens.length}, or train on text with fewer distinct characters`,
    );
  }

  // --- pair counts, and the words each pair occurs in
  const pairs = new Map<number, PairInfo>();
  /** Counts `c` more occurrences of a pair in word `w`. */
  const addPair = (key: number, c: number, w: number): PairInfo => {
    let info = pairs.get(key);
    if (info === undefined) {
      info = { count: 0, words: [], touched: -1 };
      pairs.set(key, info);
    }
    info.count += c;
    const ws = info.words;
    if (ws.length === 0 || ws[ws.length - 1] !== w) ws.push(w);
    return info;
  };
  for (let w = 0; w < numWords; w++) {
    const s = wStart[w];
    const e = s + wLen[w] - 1;
    for (let i = s; i < e; i++) addPair(syms[i] * PAIR_SHIFT + syms[i + 1], wCount[w], w);
  }
  const mergedToken = (key: number): string => {
    const second = key % PAIR_SHIFT;
    return symStr[(key - second) / PAIR_SHIFT] + symBody[second];
  };
  const heap = new PairHeap();
  for (const [key, info] of pairs) {
    if (info.count >= minFrequency) heap.add(info.count, key, mergedToken(key));
  }
  heap.heapify();

  // --- merging
  let step = 0;
  let merges = 0;
  const touched: number[] = [];
  const visited = new Int32Array(numWords).fill(-1);
  const top = { count: 0, key: 0, str: "" };
  let lastReport = performance.now();
  const report = (final: boolean): void => {
    if (!onProgress) return;
    const now = performance.now();
    if (!final && now - lastReport < PROGRESS_MS) return;
    lastReport = now;
    onProgress({ phase: "merge", done: tokens.length, total: vocabSize });
  };
  const dec = (key: number, c: number): void => {
    const info = pairs.get(key)!;
    info.count -= c;
    if (info.count <= 0) pairs.delete(key);
  };
  const inc = (key: number, c: number, w: number): void => {
    const info = addPair(key, c, w);
    if (info.touched !== step) {
      info.touched = step;
      touched.push(key);
    }
  };

  while (tokens.length < vocabSize && heap.pop(top)) {
    const info = pairs.get(top.key);
    const current = info === undefined ? 0 : info.count;
    if (current !== top.count) {
      // out of date: a lower count goes back in; a higher one has a fresher entry already
      if (current < top.count && current >= minFrequency) heap.push(current, top.key, top.str);
      continue;
    }
    step++;
    const a = Math.floor(top.key / PAIR_SHIFT);
    const b = top.key - a * PAIR_SHIFT;
    let z = symId.get(top.str);
    if (z === undefined) {
      z = symStr.length;
      symId.set(top.str, z);
      symStr.push(top.str);
      symBody.push(top.str.startsWith("##") ? top.str.slice(2) : top.str);
    }
    if (!inVocab.has(top.str)) {
      inVocab.add(top.str);
      tokens.push(top.str);
      merges++;
    }
    touched.length = 0;
    for (const w of info!.words) {
      if (visited[w] === step) continue;
      visited[w] = step;
      const s = wStart[w];
      const n = wLen[w];
      const c = wCount[w];
      let j = 0; // write position: the merged word so far is syms[s .. s+j)
      let afterMerge = false; // the previous old symbol was the second half of a merge
      let i = 0;
      while (i < n) {
        const x = syms[s + i];
        if (x === a && i + 1 < n && syms[s + i + 1] === b) {
          // old pairs around this occurrence go (the pair itself is dropped as a whole below)
          if (i > 0 && !afterMerge) dec(syms[s + i - 1] * PAIR_SHIFT + a, c);
          const nextMerges = i + 3 < n && syms[s + i + 2] === a && syms[s + i + 3] === b;
          if (i + 2 < n) {
            const right = syms[s + i + 2];
            dec(b * PAIR_SHIFT + right, c);
            // the new right pair: unless the next occurrence merges too (then z,z is added there)
            if (!nextMerges) inc(z * PAIR_SHIFT + right, c, w);
          }
          if (j > 0) inc(syms[s + j - 1] * PAIR_SHIFT + z, c, w);
          syms[s + j] = z;
          j++;
          i += 2;
          afterMerge = true;
        } else {
          syms[s + j] = x;
          j++;
          i++;
          afterMerge = false;
        }
      }
      wLen[w] = j;
    }
    pairs.delete(top.key);
    for (const key of touched) {
      const t = pairs.get(key);
      if (t !== undefined && t.count >= minFrequency) heap.push(t.count, key, mergedToken(key));
    }
    report(false);
  }
  report(true);
  return { tokens, alphabet, merges };
}
