/**
 * The header of a safetensors file, checked before anything it claims is allocated.
 *
 * The format (huggingface safetensors): 8 bytes of little-endian unsigned header length N,
 * then N bytes of UTF-8 JSON — an object mapping each tensor name to
 * `{"dtype", "shape", "data_offsets": [begin, end]}` (offsets relative to the data area,
 * which starts at byte 8 + N), plus an optional `"__metadata__"` object of strings. The JSON
 * may be padded with trailing spaces; the data area is the rest of the file.
 *
 * Everything here works from the header bytes and the length of the data area alone, so a
 * tool can describe a file without reading its tensors, and a damaged file is rejected
 * before a single byte of tensor memory exists.
 */
import { BertLabError } from "../../util/errors";

/** Headers longer than this are refused (the limit the reference implementation uses). */
export const MAX_HEADER_BYTES = 100_000_000;

/** Element size in bits (sub-byte float formats exist) and whether we can turn it into float32. */
interface DtypeInfo {
  bits: number;
  decodable: boolean;
}

/** Every dtype the safetensors format defines; a Map, so names like "constructor" are unknown. */
export const DTYPES: ReadonlyMap<string, DtypeInfo> = new Map<string, DtypeInfo>([
  ["F32", { bits: 32, decodable: true }],
  ["F16", { bits: 16, decodable: true }],
  ["BF16", { bits: 16, decodable: true }],
  ["F64", { bits: 64, decodable: true }],
  ["I64", { bits: 64, decodable: true }],
  ["U64", { bits: 64, decodable: true }],
  ["I32", { bits: 32, decodable: true }],
  ["U32", { bits: 32, decodable: true }],
  ["I16", { bits: 16, decodable: true }],
  ["U16", { bits: 16, decodable: true }],
  ["I8", { bits: 8, decodable: true }],
  ["U8", { bits: 8, decodable: true }],
  ["BOOL", { bits: 8, decodable: true }],
  ["F8_E4M3", { bits: 8, decodable: false }],
  ["F8_E5M2", { bits: 8, decodable: false }],
  ["F8_E8M0", { bits: 8, decodable: false }],
  ["F6_E2M3", { bits: 6, decodable: false }],
  ["F6_E3M2", { bits: 6, decodable: false }],
  ["F4", { bits: 4, decodable: false }],
  ["C64", { bits: 64, decodable: false }],
]);

/** One tensor as the header describes it; offsets are relative to the data area. */
export interface HeaderEntry {
  name: string;
  dtype: string;
  shape: number[];
  /** number of elements: the product of the shape */
  count: number;
  begin: number;
  end: number;
}

export interface ParsedHeader {
  /** sorted by name (UTF-8 byte order, as the reference writer sorts) */
  entries: HeaderEntry[];
  metadata: Record<string, string>;
}

/** A name for messages: quoted, and cut short if a damaged file made it enormous. */
export function quoteName(name: string): string {
  const q = JSON.stringify(name);
  return q.length > 80 ? `${q.slice(0, 77)}..."` : q;
}

/** The BAD_SAFETENSORS error: names the file and the problem, and says what to do. */
export function badFile(source: string, problem: string): BertLabError {
  return new BertLabError(
    "BAD_SAFETENSORS",
    `invalid safetensors file ${source}: ${problem} — the file is damaged, truncated or not a safetensors file; re-download or re-export it`,
  );
}

/** Orders names by their UTF-8 bytes (= by code point), as the reference writer does. */
export function compareNames(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a, "utf8"), Buffer.from(b, "utf8"));
}

/**
 * Reads the 8-byte header length from the first 8 bytes of a file of `fileLength` bytes and
 * checks it: not 0, at most MAX_HEADER_BYTES, and inside the file.
 */
