/**
 * Reading and writing huggingface safetensors files with plain typed arrays (no tfjs).
 *
 * Readers always return float32: F32 as is, F16/BF16 exactly, F64 rounded, integer and BOOL
 * tensors when every value is a float32 exactly (see safetensors-decode.ts). The writer
 * writes F32 only, names sorted, the header padded with spaces to a multiple of 8 bytes, the
 * tensors back to back. A damaged file is a BertLabError "BAD_SAFETENSORS" naming the file
 * and the problem, raised before anything the header claims is allocated
 * (safetensors-header.ts lists the checks).
 *
 * @example
 *   writeSafetensors("out/tiny.safetensors", { "w": { shape: [2], data: new Float32Array([1, 2]) } });
 *   const { tensors } = readSafetensors("out/tiny.safetensors");
 *   console.log(tensors.get("w")!.shape); // prints: [ 2 ]
 */
import * as fs from "node:fs";
import { BertLabError } from "../../util/errors";
import { writeFileAtomic } from "../../util/atomic-write";
import { HeaderEntry, ParsedHeader, badFile, compareNames, parseHeader, quoteName, readHeaderLength } from "./safetensors-header";
import { LITTLE_ENDIAN_HOST, checkDecodable, decodeTensor } from "./safetensors-decode";

export { MAX_HEADER_BYTES } from "./safetensors-header";

/** A tensor as the readers return it: always float32. */
export interface TensorData {
  dtype: "F32";
  shape: number[];
  data: Float32Array;
}

export interface SafetensorsFile {
  /** in name order */
  tensors: Map<string, TensorData>;
  /** the "__metadata__" strings; {} when the file has none */
  metadata: Record<string, string>;
}

/** What the writer takes: a TensorData, or anything else with a shape and float32 data. */
export interface TensorInput {
  shape: readonly number[];
  data: Float32Array;
}

export type TensorsInput = Map<string, TensorInput> | Record<string, TensorInput>;

/** One line of `describeSafetensors`: a tensor as the header states it. */
export interface TensorDescription {
  name: string;
  /** the dtype stored in the file (readers convert it to F32) */
  dtype: string;
  shape: number[];
  /** bytes the tensor takes in the file */
  bytes: number;
}

/**
 * Parses a whole safetensors file held in memory. `source` names it in error messages.
 *
 * @example
 *   const f = parseSafetensors(serializeSafetensors({ b: { shape: [], data: new Float32Array([3]) } }));
 *   console.log(f.tensors.get("b")!.data[0]); // prints: 3
 */
export function parseSafetensors(bytes: Uint8Array, source = "(in-memory safetensors)"): SafetensorsFile {
  const { header, dataStart } = parseHeaderOf(bytes, source);
  for (const e of header.entries) checkDecodable(e, source);
  const tensors = new Map<string, TensorData>();
  for (const e of header.entries) {
    const raw = bytes.subarray(dataStart + e.begin, dataStart + e.end);
    tensors.set(e.name, { dtype: "F32", shape: e.shape, data: decodeTensor(raw, e, source) });
  }
  return { tensors, metadata: header.metadata };
}

function parseHeaderOf(bytes: Uint8Array, source: string): { header: ParsedHeader; dataStart: number } {
  const n = readHeaderLength(bytes.subarray(0, 8), bytes.length, source);
  const dataStart = 8 + n;
  const header = parseHeader(bytes.subarray(8, dataStart), bytes.length - dataStart, source);
  return { header, dataStart };
}

