/**
 * Turning the raw little-endian bytes of one safetensors tensor into a float32 array.
 *
 * - F32 is copied bit for bit (NaN payloads included) into a fresh, aligned Float32Array.
 * - F16 and BF16 convert exactly (every value of either is a float32): F16 subnormals,
 *   infinities and NaNs (with their payloads) included; BF16 is the top half of a float32.
 * - F64 rounds to the nearest float32 (ties to even; beyond float32's range, ±Infinity).
 * - Integer dtypes (I8…I64, U8…U64) and BOOL convert too, as long as every value is a
 *   float32 exactly (|v| ≤ 2^24 always is); a value that is not is an UNSUPPORTED_DTYPE error
 *   naming the tensor. BERT weights are floats, but checkpoints often carry small integer
 *   buffers such as `embeddings.position_ids`, which this lets through.
 * - The 8-bit and smaller float formats (F8_*, F6_*, F4) and C64 are refused with
 *   UNSUPPORTED_DTYPE.
 */
import { BertLabError } from "../../util/errors";
import { DTYPES, HeaderEntry, badFile, quoteName } from "./safetensors-header";

/** True on the (usual) little-endian machine, where float32 bytes can be copied as they are. */
export const LITTLE_ENDIAN_HOST = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/** Throws UNSUPPORTED_DTYPE unless `decodeTensor` can convert this entry's dtype. */
export function checkDecodable(entry: HeaderEntry, source: string): void {
  if (DTYPES.get(entry.dtype)?.decodable) return;
  const supported = [...DTYPES].filter(([, info]) => info.decodable).map(([name]) => name);
  throw new BertLabError(
    "UNSUPPORTED_DTYPE",
    `${source}: tensor ${quoteName(entry.name)} has dtype ${entry.dtype}, which cannot be read as float32 ` +
      `(readable: ${supported.join(", ")}) — convert the checkpoint to F32, F16 or BF16 first`,
  );
}

let f16Table: Uint32Array | null = null;

/** float32 bit patterns of all 65536 half-precision values, built on first use. */
function halfToFloatBits(): Uint32Array {
  if (f16Table) return f16Table;
  const table = new Uint32Array(65536);
  for (let h = 0; h < 65536; h++) {
    const sign = (h & 0x8000) << 16;
    const exp = (h >>> 10) & 0x1f;
    let mant = h & 0x3ff;
    let bits: number;
    if (exp === 0x1f) {
      bits = sign | 0x7f800000 | (mant << 13); // ±Infinity, or NaN keeping its payload
    } else if (exp !== 0) {
      bits = sign | ((exp - 15 + 127) << 23) | (mant << 13);
    } else if (mant === 0) {
      bits = sign; // ±0
    } else {
      // subnormal: mant × 2^-24; shift the leading 1 up to the implicit bit
      let e = -14;
      while ((mant & 0x400) === 0) {
        mant <<= 1;
        e--;
      }
      bits = sign | ((e + 127) << 23) | ((mant & 0x3ff) << 13);
    }
    table[h] = bits >>> 0;
  }
  f16Table = table;
  return table;
}

function inexact(entry: HeaderEntry, index: number, value: number | bigint, source: string): BertLabError {
  return new BertLabError(
    "UNSUPPORTED_DTYPE",
    `${source}: tensor ${quoteName(entry.name)} (${entry.dtype}) holds ${value} at index ${index}, which float32 cannot hold exactly ` +
      `— only float tensors and small integer ones (|v| ≤ 2^24) can be read`,
  );
}

/**
 * Decodes `raw` (exactly `entry.end - entry.begin` bytes, at any alignment) into a new
 * Float32Array of `entry.count` elements. Call `checkDecodable` first.
 */
export function decodeTensor(raw: Uint8Array, entry: HeaderEntry, source: string): Float32Array {
  const n = entry.count;
  const out = new Float32Array(n);
  const view = new DataView(raw.buffer, raw.byteOffset, raw.byteLength);
  switch (entry.dtype) {
    case "F32":
      if (LITTLE_ENDIAN_HOST) new Uint8Array(out.buffer).set(raw.subarray(0, n * 4));
      else for (let i = 0; i < n; i++) out[i] = view.getFloat32(i * 4, true);
      return out;
    case "F16": {
      const table = halfToFloatBits();
      const bits = new Uint32Array(out.buffer);
      for (let i = 0; i < n; i++) bits[i] = table[raw[2 * i] | (raw[2 * i + 1] << 8)];
      return out;
    }
    case "BF16": {
      const bits = new Uint32Array(out.buffer);
      for (let i = 0; i < n; i++) bits[i] = ((raw[2 * i] | (raw[2 * i + 1] << 8)) << 16) >>> 0;
      return out;
    }
    case "F64":
      for (let i = 0; i < n; i++) out[i] = view.getFloat64(i * 8, true);
      return out;
    case "U8":
      for (let i = 0; i < n; i++) out[i] = raw[i];
      return out;
    case "I8":
      for (let i = 0; i < n; i++) out[i] = view.getInt8(i);
      return out;
    case "BOOL":
      for (let i = 0; i < n; i++) {
        if (raw[i] > 1) {
          throw badFile(source, `tensor ${quoteName(entry.name)} is BOOL but holds the byte ${raw[i]} at index ${i} (only 0 and 1 are booleans)`);
        }
        out[i] = raw[i];
      }
      return out;
    case "I16":
      for (let i = 0; i < n; i++) out[i] = view.getInt16(i * 2, true);
      return out;
    case "U16":
      for (let i = 0; i < n; i++) out[i] = view.getUint16(i * 2, true);
      return out;
    case "I32":
    case "U32":
      for (let i = 0; i < n; i++) {
        const v = entry.dtype === "I32" ? view.getInt32(i * 4, true) : view.getUint32(i * 4, true);
        if (Math.fround(v) !== v) throw inexact(entry, i, v, source);
        out[i] = v;
      }
      return out;
    case "I64":
    case "U64":
      for (let i = 0; i < n; i++) {
        const b = entry.dtype === "I64" ? view.getBigInt64(i * 8, true) : view.getBigUint64(i * 8, true);
        const v = Number(b);
        if (BigInt(v) !== b || Math.fround(v) !== v) throw inexact(entry, i, b, source);
        out[i] = v;
      }
      return out;
    default:
      checkDecodable(entry, source);
      throw new Error(`unreachable: no decoder for ${entry.dtype}`);
  }
}