export function readHeaderLength(prefix: Uint8Array, fileLength: number, source: string): number {
  if (fileLength < 8 || prefix.length < 8) {
    throw badFile(source, `the file is ${fileLength} bytes long, shorter than the 8-byte header length that starts every safetensors file`);
  }
  const n = new DataView(prefix.buffer, prefix.byteOffset, 8).getBigUint64(0, true);
  if (n === 0n) throw badFile(source, "the header length is 0, so there is no JSON header");
  if (n > BigInt(MAX_HEADER_BYTES)) {
    throw badFile(source, `the header length ${n} is over the ${MAX_HEADER_BYTES}-byte limit`);
  }
  const len = Number(n); // exact: at most 1e8
  if (8 + len > fileLength) {
    throw badFile(source, `the header length ${len} points past the end of the file (${fileLength} bytes, so at most ${fileLength - 8})`);
  }
  return len;
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

function isCount(v: unknown): v is number {
  return typeof v === "number" && Number.isSafeInteger(v) && v >= 0;
}

/** product(shape) as a safe integer, or null when it would not be one. */
function elementCount(shape: number[]): number | null {
  if (shape.includes(0)) return 0;
  let p = 1;
  for (const d of shape) {
    if (p > Number.MAX_SAFE_INTEGER / d) return null;
    p *= d;
  }
  return p;
}

function parseEntry(name: string, value: unknown, dataLength: number, source: string): HeaderEntry {
  const what = `tensor ${quoteName(name)}`;
  if (!isPlainObject(value)) throw badFile(source, `${what}: its header entry is not a JSON object`);
  const { dtype, shape, data_offsets: offsets } = value;
  if (typeof dtype !== "string" || !DTYPES.has(dtype)) {
    const shown = typeof dtype === "string" ? quoteName(dtype) : describeValue(dtype);
    throw badFile(source, `${what}: unknown dtype ${shown} (known: ${[...DTYPES.keys()].join(", ")})`);
  }
  if (!Array.isArray(shape) || !shape.every(isCount)) {
    throw badFile(source, `${what}: shape must be an array of non-negative safe integers, got ${describeValue(shape)}`);
  }
  if (!Array.isArray(offsets) || offsets.length !== 2 || !offsets.every(isCount)) {
    throw badFile(source, `${what}: data_offsets must be two non-negative safe integers [begin, end], got ${describeValue(offsets)}`);
  }
  const [begin, end] = offsets as number[];
  if (begin > end) throw badFile(source, `${what}: data_offsets [${begin}, ${end}] begin after they end`);
  if (end > dataLength) {
    throw badFile(source, `${what}: data_offsets end ${end} lies beyond the data area (${dataLength} bytes)`);
  }
  const dims = (shape as number[]).map((d) => d + 0); // -0 → 0
  const count = elementCount(dims);
  const bits = DTYPES.get(dtype)!.bits;
  if (count === null || count > Number.MAX_SAFE_INTEGER / bits) {
    throw badFile(source, `${what}: shape [${dims.join(", ")}] has more elements than can be counted exactly`);
  }
  const want = (count * bits) / 8;
  if (!Number.isInteger(want)) {
    throw badFile(source, `${what}: ${count} elements of ${dtype} do not fill a whole number of bytes`);
  }
  if (end - begin !== want) {
    throw badFile(
      source,
      `${what}: data_offsets [${begin}, ${end}] hold ${end - begin} bytes, but shape [${dims.join(", ")}] of ${dtype} needs ${want}`,
    );
  }
  return { name, dtype, shape: dims, count, begin, end };
}

/** A short, shallow rendering of a JSON value for messages (never recursive: a damaged
 * header can nest arrays a million deep). */
function describeValue(v: unknown): string {
  let s: string;
  if (Array.isArray(v)) {
    const head = v.slice(0, 4).map((x) => (typeof x === "object" && x !== null ? (Array.isArray(x) ? "[…]" : "{…}") : JSON.stringify(x)));
    s = `[${head.join(", ")}${v.length > 4 ? ", …" : ""}]`;
  } else if (typeof v === "object" && v !== null) {
    s = "an object";
  } else {
    s = v === undefined ? "nothing" : JSON.stringify(v);
  }
  return s.length > 60 ? `${s.slice(0, 57)}...` : s;
}

function parseMetadata(value: unknown, source: string): Record<string, string> {
  if (!isPlainObject(value)) throw badFile(source, `"__metadata__" must be an object of strings, got ${describeValue(value)}`);
  const pairs: [string, string][] = [];
  for (const [k, v] of Object.entries(value)) {
    if (typeof v !== "string") {
      throw badFile(source, `"__metadata__" entry ${quoteName(k)} must be a string, got ${describeValue(v)}`);
    }
    pairs.push([k, v]);
  }
  return Object.fromEntries(pairs); // own data properties, even for a key "__proto__"
}

/**
 * Checks the JSON header (its bytes, padding included) against a data area of `dataLength`
 * bytes: every entry well formed, inside the data area, of the size its shape and dtype
 * need, and no two tensors sharing a byte (gaps between tensors are allowed).
 */
export function parseHeader(headerBytes: Uint8Array, dataLength: number, source: string): ParsedHeader {
  let text: string;
  try {
    text = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true }).decode(headerBytes);
  } catch {
    throw badFile(source, "the header is not valid UTF-8");
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    throw badFile(source, `the header is not valid JSON (${(e as Error).message})`);
  }
  if (!isPlainObject(json)) throw badFile(source, `the header must be a JSON object, got ${describeValue(json)}`);

  let metadata: Record<string, string> = {};
  const entries: HeaderEntry[] = [];
  for (const [name, value] of Object.entries(json)) {
    if (name === "__metadata__") metadata = parseMetadata(value, source);
    else entries.push(parseEntry(name, value, dataLength, source));
  }

  const filled = entries.filter((e) => e.end > e.begin).sort((a, b) => a.begin - b.begin);
  for (let i = 1; i < filled.length; i++) {
    const prev = filled[i - 1];
    const cur = filled[i];
    if (cur.begin < prev.end) {
      throw badFile(
        source,
        `tensors ${quoteName(prev.name)} [${prev.begin}, ${prev.end}] and ${quoteName(cur.name)} [${cur.begin}, ${cur.end}] overlap`,
      );
    }
  }
  entries.sort((a, b) => compareNames(a.name, b.name));
  return { entries, metadata };
}