function openForReading(path: string): number {
  try {
    const fd = fs.openSync(path, "r");
    if (fs.fstatSync(fd).isDirectory()) {
      fs.closeSync(fd);
      throw new BertLabError("SAFETENSORS_IS_DIR", `safetensors path is a folder: ${path} — pass the .safetensors file inside it`);
    }
    return fd;
  } catch (e) {
    if (e instanceof BertLabError) throw e;
    const err = e as NodeJS.ErrnoException;
    if (err.code === "ENOENT") {
      throw new BertLabError("SAFETENSORS_NOT_FOUND", `safetensors file not found: ${path} — check the path (e.g. model.safetensors of a saved model)`);
    }
    if (err.code === "EISDIR") {
      throw new BertLabError("SAFETENSORS_IS_DIR", `safetensors path is a folder: ${path} — pass the .safetensors file inside it`);
    }
    throw new BertLabError("SAFETENSORS_UNREADABLE", `cannot read safetensors file ${path}: ${err.message}`);
  }
}

/** Fills `into` from the file at `position`; a file that ends early is BAD_SAFETENSORS. */
function readFully(fd: number, into: Uint8Array, position: number, path: string): void {
  let done = 0;
  while (done < into.length) {
    const got = fs.readSync(fd, into, done, into.length - done, position + done);
    if (got === 0) throw badFile(path, `the file ended at byte ${position + done} while ${position + into.length} were expected (did it change while being read?)`);
    done += got;
  }
}

/** Reads and checks the header of an open file; only the header's own bytes are allocated. */
function readHeaderOfFile(fd: number, path: string): { header: ParsedHeader; dataStart: number } {
  const size = fs.fstatSync(fd).size;
  const prefix = new Uint8Array(8);
  if (size >= 8) readFully(fd, prefix, 0, path);
  const n = readHeaderLength(prefix, size, path);
  const headerBytes = new Uint8Array(n);
  readFully(fd, headerBytes, 8, path);
  return { header: parseHeader(headerBytes, size - 8 - n, path), dataStart: 8 + n };
}

/**
 * Reads a safetensors file. The header is read and checked first; then each tensor is read
 * straight from the file, so the file is never held in memory whole.
 *
 * @example
 *   const { tensors, metadata } = readSafetensors("../shared/golden/bert_public.safetensors");
 *   console.log(tensors.get("bert.embeddings.word_embeddings.weight")!.shape, metadata.format); // prints: [ 2000, 64 ] pt
 */
export function readSafetensors(path: string): SafetensorsFile {
  const fd = openForReading(path);
  try {
    const { header, dataStart } = readHeaderOfFile(fd, path);
    for (const e of header.entries) checkDecodable(e, path);
    const tensors = new Map<string, TensorData>();
    for (const e of header.entries) {
      let data: Float32Array;
      if (e.dtype === "F32" && LITTLE_ENDIAN_HOST) {
        data = new Float32Array(e.count); // read straight into it: aligned, no extra copy
        readFully(fd, new Uint8Array(data.buffer), dataStart + e.begin, path);
      } else {
        const raw = new Uint8Array(e.end - e.begin);
        readFully(fd, raw, dataStart + e.begin, path);
        data = decodeTensor(raw, e, path);
      }
      tensors.set(e.name, { dtype: "F32", shape: e.shape, data });
    }
    return { tensors, metadata: header.metadata };
  } finally {
    fs.closeSync(fd);
  }
}

/**
 * The tensors a file holds — name, stored dtype, shape, bytes — from its header alone (a
 * path reads only the header), in name order. The header gets every check a reader makes;
 * dtypes readers refuse (F8_E4M3, …) are listed all the same.
 *
 * @example
 *   for (const t of describeSafetensors("model.safetensors")) console.log(t.name, t.dtype, t.shape.join("×"));
 */
export function describeSafetensors(file: Uint8Array | string): TensorDescription[] {
  let header: ParsedHeader;
  if (typeof file === "string") {
    const fd = openForReading(file);
    try {
      header = readHeaderOfFile(fd, file).header;
    } finally {
      fs.closeSync(fd);
    }
  } else {
    header = parseHeaderOf(file, "(in-memory safetensors)").header;
  }
  return header.entries.map((e: HeaderEntry) => ({ name: e.name, dtype: e.dtype, shape: e.shape, bytes: e.end - e.begin }));
}

