// What the BERT Lab kernel does with a cell's last value: a value that can display itself
// ([Symbol.for("Jupyter.display")]) goes out as its full MIME bundle; a tfjs tensor shows
// its shape, dtype, statistics and a small heatmap; anything else is printed as tslab
// prints it; null and undefined show nothing.
import { isDisplayable } from "../display/mime";
import { show, ShowOptions } from "../display/show";

/** A tfjs Tensor from any copy of tfjs-core (duck-typed: the user's import may be another copy). */
function looksLikeTensor(x: unknown): boolean {
  const t = x as { shape?: unknown; dtype?: unknown; dataSync?: unknown; isDisposed?: unknown };
  return typeof x === "object" && x !== null && Array.isArray(t.shape) && typeof t.dtype === "string" && typeof t.dataSync === "function" && typeof t.isDisposed === "boolean";
}

/**
 * Shows a cell's last value the richest way it allows.
 *
 * @example
 *   presentValue(await chart(spec))   // vega-lite + SVG + text, one output
 *   presentValue(tf.eye(3))           // "Tensor float32 [3, 3] …" and a 3×3 heatmap
 *   presentValue(42)                  // prints 42
 */
export function presentValue(value: unknown, options: { log?: (v: unknown) => void; show?: ShowOptions } = {}): void {
  if (value === undefined || value === null) return;
  if (isDisplayable(value)) {
    show(value, options.show);
    return;
  }
  if (looksLikeTensor(value)) {
    // loaded on first use: the kernel starts without tfjs
    const { tensorView } = require("../display/tensor-view") as typeof import("../display/tensor-view");
    show(tensorView(value as Parameters<typeof tensorView>[0]), options.show);
    return;
  }
  (options.log ?? console.log)(value);
}
