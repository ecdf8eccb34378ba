/**
 * A small PNG encoder: 8-bit truecolour RGB, no interlacing, every scanline with filter 0
 * (None), compressed with node:zlib's deflate. Enough for the attention pictures, which
 * embed one pixel per attention weight as a data URI instead of one SVG <rect> per cell.
 * Format: https://www.w3.org/TR/png/ (signature, IHDR, IDAT, IEND; CRC-32 over type + data).
 */
import * as zlib from "node:zlib";

const SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

/** CRC-32 (ISO 3309, polynomial 0xEDB88320) lookup table, one entry per byte value. */
const CRC_TABLE: Uint32Array = (() => {
  const table = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    table[n] = c >>> 0;
  }
  return table;
})();

/**
 * The CRC-32 of bytes, as PNG chunks (and zip, gzip) use it.
 *
 * @example
 *   crc32(Buffer.from("IEND")).toString(16) // → "ae426082"
 */
export function crc32(bytes: Uint8Array): number {
  let c = 0xffffffff;
  for (let i = 0; i < bytes.length; i++) c = CRC_TABLE[(c ^ bytes[i]) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

/** One chunk: length, type, data, CRC of type + data. */
function chunk(type: string, data: Uint8Array): Buffer {
  const out = Buffer.alloc(12 + data.length);
  out.writeUInt32BE(data.length, 0);
  out.write(type, 4, "latin1");
  out.set(data, 8);
  out.writeUInt32BE(crc32(out.subarray(4, 8 + data.length)), 8 + data.length);
  return out;
}

/**
 * Encodes `width × height` RGB pixels (row by row, 3 bytes per pixel) as a PNG file.
 *
 * @example
 *   const red = encodePng(1, 1, new Uint8Array([255, 0, 0]));
 *   const uri = `data:image/png;base64,${red.toString("base64")}`;
 */
export function encodePng(width: number, height: number, rgb: Uint8Array): Buffer {
  if (!Number.isInteger(width) || !Number.isInteger(height) || width < 1 || height < 1 || width > 0x7fffffff || height > 0x7fffffff) {
    throw new RangeError(`encodePng: width and height must be positive integers, got ${width} × ${height}`);
  }
  if (rgb.length !== width * height * 3) {
    throw new RangeError(`encodePng: ${width} × ${height} RGB pixels need ${width * height * 3} bytes, got ${rgb.length} — pass 3 bytes (r, g, b) per pixel, row by row`);
  }
  const header = Buffer.alloc(13);
  header.writeUInt32BE(width, 0);
  header.writeUInt32BE(height, 4);
  header[8] = 8; // bits per channel
  header[9] = 2; // colour type 2: truecolour RGB
  header[10] = 0; // compression: deflate
  header[11] = 0; // filter method 0
  header[12] = 0; // no interlace
  const stride = width * 3;
  const raw = Buffer.alloc((stride + 1) * height);
  for (let y = 0; y < height; y++) {
    raw[y * (stride + 1)] = 0; // filter type None
    raw.set(rgb.subarray(y * stride, (y + 1) * stride), y * (stride + 1) + 1);
  }
  const idat = zlib.deflateSync(raw, { level: 9 });
  return Buffer.concat([SIGNATURE, chunk("IHDR", header), chunk("IDAT", idat), chunk("IEND", new Uint8Array(0))]);
}

/**
 * A PNG as a `data:` URI, for `<image href="…">`.
 *
 * @example
 *   pngDataUri(1, 1, new Uint8Array([0, 0, 0])).slice(0, 22) // → "data:image/png;base64,"
 */
export function pngDataUri(width: number, height: number, rgb: Uint8Array): string {
  return `data:image/png;base64,${encodePng(width, height, rgb).toString("base64")}`;
}
