// Shared by the attention picture tests: seeded attention inputs, a PNG reader for the
// embedded data URIs, and the SVG snapshot check (UPDATE_SNAPSHOTS=1 rewrites).
import assert from "node:assert/strict";
import * as zlib from "node:zlib";
import { Rng } from "../util/rng";
import type { AttentionInput } from "./attention-input";

/** Softmax rows of seeded scores, with a "previous token" head and a "[CLS]" head mixed in. */
export function seededAttention(layers: number, heads: number, T: number, seed: number): number[][][][] {
  const rng = new Rng(seed);
  return Array.from({ length: layers }, () =>
    Array.from({ length: heads }, (_, h) =>
      Array.from({ length: T }, (_, i) => {
        const e = Array.from({ length: T }, (_, j) => Math.exp(3 * rng.random() + (h % 3 === 0 && j === i - 1 ? 4 : 0) + (h % 3 === 1 && j === 0 ? 3 : 0)));
        const s = e.reduce((a, b) => a + b, 0);
        return e.map((x) => x / s);
      }),
    ),
  );
}

/** A sentence pair of T tokens: [CLS] A… [SEP] B… [SEP], with long and XML-special pieces. */
export function pairTokens(T: number): { tokens: string[]; segments: number[] } {
  const words = ["the", "cat", "sat", "on", "##ly", "unbelievablyextraordinarily", "mat", "<&>", "it", "pur", "##red"];
  const tokens = Array.from({ length: T }, (_, i) => (i === 0 ? "[CLS]" : words[i % words.length]));
  const b = Math.floor(T / 2);
  tokens[b - 1] = "[SEP]";
  tokens[T - 1] = "[SEP]";
  return { tokens, segments: tokens.map((_, i) => (i >= b ? 1 : 0)) };
}

export function seededInput(layers: number, heads: number, T: number, seed: number, withSegments = true): AttentionInput {
  const { tokens, segments } = pairTokens(T);
  return withSegments ? { tokens, segments, attention: seededAttention(layers, heads, T, seed) } : { tokens, attention: seededAttention(layers, heads, T, seed) };
}

/** Every PNG data URI in the text, decoded (filter 0 rows, as our encoder writes them). */
export function pngsIn(text: string): { width: number; height: number; rgb: Buffer }[] {
  return [...text.matchAll(/data:image\/png;base64,([A-Za-z0-9+/=]+)/g)].map((m) => {
    const png = Buffer.from(m[1], "base64");
    const width = png.readUInt32BE(16);
    const height = png.readUInt32BE(20);
    const idat: Buffer[] = [];
    for (let p = 8; p < png.length; ) {
      const len = png.readUInt32BE(p);
      if (png.toString("latin1", p + 4, p + 8) === "IDAT") idat.push(png.subarray(p + 8, p + 8 + len));
      p += 12 + len;
    }
    const raw = zlib.inflateSync(Buffer.concat(idat));
    const rgb = Buffer.alloc(width * height * 3);
    for (let y = 0; y < height; y++) {
      assert.equal(raw[y * (width * 3 + 1)], 0, "filter byte 0");
      raw.copy(rgb, y * width * 3, y * (width * 3 + 1) + 1, (y + 1) * (width * 3 + 1));
    }
    return { width, height, rgb };
  });
}
