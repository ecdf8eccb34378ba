// The safetensors reader and writer on good files: round trips, layout, conversions, and
// the team's golden checkpoint. Damaged files: safetensors-validation.test.ts.
import { test } from "node:test";
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { BertLabError } from "../../util/errors";
import { Rng } from "../../util/rng";
import { needsShared, sharedPath } from "../../util/shared-folder";
import {
  TensorInput,
  describeSafetensors,
  parseSafetensors,
  readSafetensors,
  serializeSafetensors,
  writeSafetensors,
} from "./safetensors";

/** A file from a literal header text (no padding added) and data bytes. */
function craft(header: string, data: ArrayLike<number> = []): Uint8Array {
  const json = Buffer.from(header, "utf8");
  const out = new Uint8Array(8 + json.length + data.length);
  new DataView(out.buffer).setBigUint64(0, BigInt(json.length), true);
  out.set(json, 8);
  out.set(data, 8 + json.length);
  return out;
}

function le16(values: number[]): number[] {
  return values.flatMap((v) => [v & 0xff, v >>> 8]);
}

function bitsOf(a: Float32Array): Uint32Array {
  return new Uint32Array(a.buffer, a.byteOffset, a.length);
}

function floatsFromBits(bits: number[]): Float32Array {
  return new Float32Array(new Uint32Array(bits).buffer);
}

function tmpDir(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), "bert-lab-safetensors-"));
}

function headerText(bytes: Uint8Array): string {
  const n = Number(new DataView(bytes.buffer, bytes.byteOffset).getBigUint64(0, true));
  return Buffer.from(bytes.subarray(8, 8 + n)).toString("utf8");
}