function badInput(problem: string): BertLabError {
  return new BertLabError("BAD_INPUT", `cannot write safetensors: ${problem}`);
}

/**
 * The bytes of a safetensors file holding `tensors` as F32: names sorted (by UTF-8 bytes),
 * data back to back from offset 0, the header padded with spaces so the data starts at a
 * multiple of 8. `metadata` (strings only) goes in "__metadata__" when it has any entries.
 *
 * @example
 *   const bytes = serializeSafetensors({ w: { shape: [2, 2], data: new Float32Array(4) } }, { format: "pt" });
 *   console.log(bytes.length % 8); // prints: 0
 */
export function serializeSafetensors(tensors: TensorsInput, metadata?: Record<string, string>): Uint8Array {
  const list = [...(tensors instanceof Map ? tensors.entries() : Object.entries(tensors))];
  list.sort(([a], [b]) => compareNames(a, b));

  const parts: string[] = [];
  if (metadata !== undefined) {
    if (typeof metadata !== "object" || metadata === null || Array.isArray(metadata)) {
      throw badInput(`metadata must be an object of strings, got ${typeof metadata}`);
    }
    for (const [k, v] of Object.entries(metadata)) {
      if (typeof v !== "string") throw badInput(`metadata entry ${quoteName(k)} must be a string, got ${typeof v} — convert it with String() or JSON.stringify()`);
    }
    if (Object.keys(metadata).length > 0) parts.push(`"__metadata__":${JSON.stringify(metadata)}`);
  }

  let offset = 0;
  for (const [name, t] of list) {
    const what = `tensor ${quoteName(name)}`;
    if (name === "__metadata__") throw badInput(`"__metadata__" is reserved for the metadata — rename the tensor`);
    if (!t || !(t.data instanceof Float32Array)) throw badInput(`${what}: data must be a Float32Array`);
    if (!Array.isArray(t.shape) || !t.shape.every((d) => Number.isSafeInteger(d) && d >= 0)) {
      throw badInput(`${what}: shape must be an array of non-negative integers, got ${JSON.stringify(t.shape)}`);
    }
    const count = t.shape.reduce((p, d) => p * d, 1);
    if (count !== t.data.length) {
      throw badInput(`${what}: shape [${t.shape.join(", ")}] has ${count} elements but data has ${t.data.length} — reshape or fix the data`);
    }
    const shape = t.shape.map((d) => d + 0);
    parts.push(`${JSON.stringify(name)}:${JSON.stringify({ dtype: "F32", shape, data_offsets: [offset, offset + t.data.byteLength] })}`);
    offset += t.data.byteLength;
  }

  const json = Buffer.from(`{${parts.join(",")}}`, "utf8");
  const headerLength = Math.ceil(json.length / 8) * 8;
  const out = new Uint8Array(8 + headerLength + offset);
  new DataView(out.buffer).setBigUint64(0, BigInt(headerLength), true);
  out.set(json, 8);
  out.fill(0x20, 8 + json.length, 8 + headerLength);

  const dataStart = 8 + headerLength;
  const view = new DataView(out.buffer);
  let pos = dataStart;
  for (const [, t] of list) {
    if (LITTLE_ENDIAN_HOST) out.set(new Uint8Array(t.data.buffer, t.data.byteOffset, t.data.byteLength), pos);
    else for (let i = 0; i < t.data.length; i++) view.setFloat32(pos + i * 4, t.data[i], true);
    pos += t.data.byteLength;
  }
  return out;
}

/**
 * Writes `tensors` to `path` as F32 safetensors (see serializeSafetensors), atomically: the
 * file is the old one or the new one, never half written.
 */
export function writeSafetensors(path: string, tensors: TensorsInput, metadata?: Record<string, string>): void {
  writeFileAtomic(path, serializeSafetensors(tensors, metadata));
}
