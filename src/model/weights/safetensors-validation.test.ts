// Damaged safetensors files: every check with a hand-made bad file, a header claiming a
// 2^50-byte tensor, and a seeded fuzz of a good file's header.
import { test } from "node:test";
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { BertLabError } from "../../util/errors";
import { Rng } from "../../util/rng";
import { describeSafetensors, parseSafetensors, readSafetensors } from "./safetensors";

const SOURCE = "bad/model.safetensors";

/** A file from a literal header (no padding added) and `data` bytes (or that many zeros). */
function craft(header: string | Uint8Array, data: ArrayLike<number> | number = 0, claimedLength?: bigint): Uint8Array {
  const json = typeof header === "string" ? Buffer.from(header, "utf8") : header;
  const body = typeof data === "number" ? new Uint8Array(data) : data;
  const out = new Uint8Array(8 + json.length + body.length);
  new DataView(out.buffer).setBigUint64(0, claimedLength ?? BigInt(json.length), true);
  out.set(json, 8);
  out.set(body, 8 + json.length);
  return out;
}

const entry = (dtype: unknown, shape: unknown, offsets: unknown) => JSON.stringify({ dtype, shape, data_offsets: offsets });

function expectBad(bytes: Uint8Array, problem: RegExp, label = String(problem)): void {
  assert.throws(
    () => parseSafetensors(bytes, SOURCE),
    (e: unknown) => {
      assert.ok(e instanceof BertLabError, `${label}: not a BertLabError: ${e}`);
      assert.equal(e.code, "BAD_SAFETENSORS", label);
      assert.ok(e.message.includes(SOURCE), `${label}: message does not name the file: ${e.message}`);
      assert.match(e.message, problem, label);
      return true;
    },
    label,
  );
}

test("the 8-byte header length: file too short, 0, over 100 MB, past the end of the file", () => {
  for (const n of [0, 1, 7]) expectBad(new Uint8Array(n), /is \d byte(s)? long, shorter than the 8-byte header length/);
  expectBad(craft("", 16), /header length is 0/);
  expectBad(craft("{}", 0, 100_000_001n), /header length 100000001 is over the 100000000-byte limit/);
  expectBad(craft("{}", 0, 2n ** 64n - 1n), /header length 18446744073709551615 is over/);
  expectBad(craft("{}", 0, 2n ** 53n + 1n), /is over the/);
  expectBad(craft("{}", 10, 13n), /header length 13 points past the end of the file \(20 bytes, so at most 12\)/);
});

test("the header JSON: not UTF-8, not JSON, not an object", () => {
  expectBad(craft(new Uint8Array([0x7b, 0xff, 0x7d])), /header is not valid UTF-8/);
  expectBad(craft(new Uint8Array([0x7b, 0x22, 0xc3, 0x22, 0x7d])), /header is not valid UTF-8/, "truncated sequence");
  expectBad(craft("{"), /header is not valid JSON/);
  expectBad(craft('{"a":1,}'), /header is not valid JSON/);
  expectBad(craft("[".repeat(1_000_000)), /header is not valid JSON/, "a million open brackets");
  expectBad(craft("[]"), /must be a JSON object, got \[\]/);
  expectBad(craft("3   "), /must be a JSON object, got 3/);
  expectBad(craft("null"), /must be a JSON object, got null/);
  expectBad(craft('"x"'), /must be a JSON object/);
});

