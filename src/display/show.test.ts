import { test } from "node:test";
import assert from "node:assert/strict";
import { consoleSink, currentSink, denoSink, detectKernel, DisplaySink, displayContent, SendOptions, setDisplaySink, show, tslabSink } from "./show";
import { asDisplay, MimeBundle } from "./mime";
import { BertLabError } from "../util/errors";

function recordingSink(): DisplaySink & { sent: { bundle: MimeBundle; opts: SendOptions }[] } {
  const sent: { bundle: MimeBundle; opts: SendOptions }[] = [];
  return { name: "test", sent, send: (bundle, opts) => void sent.push({ bundle, opts }) };
}

test("show sends the full bundle through the sink that setDisplaySink installed", () => {
  const sink = recordingSink();
  const before = setDisplaySink(sink);
  try {
    show(asDisplay({ "text/plain": "p", "image/svg+xml": "<svg/>" }), { displayId: "d1" });
    show("again", { displayId: "d1", update: true });
  } finally {
    setDisplaySink(before);
  }
  assert.deepEqual(sink.sent, [
    { bundle: { "text/plain": "p", "image/svg+xml": "<svg/>" }, opts: { displayId: "d1", update: false } },
    { bundle: { "text/plain": "again" }, opts: { displayId: "d1", update: true } },
  ]);
  assert.notEqual(currentSink(), sink, "setDisplaySink(before) restores detection");
});

test("show refuses html beside vega-lite and update without an id, sending nothing", () => {
  const sink = recordingSink();
  const bad = asDisplay({ "text/plain": "c", "text/html": "<div/>", "application/vnd.vegalite.v5+json": {} });
  assert.throws(() => show(bad, { sink }), (e: unknown) => e instanceof BertLabError && e.code === "BUNDLE_HTML_WITH_VEGALITE");
  assert.throws(() => show("x", { sink, update: true }), (e: unknown) => e instanceof BertLabError && e.code === "UPDATE_WITHOUT_ID");
  assert.equal(sink.sent.length, 0);
});

test("plain node: detectKernel() is console and the console sink prints text/plain", () => {
  assert.equal(detectKernel(), "console");
  const lines: string[] = [];
  consoleSink((l) => lines.push(l)).send({ "text/plain": "loss 0.5", "image/svg+xml": "<svg/>" }, { update: false });
  assert.deepEqual(lines, ["loss 0.5"]);
});

test("displayContent: bytes go as base64, JSON as is, display_id in transient", () => {
  const c = displayContent({ "text/plain": "img", "image/png": new Uint8Array([1, 2, 3]), "application/vnd.vegalite.v5+json": { mark: "bar" } }, "id7");
  assert.deepEqual(c, {
    data: { "text/plain": "img", "image/png": "AQID", "application/vnd.vegalite.v5+json": { mark: "bar" } },
    metadata: {},
    transient: { display_id: "id7" },
  });
  assert.deepEqual(displayContent({ "text/plain": "x" }).transient, {});
});

test("Deno sink: display_data then update_display_data via Deno.jupyter.broadcast", async () => {
  const messages: { type: string; content: unknown }[] = [];
  const g = globalThis as { Deno?: unknown };
  assert.equal(g.Deno, undefined);
  g.Deno = { jupyter: { broadcast: async (type: string, content: unknown) => void messages.push({ type, content }) } };
  try {
    assert.equal(detectKernel(), "deno");
    assert.equal(currentSink().name, "deno");
    show("step 1", { displayId: "live" });
    show(asDisplay({ "text/plain": "step 2", "image/svg+xml": "<svg/>" }), { displayId: "live", update: true });
    await denoSink().send({ "text/plain": "plain" }, { update: false });
  } finally {
    delete g.Deno;
  }
  assert.deepEqual(messages, [
    { type: "display_data", content: { data: { "text/plain": "step 1" }, metadata: {}, transient: { display_id: "live" } } },
    { type: "update_display_data", content: { data: { "text/plain": "step 2", "image/svg+xml": "<svg/>" }, metadata: {}, transient: { display_id: "live" } } },
    { type: "display_data", content: { data: { "text/plain": "plain" }, metadata: {}, transient: {} } },
  ]);
  assert.equal(detectKernel(), "console");
});

test("tslab sink: found through tslab's loaded jupyter module; full bundle in one message", () => {
  const calls: { content: unknown; update: boolean }[] = [];
  const file = "/nowhere/node_modules/tslab/dist/jupyter.js";
  const cache = require.cache as Record<string, unknown>;
  cache[file] = { id: file, filename: file, loaded: true, exports: { lastWriteDisplayData: null } };
  try {
    assert.equal(detectKernel(), "console", "a writer not yet set (no cell running) is not tslab");
    (cache[file] as { exports: { lastWriteDisplayData: unknown } }).exports.lastWriteDisplayData = (content: unknown, update: boolean) =>
      void calls.push({ content, update });
    assert.equal(detectKernel(), "tslab");
    show(asDisplay({ "text/plain": "t", "application/vnd.vegalite.v5+json": { mark: "line" } }), { displayId: "x1" });
    show("t2", { displayId: "x1", update: true });
  } finally {
    delete cache[file];
  }
  assert.deepEqual(calls, [
    { content: { data: { "text/plain": "t", "application/vnd.vegalite.v5+json": { mark: "line" } }, metadata: {}, transient: { display_id: "x1" } }, update: false },
    { content: { data: { "text/plain": "t2" }, metadata: {}, transient: { display_id: "x1" } }, update: true },
  ]);
  assert.throws(() => tslabSink().send({ "text/plain": "x" }, { update: false }), (e: unknown) => e instanceof BertLabError && e.code === "NO_TSLAB");
});
