/**
 * The demo's HTML report: one self-contained page (no script, no network) with the
 * pre-training curves, the fine-tuning curves of the pre-trained and the random model, an
 * attention map of the trained model, and the results table — written atomically.
 */
import { chart } from "../../display/charts/render";
import { learningCurveSpec, MetricRecord, ReferenceLine } from "../../display/charts/learning-curves";
import { escapeHtml, table } from "../../display/table";
import { writeFileAtomic } from "../../util/atomic-write";

export interface DemoReport {
  title: string;
  /** lines of plain text under the title (what was run, on what) */
  summary: string[];
  pretraining: MetricRecord[];
  pretrainingReference?: ReferenceLine[];
  /** fine-tuning records by run name (e.g. "pre-trained", "random weights") */
  finetuning: Record<string, MetricRecord[]>;
  /** the results table's rows */
  results: Record<string, unknown>[];
  /** an SVG picture (the attention map) and its caption */
  attention?: { svg: string; caption: string };
  /** the closing lines (what to try next) */
  next: string[];
}

function svgImg(svg: string, alt: string): string {
  return `<img alt="${escapeHtml(alt)}" src="data:image/svg+xml;base64,${Buffer.from(svg, "utf8").toString("base64")}">`;
}

/**
 * Renders the report and writes it to `file` (temp file, then rename). Resolves to the page's size.
 *
 * @example
 *   await writeDemoReport("runs/demo/report.html", report)   // 210_000
 */
export async function writeDemoReport(file: string, r: DemoReport): Promise<number> {
  const pre = await chart(learningCurveSpec(r.pretraining, { metrics: ["mlm_loss", "nsp_loss"], reference: r.pretrainingReference, title: "Pre-training: masked LM and next-sentence losses" }));
  const hasFine = Object.values(r.finetuning).some((recs) => recs.some((x) => typeof x.loss === "number"));
  const fine = hasFine ? await chart(learningCurveSpec(r.finetuning, { metrics: ["loss"], title: "Fine-tuning: pre-trained vs random weights (train loss)" })) : null;
  const results = table(r.results, { title: "Results on the dev set" });
  const parts = [
    `<!DOCTYPE html><html><head><meta charset="utf-8"><title>${escapeHtml(r.title)}</title>`,
    `<style>body{font-family:system-ui,-apple-system,"Segoe UI",sans-serif;margin:2em auto;max-width:62em;color:#222;line-height:1.45}`,
    `h1{font-size:1.5em}h2{font-size:1.15em;margin-top:1.8em}pre{background:#f6f6f6;padding:.8em;white-space:pre-wrap}img{max-width:100%}.note{color:#555}</style></head><body>`,
    `<h1>${escapeHtml(r.title)}</h1>`,
    `<pre>${escapeHtml(r.summary.join("\n"))}</pre>`,
    `<h2>Results</h2>`,
    r.results.length ? String(results.html) : `<p class="note">No fine-tuning in this run.</p>`,
    `<h2>Pre-training</h2>`,
    svgImg(String(pre.svg), "pre-training curves"),
    ...(fine ? [`<h2>Fine-tuning</h2>`, svgImg(String(fine.svg), "fine-tuning loss")] : []),
  ];
  if (r.attention) parts.push(`<h2>Attention</h2>`, `<p class="note">${escapeHtml(r.attention.caption)}</p>`, svgImg(r.attention.svg, "attention map"));
  parts.push(`<h2>Next</h2>`, `<pre>${escapeHtml(r.next.join("\n"))}</pre>`, `</body></html>\n`);
  const page = parts.join("\n");
  writeFileAtomic(file, page);
  return page.length;
}
