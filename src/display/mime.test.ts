import { test } from "node:test";
import assert from "node:assert/strict";
import { asDisplay, bundleOf, checkBundle, DISPLAY, isDisplayable, textOf } from "./mime";
import { BertLabError } from "../util/errors";

test("DISPLAY is Deno's registered symbol", () => {
  assert.equal(DISPLAY, Symbol.for("Jupyter.display"));
});

test("bundleOf: an object's own bundle is used", () => {
  const svg = "<svg xmlns='http://www.w3.org/2000/svg'/>";
  const card = { [Symbol.for("Jupyter.display")]: () => ({ "text/plain": "card", "image/svg+xml": svg }) };
  assert.ok(isDisplayable(card));
  assert.deepEqual(bundleOf(card), { "text/plain": "card", "image/svg+xml": svg });
  assert.deepEqual(bundleOf(asDisplay({ "text/plain": "t", "text/markdown": "**t**" })), { "text/plain": "t", "text/markdown": "**t**" });
});

test("bundleOf: an own bundle without text/plain gets one", () => {
  class Chart {
    [DISPLAY]() {
      return { "application/vnd.vegalite.v5+json": { mark: "bar" } };
    }
  }
  const b = bundleOf(new Chart());
  assert.equal(typeof b["text/plain"], "string");
  assert.match(b["text/plain"] as string, /Chart/);
  assert.deepEqual(b["application/vnd.vegalite.v5+json"], { mark: "bar" });
});

test("bundleOf: fallbacks are text/plain (strings as is, others inspected)", () => {
  assert.deepEqual(bundleOf("hello\nworld"), { "text/plain": "hello\nworld" });
  assert.deepEqual(bundleOf([1, 2]), { "text/plain": "[ 1, 2 ]" });
  assert.deepEqual(bundleOf(undefined), { "text/plain": "undefined" });
  assert.deepEqual(bundleOf({ hiddenSize: 128 }), { "text/plain": "{ hiddenSize: 128 }" });
  // deep enough to show a nested config, bounded for huge arrays
  assert.match(textOf({ a: { b: { c: { d: 1 } } } }), /d: 1/);
  assert.match(textOf(new Array(1000).fill(0)), /900 more items/);
});

test("bundleOf refuses async or non-object bundles with a named error", () => {
  const asyncOne = { [DISPLAY]: async () => ({ "text/plain": "x" }) };
  assert.throws(() => bundleOf(asyncOne), (e: unknown) => e instanceof BertLabError && e.code === "DISPLAY_ASYNC");
  const bad = { [DISPLAY]: () => "just text" };
  assert.throws(() => bundleOf(bad), (e: unknown) => e instanceof BertLabError && e.code === "DISPLAY_NOT_BUNDLE");
});

test("checkBundle refuses text/html beside vega-lite, naming both", () => {
  const spec = { mark: "point" };
  assert.throws(
    () => checkBundle({ "text/plain": "chart", "text/html": "<div/>", "application/vnd.vegalite.v5+json": spec }),
    (e: unknown) =>
      e instanceof BertLabError &&
      e.code === "BUNDLE_HTML_WITH_VEGALITE" &&
      /text\/html/.test(e.message) &&
      /application\/vnd\.vegalite\.v5\+json/.test(e.message),
  );
  const ok = { "text/plain": "chart", "application/vnd.vegalite.v5+json": spec };
  assert.equal(checkBundle(ok), ok);
  // html alone (a table) is fine
  assert.doesNotThrow(() => checkBundle({ "text/plain": "table", "text/html": "<table/>" }));
});

test("checkBundle requires a text/plain string", () => {
  assert.throws(() => checkBundle({ "text/html": "<b>x</b>" }), (e: unknown) => e instanceof BertLabError && e.code === "BUNDLE_NO_TEXT" && /text\/html/.test(e.message));
  assert.throws(() => checkBundle({ "text/plain": 3 }), /text\/plain/);
  assert.throws(() => checkBundle(null as never), (e: unknown) => e instanceof BertLabError && e.code === "BUNDLE_NOT_OBJECT");
});
