import { test } from "node:test";
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as vm from "node:vm";
import { bundleOf, checkBundle, MimeBundle } from "./mime";
import { setDisplaySink, DisplaySink } from "./show";
import { VEGA_LITE_MIME } from "./charts/render";
import { assertWellFormedSvg } from "./charts/svg.test.helper";
import { projectionView, ProjectionPoint } from "./projection";
import { escapeScript, plotlyHtml, plotlyLoader, PLOTLY_MIME, resetPlotlyLoader, ensurePlotlyLoaded } from "./plotly";
import { Rng } from "../util/rng";

function points(n: number, d: number, seed: number): ProjectionPoint[] {
  const rng = new Rng(seed);
  return Array.from({ length: n }, (_, i) => ({ label: `tok${i}`, group: i % 2 ? "B" : "A", vector: Array.from({ length: d }, (_, j) => rng.normal() * (j < 3 ? 3 - j : 0.1)) }));
}

/** Records every bundle show() sends. */
function recording(): { sink: DisplaySink; sent: MimeBundle[] } {
  const sent: MimeBundle[] = [];
  return { sent, sink: { name: "test", send: (b) => void sent.push(b) } };
}

test("projectionView 2-D: vega-lite + svg + text, never text/html; labels drawn, coloured by group", async () => {
  const pts = points(12, 16, 1);
  const rec = recording();
  const before = setDisplaySink(rec.sink);
  try {
    resetPlotlyLoader();
    const v = await projectionView(pts, { title: "2-D" });
    assert.deepEqual(Object.keys(bundleOf(v)).sort(), ["application/vnd.vegalite.v5+json", "image/svg+xml", "text/plain"]);
    checkBundle(bundleOf(v));
    assert.equal(rec.sent.length, 0, "2-D sends no plotly loader");
    const svg = v.bundle["image/svg+xml"] as string;
    assertWellFormedSvg(svg);
    for (const p of pts) assert.ok(svg.includes(`>${p.label}</text>`), `label ${p.label} drawn`);
    const spec = v.bundle[VEGA_LITE_MIME] as { data: { values: { x: number; y: number; group: string }[] }; encoding: { color: { scale: { domain: string[] } } } };
    assert.deepEqual(spec.encoding.color.scale.domain, ["A", "B"]);
    assert.equal(spec.data.values.length, 12);
    assert.deepEqual([spec.data.values[3].x, spec.data.values[3].y], v.points[3].coords);
    assert.match(v.text, /^2-D\nPCA of 12 points \(d = 16\) to 2-D: PC1 \d+\.\d%, PC2 \d+\.\d% of the variance/);
  } finally {
    setDisplaySink(before);
  }
});

test("projectionView 3-D: plotly json + html + text; the loader is sent once across calls", async () => {
  const rec = recording();
  const before = setDisplaySink(rec.sink);
  try {
    resetPlotlyLoader();
    const a = await projectionView(points(10, 8, 2), { dims: 3 });
    const b = await projectionView(points(6, 8, 3), { dims: 3, title: "again" });
    assert.equal(rec.sent.length, 1, "the loader went out exactly once");
    assert.match(String(rec.sent[0]["text/plain"]), /^plotly\.js 3\.\d+\.\d+ loaded \(offline\)$/);
    assert.ok((rec.sent[0]["text/html"] as string).length > 1_000_000, "the loader inlines plotly.min.js");
    for (const v of [a, b]) {
      const bundle = bundleOf(v);
      assert.deepEqual(Object.keys(bundle).sort(), [PLOTLY_MIME, "text/html", "text/plain"]);
      checkBundle(bundle);
    }
    const fig = a.bundle[PLOTLY_MIME] as { data: { type: string; name: string; x: number[]; y: number[]; z: number[]; text: string[] }[] };
    assert.deepEqual(fig.data.map((t) => [t.type, t.name, t.x.length, t.z.length]), [["scatter3d", "A", 5, 5], ["scatter3d", "B", 5, 5]]);
    assert.deepEqual([fig.data[1].x[0], fig.data[1].y[0], fig.data[1].z[0]], a.points[1].coords);
    assert.equal(a.pca.explainedVariance.length, 3);
    resetPlotlyLoader();
    await projectionView(points(4, 8, 4), { dims: 3 });
    assert.equal(rec.sent.length, 2, "after resetPlotlyLoader() it is sent again");
    assert.equal(ensurePlotlyLoaded(), false);
  } finally {
    setDisplaySink(before);
  }
});

