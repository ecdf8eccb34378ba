// What the BERT Lab kernel does with a cell's last value: a value that can display itself
// ([Symbol.for("Jupyter.display")]) goes out as its full MIME bundle; anything else is
// printed as tslab prints it; null and undefined show nothing.
import { isDisplayable } from "../display/mime";
import { show, ShowOptions } from "../display/show";

/**
 * Shows a cell's last value the richest way it allows.
 *
 * @example
 *   presentValue(await chart(spec))   // vega-lite + SVG + text, one output
 *   presentValue(42)                  // prints 42
 */
export function presentValue(value: unknown, options: { log?: (v: unknown) => void; show?: ShowOptions } = {}): void {
  if (value === undefined || value === null) return;
  if (isDisplayable(value)) {
    show(value, options.show);
    return;
  }
  (options.log ?? console.log)(value);
}