test("entries: not an object, unknown dtype, bad shape, bad data_offsets", () => {
  const one = (value: string, data = 64) => craft(`{"enc.w":${value}}`, data);
  expectBad(one("3"), /tensor "enc\.w": its header entry is not a JSON object/);
  expectBad(one("[1]"), /"enc\.w": its header entry is not a JSON object/);
  expectBad(one("null"), /"enc\.w": its header entry is not a JSON object/);
  expectBad(one(entry("F31", [1], [0, 4])), /"enc\.w": unknown dtype "F31" \(known: F32, F16, BF16/);
  expectBad(one(entry("f32", [1], [0, 4])), /unknown dtype "f32"/);
  expectBad(one(entry("constructor", [1], [0, 4])), /unknown dtype "constructor"/);
  expectBad(one(entry(undefined, [1], [0, 4])), /unknown dtype nothing/);
  expectBad(one(entry(32, [1], [0, 4])), /unknown dtype 32/);
  for (const shape of ["x", 4, null, [-1], [1.5], [2 ** 53], ["2"], [[2]], {}]) {
    expectBad(one(entry("F32", shape, [0, 4])), /"enc\.w": shape must be an array of non-negative safe integers/, `shape ${JSON.stringify(shape)}`);
  }
  expectBad(one(`{"dtype":"F32","data_offsets":[0,4]}`), /shape must be an array.*got nothing/);
  for (const offsets of [[0], [0, 4, 8], [-1, 3], [0, "4"], [0, 2 ** 53], [0.5, 4], "0,4", null]) {
    expectBad(one(entry("F32", [1], offsets)), /"enc\.w": data_offsets must be two non-negative safe integers/, `offsets ${JSON.stringify(offsets)}`);
  }
  expectBad(one(entry("F32", [0], [8, 4])), /"enc\.w": data_offsets \[8, 4\] begin after they end/);
});

test("sizes: end beyond the data area, byte size not matching shape × dtype, overflowing shapes", () => {
  expectBad(craft(`{"w":${entry("F32", [2], [4, 12])}}`, 11), /"w": data_offsets end 12 lies beyond the data area \(11 bytes\)/);
  expectBad(craft(`{"w":${entry("F32", [2], [0, 4])}}`, 8), /"w": data_offsets \[0, 4\] hold 4 bytes, but shape \[2\] of F32 needs 8/);
  expectBad(craft(`{"w":${entry("F16", [3], [0, 8])}}`, 8), /hold 8 bytes, but shape \[3\] of F16 needs 6/);
  expectBad(craft(`{"w":${entry("F32", [], [0, 0])}}`, 8), /hold 0 bytes, but shape \[\] of F32 needs 4/, "a scalar has one element");
  expectBad(craft(`{"w":${entry("F32", [2 ** 26, 2 ** 26, 2 ** 26], [0, 8])}}`, 8), /"w": shape \[67108864, 67108864, 67108864\] has more elements than can be counted/);
  expectBad(craft(`{"w":${entry("F64", [2 ** 50], [0, 8])}}`, 8), /more elements than can be counted/, "count × 64 bits overflows");
  expectBad(craft(`{"w":${entry("F4", [3], [0, 2])}}`, 8), /3 elements of F4 do not fill a whole number of bytes/);
  // zero-sized dimensions: no overflow even beside huge ones
  const empty = parseSafetensors(craft(`{"w":${entry("F32", [2 ** 52, 0, 2 ** 52], [3, 3])}}`, 8), SOURCE);
  assert.equal(empty.tensors.get("w")!.data.length, 0);
});

test("overlapping tensors are refused (naming both); gaps and empty tensors are fine", () => {
  const two = (a: number[], b: number[], data = 16) =>
    craft(`{"a":${entry("F32", [(a[1] - a[0]) / 4], a)},"b":${entry("F32", [(b[1] - b[0]) / 4], b)}}`, data);
  expectBad(two([0, 8], [4, 12]), /tensors "a" \[0, 8\] and "b" \[4, 12\] overlap/);
  expectBad(two([4, 12], [0, 8]), /tensors "b" \[0, 8\] and "a" \[4, 12\] overlap/);
  expectBad(two([0, 8], [0, 8]), /overlap/);
  expectBad(two([0, 16], [4, 8]), /overlap/, "one inside the other");
  const gap = parseSafetensors(two([0, 4], [8, 12]), SOURCE);
  assert.deepEqual([...gap.tensors.keys()], ["a", "b"]);
  const touching = parseSafetensors(two([0, 8], [8, 16]), SOURCE);
  assert.equal(touching.tensors.size, 2);
  const withEmpty = parseSafetensors(two([0, 16], [4, 4]), SOURCE);
  assert.equal(withEmpty.tensors.get("b")!.data.length, 0);
});

test('"__metadata__" must be an object of strings', () => {
  const w = `"w":${entry("F32", [1], [0, 4])}`;
  expectBad(craft(`{"__metadata__":"pt",${w}}`, 4), /"__metadata__" must be an object of strings, got "pt"/);
  expectBad(craft(`{"__metadata__":["pt"],${w}}`, 4), /"__metadata__" must be an object of strings, got \["pt"\]/);
  expectBad(craft(`{"__metadata__":null,${w}}`, 4), /"__metadata__" must be an object of strings/);
  expectBad(craft(`{"__metadata__":{"format":"pt","step":100},${w}}`, 4), /"__metadata__" entry "step" must be a string, got 100/);
  expectBad(craft(`{"__metadata__":{"nested":{"a":"b"}},${w}}`, 4), /entry "nested" must be a string, got an object/);
});

test("BOOL bytes other than 0 and 1 are refused", () => {
  expectBad(craft(`{"mask":${entry("BOOL", [3], [0, 3])}}`, [1, 0, 2]), /"mask" is BOOL but holds the byte 2 at index 2/);
});

test("a header claiming a 2^50-byte tensor fails fast without allocating it", () => {
  const claims = [
    craft(`{"huge":${entry("F32", [2 ** 48], [0, 2 ** 50])}}`, 64),
    craft(`{"huge":${entry("U8", [2 ** 50], [0, 2 ** 50])},"small":${entry("F32", [1], [0, 4])}}`, 64),
    craft(`{"huge":${entry("F16", [2 ** 49], [16, 2 ** 50 + 16])}}`, 64),
  ];
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "bert-lab-safetensors-"));
  try {
    for (const [i, bytes] of claims.entries()) {
      const file = path.join(dir, `huge${i}.safetensors`);
      fs.writeFileSync(file, bytes);
      const before = process.memoryUsage().arrayBuffers;
      const start = performance.now();
      expectBad(bytes, /"huge": data_offsets end \d+ lies beyond the data area \(64 bytes\)/);
      for (const fn of [() => readSafetensors(file), () => describeSafetensors(file)]) {
        assert.throws(fn, (e: unknown) => e instanceof BertLabError && e.code === "BAD_SAFETENSORS" && e.message.includes(file));
      }
      assert.ok(performance.now() - start < 1000, "fails fast");
      assert.ok(process.memoryUsage().arrayBuffers - before < 64 << 20, "allocated nothing near what was claimed");
    }
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test("file errors: missing file, folder, truncated file on disk", () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "bert-lab-safetensors-"));
  try {
    const missing = path.join(dir, "nope.safetensors");
    assert.throws(() => readSafetensors(missing), (e: unknown) => e instanceof BertLabError && e.code === "SAFETENSORS_NOT_FOUND" && e.message.includes(missing));
    assert.throws(() => describeSafetensors(dir), (e: unknown) => e instanceof BertLabError && e.code === "SAFETENSORS_IS_DIR" && e.message.includes(dir));
    const short = path.join(dir, "short.safetensors");
    fs.writeFileSync(short, new Uint8Array([1, 2, 3]));
    assert.throws(() => readSafetensors(short), (e: unknown) => e instanceof BertLabError && e.code === "BAD_SAFETENSORS" && e.message.includes("3 bytes long"));
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

/** The good file the fuzz test damages: mixed dtypes, metadata, a gap, trailing padding. */
function goodFile(): Uint8Array {
  const header =
    `{"__metadata__":{"format":"pt","note":"fuzz"},"bert.pooler.dense.weight":${entry("F32", [2, 3], [0, 24])},` +
    `"half":${entry("F16", [4], [24, 32])},"brain":${entry("BF16", [2, 1], [32, 36])},"ids":${entry("I64", [1, 3], [40, 64])},` +
    `"flags":${entry("BOOL", [2], [64, 66])},"empty":${entry("F32", [0], [66, 66])}}    `;
  const data = new Uint8Array(66);
  new Float32Array(data.buffer, 0, 6).set([1, -2, 0.5, 3, 1e-30, -0]);
  data.set([0x00, 0x3c, 0x00, 0xc0, 0xff, 0x7b, 0x01, 0x00, 0x80, 0x3f, 0x00, 0xc0], 24);
  new BigInt64Array(data.buffer, 40, 3).set([0n, 1n, 2n]);
  data.set([1, 0], 64);
  return craft(header, data);
}

const INTERESTING = Buffer.from('{}[]",: -+.0123456789eE\\_aFIBUL\u0000\t\n', "utf8");

function mutate(file: Uint8Array, rng: Rng): Uint8Array {
  let bytes = Uint8Array.from(file);
  const headerEnd = () => (bytes.length < 8 ? bytes.length : Math.min(bytes.length, 8 + new DataView(bytes.buffer).getUint32(0, true)));
  const setLength = (n: number) => new DataView(bytes.buffer).setBigUint64(0, BigInt(n), true);
  const op = rng.randint(0, 7);
  const end = Math.max(1, headerEnd());
  if (op === 0) {
    const i = rng.randint(0, end - 1);
    bytes[i] ^= 1 << rng.randint(0, 7);
  } else if (op === 1) {
    bytes[rng.randint(0, end - 1)] = rng.randint(0, 255);
  } else if (op === 2 && end > 8) {
    bytes[rng.randint(8, end - 1)] = INTERESTING[rng.randint(0, INTERESTING.length - 1)];
  } else if (op === 3 && end > 8) {
    // change a digit: shapes and offsets go out of step with each other
    const digits: number[] = [];
    for (let i = 8; i < end; i++) if (bytes[i] >= 0x30 && bytes[i] <= 0x39) digits.push(i);
    if (digits.length) bytes[rng.choice(digits)] = 0x30 + rng.randint(0, 9);
  } else if (op === 4) {
    bytes = bytes.slice(0, rng.randint(0, bytes.length));
  } else if (op === 5 && end > 9) {
    // cut a slice out of the header, fixing the length prefix or not
    const a = rng.randint(8, end - 1);
    const b = rng.randint(a, Math.min(end, a + 12));
    const n = end - 8 - (b - a);
    bytes = Uint8Array.from([...bytes.subarray(0, a), ...bytes.subarray(b)]);
    if (rng.random() < 0.5) setLength(n);
  } else if (op === 6 && end > 8) {
    const at = rng.randint(8, end);
    const ins = Array.from({ length: rng.randint(1, 6) }, () => INTERESTING[rng.randint(0, INTERESTING.length - 1)]);
    const n = end - 8 + ins.length;
    bytes = Uint8Array.from([...bytes.subarray(0, at), ...ins, ...bytes.subarray(at)]);
    if (rng.random() < 0.5) setLength(n);
  } else if (bytes.length >= 8) {
    const r = rng.random();
    if (r < 0.3) setLength(rng.randint(0, 2 ** 53 - 1));
    else if (r < 0.8) setLength(Math.max(0, end - 8 + rng.randint(-8, 8)));
    else for (let i = 0; i < 8; i++) bytes[i] = rng.randint(0, 255);
  }
  return bytes;
}

test("fuzz: 2000 damaged headers parse or throw BertLabError — never another error, never a hang", () => {
  const good = goodFile();
  const ok = parseSafetensors(good, SOURCE);
  assert.equal(ok.tensors.size, 6, "the base file is good");
  assert.deepEqual([...ok.tensors.get("half")!.data], [1, -2, 65504, 2 ** -24]);

  const rng = new Rng(20240601);
  const problems = new Map<string, number>();
  let parsed = 0;
  for (let iter = 0; iter < 2000; iter++) {
    let bytes = good;
    const rounds = rng.randint(1, 3);
    for (let r = 0; r < rounds; r++) bytes = mutate(bytes, rng);
    for (const run of [() => parseSafetensors(bytes, SOURCE), () => describeSafetensors(bytes)]) {
      const start = performance.now();
      try {
        const result = run();
        if (!Array.isArray(result)) {
          parsed++;
          for (const [name, t] of result.tensors) {
            assert.equal(t.data.length, t.shape.reduce((a, b) => a * b, 1), `iteration ${iter}: ${name}`);
          }
        }
      } catch (e) {
        if (!(e instanceof BertLabError)) {
          assert.fail(`iteration ${iter}: ${e instanceof Error ? e.stack : e}\nfile: ${Buffer.from(bytes).toString("latin1")}`);
        }
        assert.ok(["BAD_SAFETENSORS", "UNSUPPORTED_DTYPE"].includes(e.code), `iteration ${iter}: code ${e.code}`);
        const kind = e.message.split(": ").slice(1).join(": ").replace(/"[^"]*"|\[[^\]]*\]|\d+/g, "#").slice(0, 60);
        problems.set(kind, (problems.get(kind) ?? 0) + 1);
      }
      assert.ok(performance.now() - start < 2000, `iteration ${iter} took too long`);
    }
  }
  // the damage reached deep checks, not only the first one
  assert.ok(parsed > 20, `only ${parsed} of 2000 damaged files still parsed`);
  const seen = [...problems.keys()].join(" | ");
  const deep = [/points past the end/, /is over the/, /not valid UTF-#/, /not valid JSON/, /unknown dtype/, /shape must be/,
    /data_offsets must be/, /hold # bytes/, /lies beyond the data/];
  for (const re of deep) assert.match(seen, re, `the fuzz never reached the check ${re}`);
});