test("write → read is bit-identical: ±0, subnormals, ±Inf, NaN payloads, random bit patterns", () => {
  const special = floatsFromBits([
    0x00000000, 0x80000000, 0x00000001, 0x807fffff, 0x00400000, 0x7f800000, 0xff800000,
    0x7fc00000, 0x7fc00001, 0xffc12345, 0x7f800001, 0x7f7fffff, 0x3f800000,
  ]);
  const rng = new Rng(7);
  const random = new Float32Array(2 * 3 * 4);
  const rbits = bitsOf(random);
  for (let i = 0; i < rbits.length; i++) rbits[i] = rng.nextUint32();
  const tensors = new Map<string, TensorInput>([
    ["special", { shape: [special.length], data: special }],
    ["random", { shape: [2, 3, 4], data: random }],
    ["scalar", { shape: [], data: new Float32Array([-1.5]) }],
    ["empty", { shape: [0, 3], data: new Float32Array(0) }],
    // a view into a bigger buffer, at an offset: only its own elements are written
    ["view", { shape: [2], data: new Float32Array([9, 8, 7, 6]).subarray(1, 3) }],
  ]);
  const dir = tmpDir();
  try {
    const file = path.join(dir, "rt.safetensors");
    writeSafetensors(file, tensors);
    for (const got of [readSafetensors(file), parseSafetensors(fs.readFileSync(file), file)]) {
      assert.deepEqual([...got.tensors.keys()], ["empty", "random", "scalar", "special", "view"]);
      for (const [name, want] of tensors) {
        const t = got.tensors.get(name)!;
        assert.equal(t.dtype, "F32");
        assert.deepEqual(t.shape, [...want.shape], name);
        assert.ok(t.data instanceof Float32Array && t.data.byteOffset === 0, `${name}: a fresh array`);
        assert.deepEqual(bitsOf(t.data), bitsOf(want.data), `${name}: bits differ`);
      }
      assert.deepEqual(got.metadata, {});
    }
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test("the writer sorts names by UTF-8 bytes, lays tensors back to back, and pads the header to 8 bytes", () => {
  const names = ["😀", "z", "b", "\uff61", "a.b", "é", "B", "9", "10", "a"];
  const want = ["10", "9", "B", "a", "a.b", "b", "z", "é", "\uff61", "😀"]; // UTF-16 order would put 😀 before \uff61
  const input: Record<string, TensorInput> = {};
  names.forEach((n, i) => (input[n] = { shape: [i + 1], data: new Float32Array(i + 1).fill(i) }));
  const metas: (Record<string, string> | undefined)[] = [undefined, { format: "pt" }, { k: "a longer value, to move the padding" }];
  for (const meta of metas) {
    const bytes = serializeSafetensors(input, meta);
    const n = Number(new DataView(bytes.buffer).getBigUint64(0, true));
    assert.equal(n % 8, 0, "header length is a multiple of 8");
    const text = headerText(bytes);
    const json = text.trimEnd();
    assert.match(text.slice(json.length), /^ {0,7}$/, "padded with spaces only, fewer than 8");
    // key order in the JSON text (JSON.parse would reorder "10" and "9")
    const positions = want.map((name) => json.indexOf(JSON.stringify(name) + ":{"));
    assert.ok(positions.every((p, i) => p > 0 && (i === 0 || p > positions[i - 1])), `order in ${json}`);
    if (meta) assert.ok(json.startsWith('{"__metadata__":'), "metadata comes first");
    else assert.ok(!json.includes("__metadata__"));
    const parsed = JSON.parse(json) as Record<string, { data_offsets: number[] }>;
    let offset = 0;
    for (const name of want) {
      const [begin, end] = parsed[name].data_offsets;
      assert.equal(begin, offset, `${name} starts where the previous one ends`);
      offset = end;
    }
    assert.equal(8 + n + offset, bytes.length, "the data area holds the tensors and nothing else");
    const back = parseSafetensors(bytes);
    assert.deepEqual([...back.tensors.keys()], want);
    for (const [i, name] of names.entries()) assert.deepEqual([...back.tensors.get(name)!.data], new Array(i + 1).fill(i));
  }
});

test("metadata round trip, including non-ASCII, empty strings and a key named __proto__", () => {
  const metadata: Record<string, string> = JSON.parse('{"format":"pt","note":"ünïcode ✓ \\"quoted\\"","empty":"","__proto__":"x"}');
  const bytes = serializeSafetensors({ w: { shape: [1], data: new Float32Array([1]) } }, metadata);
  const got = parseSafetensors(bytes).metadata;
  assert.deepEqual(Object.entries(got).sort(), Object.entries(metadata).sort());
  assert.equal(Object.getPrototypeOf(got), Object.prototype, "a __proto__ key stays a plain entry");
  assert.ok(!headerText(serializeSafetensors({}, {})).includes("__metadata__"), "empty metadata is left out");
  assert.deepEqual(parseSafetensors(serializeSafetensors({})).tensors.size, 0);
});

test("F16 converts exactly: hand-computed values, NaN payloads, and all 65536 against a formula", () => {
  const cases: [number, number][] = [
    [0x3c00, 1], [0xc000, -2], [0x7bff, 65504], [0x0001, 2 ** -24], [0x8001, -(2 ** -24)],
    [0x03ff, 1023 * 2 ** -24], [0x0400, 2 ** -14], [0x3555, 0.333251953125], [0x0000, 0], [0x8000, -0],
    [0x7c00, Infinity], [0xfc00, -Infinity],
  ];
  const codes = [...cases.map(([h]) => h), 0x7e00, 0x7c01, 0xfe01];
  const header = `{"h":{"dtype":"F16","shape":[${codes.length}],"data_offsets":[0,${codes.length * 2}]}}`;
  const t = parseSafetensors(craft(header, le16(codes))).tensors.get("h")!;
  assert.equal(t.dtype, "F32", "readers always return float32");
  cases.forEach(([h, want], i) => assert.equal(t.data[i], want, `F16 0x${h.toString(16)}`));
  const bits = bitsOf(t.data);
  assert.equal(bits[cases.length], 0x7fc00000, "0x7E00 is the quiet NaN");
  assert.equal(bits[cases.length + 1], 0x7f802000, "0x7C01 keeps its payload");
  assert.equal(bits[cases.length + 2], 0xffc02000, "0xFE01 keeps its sign and payload");

  const all = Array.from({ length: 65536 }, (_, h) => h);
  const every = parseSafetensors(craft(`{"all":{"dtype":"F16","shape":[65536],"data_offsets":[0,131072]}}`, le16(all)));
  const data = every.tensors.get("all")!.data;
  for (const h of all) {
    const sign = h & 0x8000 ? -1 : 1;
    const e = (h >> 10) & 31;
    const m = h & 1023;
    const want = e === 31 ? (m ? NaN : sign * Infinity) : e === 0 ? sign * m * 2 ** -24 : sign * (1 + m / 1024) * 2 ** (e - 15);
    if (!Object.is(data[h], want)) assert.fail(`F16 0x${h.toString(16)}: got ${data[h]}, want ${want}`);
  }
});

test("BF16 is the top half of a float32; F64 rounds to the nearest float32", () => {
  const bf: [number, number][] = [
    [0x3f80, 1], [0xc000, -2], [0x4049, 3.140625], [0x8000, -0], [0x7f80, Infinity], [0xff80, -Infinity],
    [0x0001, 2 ** -133], [0x7f7f, 3.3895313892515355e38],
  ];
  const codes = [...bf.map(([b]) => b), 0x7fc1];
  const t = parseSafetensors(craft(`{"b":{"dtype":"BF16","shape":[${codes.length}],"data_offsets":[0,${codes.length * 2}]}}`, le16(codes)));
  const data = t.tensors.get("b")!.data;
  bf.forEach(([b, want], i) => assert.equal(data[i], want, `BF16 0x${b.toString(16)}`));
  assert.equal(bitsOf(data)[bf.length], 0x7fc10000, "NaN payload kept");

  const f64 = [0.1, -0, 1e300, -1e300, 2 ** -149, 1 + 2 ** -24, 1 + 3 * 2 ** -24, 16777217];
  const raw = new Uint8Array(new Float64Array([...f64, NaN]).buffer);
  const d = parseSafetensors(craft(`{"d":{"dtype":"F64","shape":[9],"data_offsets":[0,72]}}`, raw)).tensors.get("d")!.data;
  const want = [Math.fround(0.1), -0, Infinity, -Infinity, 2 ** -149, 1, 1 + 4 * 2 ** -24, 16777216];
  want.forEach((w, i) => assert.equal(d[i], w, `F64 ${f64[i]}`));
  assert.ok(Number.isNaN(d[8]));
});

test("integer tensors convert when float32 holds them exactly, and are refused by name when not", () => {
  const i64 = new Uint8Array(new BigInt64Array([-3n, 0n, 16777216n, 511n, -(2n ** 40n)]).buffer);
  const ints = craft(
    '{"pos":{"dtype":"I64","shape":[1,5],"data_offsets":[0,40]},"u8":{"dtype":"U8","shape":[2],"data_offsets":[40,42]},' +
      '"i8":{"dtype":"I8","shape":[1],"data_offsets":[42,43]},"flag":{"dtype":"BOOL","shape":[2],"data_offsets":[43,45]},' +
      '"i32":{"dtype":"I32","shape":[1],"data_offsets":[45,49]}}',
    [...i64, 0, 255, 0x80, 1, 0, 0x00, 0x00, 0x00, 0x80],
  );
  const got = parseSafetensors(ints).tensors;
  assert.deepEqual([...got.get("pos")!.data], [-3, 0, 16777216, 511, -(2 ** 40)]);
  assert.deepEqual([...got.get("u8")!.data], [0, 255]);
  assert.deepEqual([...got.get("i8")!.data], [-128]);
  assert.deepEqual([...got.get("flag")!.data], [1, 0]);
  assert.deepEqual([...got.get("i32")!.data], [-(2 ** 31)]);

  const cases: [string, Uint8Array][] = [
    ["I32", new Uint8Array(new Int32Array([16777217]).buffer)],
    ["I64", new Uint8Array(new BigInt64Array([2n ** 53n + 2n]).buffer)],
    ["U64", new Uint8Array(new BigUint64Array([2n ** 64n - 1n]).buffer)],
  ];
  for (const [dtype, raw] of cases) {
    const bytes = craft(`{"big.ids":{"dtype":"${dtype}","shape":[1],"data_offsets":[0,${raw.length}]}}`, raw);
    assert.throws(
      () => parseSafetensors(bytes, "ints.safetensors"),
      (e: unknown) => e instanceof BertLabError && e.code === "UNSUPPORTED_DTYPE" && /ints\.safetensors.*"big\.ids" \((I32|I64|U64)\).*float32 cannot hold/.test(e.message),
      dtype,
    );
  }
});

test("F8 and smaller float formats are refused by name, before anything is decoded; describe still lists them", () => {
  const bytes = craft(
    '{"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]},"q":{"dtype":"F8_E4M3","shape":[2,2],"data_offsets":[4,8]},' +
      '"f4":{"dtype":"F4","shape":[4],"data_offsets":[8,10]}}',
    new Array(10).fill(0),
  );
  assert.throws(
    () => parseSafetensors(bytes, "fp8.safetensors"),
    (e: unknown) => e instanceof BertLabError && e.code === "UNSUPPORTED_DTYPE" && /fp8\.safetensors.*"f4" has dtype F4/.test(e.message),
  );
  assert.deepEqual(describeSafetensors(bytes), [
    { name: "a", dtype: "F32", shape: [1], bytes: 4 },
    { name: "f4", dtype: "F4", shape: [4], bytes: 2 },
    { name: "q", dtype: "F8_E4M3", shape: [2, 2], bytes: 4 },
  ]);
});

test("an F32 tensor at an unaligned offset, in a buffer at an odd byteOffset, reads correctly", () => {
  const values = [1.5, -2.25, Math.fround(3e-40), 65536.125];
  const raw = new Uint8Array(new Float32Array(values).buffer);
  // header length 57: the data area starts at byte 65, and the tensor at data offset 1 → byte 66
  let header = `{"u":{"dtype":"F32","shape":[2,2],"data_offsets":[1,17]}}`;
  assert.ok(header.length <= 57);
  header += " ".repeat(57 - header.length);
  const file = craft(header, [0xaa, ...raw, 0xbb]);
  assert.equal((8 + 57 + 1) % 4, 2, "the tensor really is misaligned");
  const big = new Uint8Array(file.length + 3);
  big.set(file, 3);
  for (const bytes of [file, big.subarray(3)]) {
    const t = parseSafetensors(bytes).tensors.get("u")!;
    assert.deepEqual(t.shape, [2, 2]);
    assert.deepEqual([...t.data], values);
  }
  const dir = tmpDir();
  try {
    fs.writeFileSync(path.join(dir, "u.safetensors"), file);
    assert.deepEqual([...readSafetensors(path.join(dir, "u.safetensors")).tensors.get("u")!.data], values);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test("readSafetensors reads converted dtypes like parseSafetensors; describe agrees from bytes and from a path", () => {
  const bytes = craft(
    '{"__metadata__":{"format":"pt"},"h":{"dtype":"F16","shape":[2],"data_offsets":[0,4]},"b":{"dtype":"BF16","shape":[1],"data_offsets":[4,6]},' +
      '"f":{"dtype":"F32","shape":[1],"data_offsets":[8,12]}}   ',
    [...le16([0x3c00, 0xc000, 0x3f80]), 0, 0, ...new Uint8Array(new Float32Array([7]).buffer)],
  );
  const dir = tmpDir();
  try {
    const file = path.join(dir, "mixed.safetensors");
    fs.writeFileSync(file, bytes);
    assert.deepEqual(readSafetensors(file), parseSafetensors(bytes));
    assert.deepEqual(describeSafetensors(file), describeSafetensors(bytes));
    assert.deepEqual(parseSafetensors(bytes).metadata, { format: "pt" });
    assert.deepEqual([...parseSafetensors(bytes).tensors.get("h")!.data], [1, -2]);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test("writeSafetensors replaces a file atomically and leaves no temporary files", () => {
  const dir = tmpDir();
  try {
    const file = path.join(dir, "w.safetensors");
    fs.writeFileSync(file, "old");
    writeSafetensors(file, { w: { shape: [3], data: new Float32Array([1, 2, 3]) } }, { format: "pt" });
    assert.deepEqual(fs.readdirSync(dir), ["w.safetensors"]);
    const back = readSafetensors(file);
    assert.deepEqual([...back.tensors.get("w")!.data], [1, 2, 3]);
    assert.deepEqual(back.metadata, { format: "pt" });
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test("the writer refuses bad input with BAD_INPUT naming the tensor", () => {
  const bad: [() => unknown, RegExp][] = [
    [() => serializeSafetensors({ w: { shape: [2, 2], data: new Float32Array(3) } }), /"w".*4 elements but data has 3/],
    [() => serializeSafetensors({ w: { shape: [-1], data: new Float32Array(0) } }), /"w".*non-negative integers/],
    [() => serializeSafetensors({ w: { shape: [1], data: [1] as unknown as Float32Array } }), /"w".*Float32Array/],
    [() => serializeSafetensors({ __metadata__: { shape: [0], data: new Float32Array(0) } }), /reserved/],
    [() => serializeSafetensors({}, { n: 1 as unknown as string }), /metadata entry "n" must be a string/],
  ];
  for (const [fn, re] of bad) {
    assert.throws(fn, (e: unknown) => e instanceof BertLabError && e.code === "BAD_INPUT" && re.test(e.message), String(re));
  }
});

const GOLDEN = "golden/bert_public.safetensors";
const CONFIG = "golden/bert_public_config.json";

test("the golden BERT checkpoint parses, with shapes that match its config", needsShared(GOLDEN), () => {
  const file = sharedPath(GOLDEN);
  const cfg = JSON.parse(fs.readFileSync(sharedPath(CONFIG), "utf8")) as Record<string, number>;
  const { tensors, metadata } = readSafetensors(file);
  assert.equal(metadata.format, "pt");
  const shape = (name: string) => {
    assert.ok(tensors.has(name), `missing ${name}`);
    return tensors.get(name)!.shape;
  };
  const h = cfg.hidden_size;
  assert.deepEqual(shape("bert.embeddings.word_embeddings.weight"), [cfg.vocab_size, h]);
  assert.deepEqual(shape("bert.embeddings.position_embeddings.weight"), [cfg.max_position_embeddings, h]);
  assert.deepEqual(shape("bert.embeddings.token_type_embeddings.weight"), [cfg.type_vocab_size, h]);
  for (let l = 0; l < cfg.num_hidden_layers; l++) {
    const p = `bert.encoder.layer.${l}`;
    assert.deepEqual(shape(`${p}.attention.self.query.weight`), [h, h]);
    assert.deepEqual(shape(`${p}.intermediate.dense.weight`), [cfg.intermediate_size, h]);
    assert.deepEqual(shape(`${p}.output.dense.weight`), [h, cfg.intermediate_size]);
  }
  assert.ok(!tensors.has(`bert.encoder.layer.${cfg.num_hidden_layers}.output.dense.weight`));
  let total = 0;
  for (const [name, t] of tensors) {
    assert.equal(t.data.length, t.shape.reduce((a, b) => a * b, 1), name);
    assert.ok(t.data.every(Number.isFinite), `${name} is finite`);
    total += t.data.byteLength;
  }
  const bytes = fs.readFileSync(file);
  assert.equal(total, describeSafetensors(file).reduce((s, t) => s + t.bytes, 0));
  assert.deepEqual(parseSafetensors(bytes, file), { tensors, metadata });
  // written back, it reads the same, bit for bit
  const again = parseSafetensors(serializeSafetensors(tensors, metadata));
  for (const [name, t] of tensors) assert.deepEqual(bitsOf(again.tensors.get(name)!.data), bitsOf(t.data), name);
});
