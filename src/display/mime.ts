// MIME bundles: what a Jupyter front end receives for one output. A bundle maps MIME types
// to representations; the front end draws the richest one it knows. We follow Deno's
// convention for "an object that displays itself": a method under
// Symbol.for("Jupyter.display") that returns its bundle (Deno's runtime/js/40_jupyter.js).
import { inspect } from "node:util";
import { BertLabError } from "../util/errors";

/**
 * One Jupyter output: MIME type → representation (a string, a JSON value, or bytes).
 *
 * @example
 *   const b: MimeBundle = { "text/plain": "3 tokens", "image/svg+xml": "<svg …/>" };
 */
export type MimeBundle = Record<string, unknown>;

/**
 * The method key by which an object displays itself (Deno's Jupyter convention).
 *
 * @example
 *   const card = { [DISPLAY]: () => ({ "text/plain": "hi", "text/markdown": "**hi**" }) };
 *   bundleOf(card)["text/markdown"]   // "**hi**"
 */
export const DISPLAY: unique symbol = Symbol.for("Jupyter.display");

/** An object that knows its own MIME bundle. */
export interface Displayable {
  [DISPLAY](): MimeBundle;
}

/**
 * Wraps a ready bundle so `show()` sends it as is (a plain object would be shown as text).
 *
 * @example
 *   show(asDisplay({ "text/plain": "heatmap", "image/svg+xml": svg }))
 */
export function asDisplay(bundle: MimeBundle): Displayable {
  return { [DISPLAY]: () => bundle };
}

/** True when `x` has a `[Symbol.for("Jupyter.display")]()` method. */
export function isDisplayable(x: unknown): x is Displayable {
  return (typeof x === "object" || typeof x === "function") && x !== null && typeof (x as Displayable)[DISPLAY] === "function";
}

/**
 * The plain-text form of any value: strings as they are, everything else through
 * util.inspect, deep enough for a config and short enough for a tensor's data.
 *
 * @example
 *   textOf({ hiddenSize: 128 })   // "{ hiddenSize: 128 }"
 */
export function textOf(x: unknown): string {
  if (typeof x === "string") return x;
  return inspect(x, { depth: 4, maxArrayLength: 100, maxStringLength: 10_000, breakLength: 100 });
}

/**
 * The bundle for any value: the object's own bundle when it has one (with a text/plain
 * fallback added if it left that out), else `{ "text/plain": textOf(x) }`.
 *
 * @example
 *   bundleOf("hello")   // { "text/plain": "hello" }
 *   bundleOf([1, 2])    // { "text/plain": "[ 1, 2 ]" }
 */
export function bundleOf(x: unknown): MimeBundle {
  if (!isDisplayable(x)) return { "text/plain": textOf(x) };
  const own: unknown = x[DISPLAY]();
  if (own !== null && typeof own === "object" && typeof (own as { then?: unknown }).then === "function") {
    throw new BertLabError(
      "DISPLAY_ASYNC",
      "[Symbol.for(\"Jupyter.display\")]() returned a Promise: show() needs the bundle itself — await it first and pass asDisplay(bundle)",
    );
  }
  if (own === null || typeof own !== "object" || Array.isArray(own)) {
    throw new BertLabError(
      "DISPLAY_NOT_BUNDLE",
      `[Symbol.for("Jupyter.display")]() returned ${textOf(own)}, not a MIME bundle — return an object such as { "text/plain": "…" }`,
    );
  }
  const bundle = own as MimeBundle;
  return "text/plain" in bundle ? bundle : { "text/plain": textOf(x), ...bundle };
}

const VEGA_LITE = /^application\/vnd\.vegalite\.v\d+\+json$/;

/**
 * Refuses bundles a front end would draw wrongly; returns the bundle unchanged when fine.
 * - text/plain is required: it is what nbconvert, the console and screen readers fall back to.
 * - text/html beside vega-lite is refused: JupyterLab prefers text/html and the chart would
 *   never be drawn (measured, DESIGN.md §5).
 *
 * @example
 *   checkBundle({ "text/plain": "chart", "application/vnd.vegalite.v5+json": spec })   // ok
 *   checkBundle({ "text/html": "<b>x</b>" })   // throws BertLabError BUNDLE_NO_TEXT
 */
export function checkBundle(bundle: MimeBundle): MimeBundle {
  if (bundle === null || typeof bundle !== "object" || Array.isArray(bundle)) {
    throw new BertLabError("BUNDLE_NOT_OBJECT", `a MIME bundle must be an object of MIME type → data, got ${textOf(bundle)}`);
  }
  const types = Object.keys(bundle);
  if (typeof bundle["text/plain"] !== "string") {
    throw new BertLabError(
      "BUNDLE_NO_TEXT",
      `MIME bundle [${types.join(", ")}] has no text/plain string — add "text/plain": a one-line description of the output`,
    );
  }
  const vega = types.find((t) => VEGA_LITE.test(t));
  if (vega !== undefined && "text/html" in bundle) {
    throw new BertLabError(
      "BUNDLE_HTML_WITH_VEGALITE",
      `MIME bundle has text/html beside ${vega}: JupyterLab would draw the html and never the chart — drop text/html (keep text/plain and ${vega})`,
    );
  }
  return bundle;
}