test("plotly: the console gets no loader (a terminal runs no scripts)", () => {
  resetPlotlyLoader();
  const lines: string[] = [];
  assert.equal(ensurePlotlyLoaded({ name: "console", send: (b) => void lines.push(String(b["text/plain"])) }), false);
  assert.deepEqual(lines, []);
});

test("plotly html: no URL, no src=, a guard when Plotly is missing, labels cannot close the script", async () => {
  const rec = recording();
  const before = setDisplaySink(rec.sink);
  try {
    resetPlotlyLoader();
    const pts = points(5, 4, 5);
    pts[0].label = "</script><b>x</b>";
    const v = await projectionView(pts, { dims: 3 });
    const html = v.bundle["text/html"] as string;
    for (const bad of ["src=", "http", "cdn", "//"]) assert.ok(!html.toLowerCase().includes(bad), `figure html contains ${bad}`);
    assert.equal(html.match(/<\/script/gi)?.length, 1, "only the figure's own </script>");
    assert.match(html, /<noscript>/);
    // the loader: the wrapper around the library text has no URL either
    const loader = rec.sent[0]["text/html"] as string;
    const lib = escapeScript(fs.readFileSync(require.resolve("plotly.js-dist-min/plotly.min.js"), "utf8"));
    assert.ok(loader.includes(lib));
    const wrapper = loader.replace(lib, "");
    assert.equal(wrapper, `<script type="text/javascript">\n\n</script>`);
    assert.equal(loader.match(/<\/script/gi)?.length, 1);
  } finally {
    setDisplaySink(before);
  }
});

/** Runs the figure html's script against a fake page; returns what it did. */
function runFigure(html: string, plotly: unknown): { text: string; calls: unknown[][] } {
  const id = /<div id="([^"]+)"/.exec(html)![1];
  const script = /<script type="text\/javascript">([\s\S]*)<\/script>/.exec(html)![1];
  const el = { id, textContent: "", style: {} as Record<string, string> };
  const calls: unknown[][] = [];
  const window: Record<string, unknown> = {};
  if (plotly) window.Plotly = { newPlot: (...args: unknown[]) => void calls.push(args) };
  vm.runInNewContext(script, { window, document: { getElementById: (x: string) => (x === id ? el : null) } });
  return { text: el.textContent, calls };
}

test("plotly html: draws with window.Plotly, or says how to load it", () => {
  const fig = { data: [{ type: "scatter3d", x: [1], y: [2], z: [3], text: ["</script>"] }], layout: { title: { text: "t" } } };
  const html = plotlyHtml(fig);
  const missing = runFigure(html, false);
  assert.match(missing.text, /^plotly\.js is not loaded in this page: run plotlyLoader\(\)/);
  const drawn = runFigure(html, true);
  assert.equal(drawn.text, "");
  assert.equal(drawn.calls.length, 1);
  assert.equal((drawn.calls[0][0] as { id: string }).id, /<div id="([^"]+)"/.exec(html)![1]);
  const json = (x: unknown) => JSON.parse(JSON.stringify(x)) as unknown; // objects from the vm realm have its prototypes
  assert.deepEqual(json(drawn.calls[0][1]), fig.data, "the data survive the <script> escaping");
  assert.deepEqual(json(drawn.calls[0][2]), fig.layout);
  assert.notEqual(/<div id="([^"]+)"/.exec(plotlyHtml(fig))![1], /<div id="([^"]+)"/.exec(html)![1], "a fresh div id per figure");
});

test("plotlyLoader and escapeScript", () => {
  assert.equal(escapeScript('a = "</script>"; b = "</SCRIPT"; c = "<!--"'), 'a = "<\\/script>"; b = "<\\/SCRIPT"; c = "<\\!--"');
  const b = bundleOf(plotlyLoader());
  assert.deepEqual(Object.keys(b).sort(), ["text/html", "text/plain"]);
  assert.match(b["text/html"] as string, /^<script type="text\/javascript">\n\/\*\*\n\* plotly\.js v3\./);
  assert.ok((b["text/html"] as string).endsWith("\n</script>"));
});

test("projectionView: bad dims and empty input are refused", async () => {
  await assert.rejects(projectionView([], { dims: 2 }), /no points/);
  await assert.rejects(projectionView(points(3, 3, 1), { dims: 4 as 2 }), /dims must be 2 or 3/);
  await assert.rejects(projectionView([{ label: "a", vector: [1, 2] }, { label: "b", vector: [1] }]), /same, non-zero length/);
});
