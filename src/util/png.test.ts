import { test } from "node:test";
import assert from "node:assert/strict";
import * as zlib from "node:zlib";
import { crc32, encodePng, pngDataUri } from "./png";
import { Rng } from "./rng";

/** CRC-32 bit by bit, no table: an independent check of the encoder's table-driven one. */
function bitwiseCrc(bytes: Uint8Array): number {
  let c = 0xffffffff;
  for (const b of bytes) {
    c ^= b;
    for (let k = 0; k < 8; k++) c = c & 1 ? (c >>> 1) ^ 0xedb88320 : c >>> 1;
  }
  return (c ^ 0xffffffff) >>> 0;
}

interface Chunk {
  type: string;
  data: Buffer;
  crc: number;
  /** the bytes the CRC covers: type + data */
  covered: Buffer;
}

function chunks(png: Buffer): Chunk[] {
  const out: Chunk[] = [];
  let p = 8;
  while (p < png.length) {
    const len = png.readUInt32BE(p);
    out.push({ type: png.toString("latin1", p + 4, p + 8), data: png.subarray(p + 8, p + 8 + len), crc: png.readUInt32BE(p + 8 + len), covered: png.subarray(p + 4, p + 8 + len) });
    p += 12 + len;
  }
  assert.equal(p, png.length, "chunks end exactly at the end of the file");
  return out;
}

test("crc32 matches known values and a bitwise implementation", () => {
  assert.equal(crc32(Buffer.from("IEND")), 0xae426082);
  assert.equal(crc32(Buffer.from("123456789")), 0xcbf43926);
  const rng = new Rng(3);
  const bytes = Uint8Array.from({ length: 1000 }, () => Math.floor(rng.random() * 256));
  assert.equal(crc32(bytes), bitwiseCrc(bytes));
});

test("encodePng: signature, IHDR, IDAT with filter bytes and pixels, IEND, every CRC", () => {
  const w = 7;
  const h = 5;
  const rng = new Rng(11);
  const rgb = Uint8Array.from({ length: w * h * 3 }, () => Math.floor(rng.random() * 256));
  const png = encodePng(w, h, rgb);
  assert.deepEqual([...png.subarray(0, 8)], [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  const cs = chunks(png);
  assert.deepEqual(cs.map((c) => c.type), ["IHDR", "IDAT", "IEND"]);
  for (const c of cs) assert.equal(c.crc, bitwiseCrc(c.covered), `CRC of ${c.type}`);
  const ihdr = cs[0].data;
  assert.equal(ihdr.length, 13);
  assert.deepEqual([ihdr.readUInt32BE(0), ihdr.readUInt32BE(4), ihdr[8], ihdr[9], ihdr[10], ihdr[11], ihdr[12]], [w, h, 8, 2, 0, 0, 0]);
  const raw = zlib.inflateSync(cs[1].data);
  assert.equal(raw.length, h * (1 + 3 * w));
  for (let y = 0; y < h; y++) {
    const row = raw.subarray(y * (1 + 3 * w), (y + 1) * (1 + 3 * w));
    assert.equal(row[0], 0, `row ${y} filter byte`);
    assert.deepEqual([...row.subarray(1)], [...rgb.subarray(y * 3 * w, (y + 1) * 3 * w)], `row ${y} pixels`);
  }
  assert.equal(cs[2].data.length, 0);
});

test("encodePng: flat images compress; wrong sizes say what to pass", () => {
  const png = encodePng(128, 128, new Uint8Array(128 * 128 * 3).fill(200));
  assert.ok(png.length < 1000, `a flat 128×128 image is ${png.length} bytes`);
  assert.match(pngDataUri(1, 1, new Uint8Array([1, 2, 3])), /^data:image\/png;base64,iVBORw0KGgo/);
  assert.throws(() => encodePng(2, 2, new Uint8Array(11)), /need 12 bytes, got 11/);
  assert.throws(() => encodePng(0, 2, new Uint8Array(0)), RangeError);
});
