import { test } from "node:test";
import assert from "node:assert/strict";
import { chart, chartBundle, Chart, renderSvg, VEGA_LITE_MIME, SVG_MIME } from "./render";
import { DISPLAY as JUPYTER_DISPLAY } from "../mime";
import { attentionHeatmapSpec } from "./heatmap";
import { assertWellFormedSvg, markCounts } from "./svg.test.helper";
import { BertLabError } from "../../util/errors";

const tokens = ["[CLS]", "the", "cat", "sat", "[SEP]"];
const uniform = tokens.map(() => tokens.map(() => 1 / tokens.length));

test("chartBundle has exactly vega-lite v5, SVG and text — never text/html", async () => {
  const spec = attentionHeatmapSpec(uniform, tokens, tokens, { title: "uniform" });
  const b = await chartBundle(spec);
  assert.deepEqual(Object.keys(b).sort(), [VEGA_LITE_MIME, SVG_MIME, "text/plain"].sort());
  assert.equal(VEGA_LITE_MIME, "application/vnd.vegalite.v5+json");
  assert.ok(!("text/html" in b));
  assert.equal(b[VEGA_LITE_MIME], spec);
  assert.equal(b["text/plain"], 'Chart "uniform": rect, 25 data rows (Vega-Lite v5)');
  assertWellFormedSvg(b[SVG_MIME]);
  assert.equal((await chartBundle(spec, { textPlain: "hi" }))["text/plain"], "hi");
});

test("await chart(spec) is displayable synchronously with its SVG pre-rendered", async () => {
  const c = await chart(attentionHeatmapSpec(uniform, tokens, tokens));
  assert.ok(c instanceof Chart);
  assert.equal(JUPYTER_DISPLAY, Symbol.for("Jupyter.display"));
  const b = c[JUPYTER_DISPLAY]();
  assert.deepEqual(Object.keys(b).sort(), [VEGA_LITE_MIME, SVG_MIME, "text/plain"].sort());
  assert.match(b[SVG_MIME] as string, /^<svg/);
  // an unrendered Chart still displays: spec + text, no SVG yet
  assert.deepEqual(Object.keys(new Chart({ mark: "point" })[JUPYTER_DISPLAY]()).sort(), [VEGA_LITE_MIME, "text/plain"].sort());
});

test("a 5×5 heatmap draws 25 cells", async () => {
  const svg = await renderSvg(attentionHeatmapSpec(uniform, tokens, tokens));
  assert.deepEqual(markCounts(svg, "rect"), [25]);
});

test("data from a URL is refused: charts render offline", async () => {
  const enc = { x: { field: "a", type: "quantitative" } };
  for (const spec of [
    { data: { url: "https://example.com/data.csv" }, mark: "point", encoding: enc },
    { layer: [{ data: { url: "data/cars.json" }, mark: "point", encoding: enc }] },
  ]) {
    await assert.rejects(renderSvg(spec), (e: unknown) => {
      assert.ok(e instanceof BertLabError);
      assert.equal(e.code, "CHART_DATA_URL");
      assert.match(e.message, /must be inline.*data: \{ values: \[\.\.\.\] \}/);
      return true;
    });
  }
  // the loader refuses too, for URLs the static check cannot see (an image mark's url)
  const image = { data: { values: [{ u: "https://example.com/x.png" }] }, mark: { type: "image", width: 10, height: 10 }, encoding: { url: { field: "u", type: "nominal" } } };
  const svg = await renderSvg(image);
  assert.match(svg, /<image [^>]*xlink:href=""/); // not fetched: drawn empty
});
