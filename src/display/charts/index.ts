/** Charts as MIME bundles: Vega-Lite v5 specs, rendered to SVG offline. */
export { renderSvg, chartBundle, chartSummary, assertInlineData, chart, Chart, VEGA_LITE_MIME, SVG_MIME } from "./render";
export type { VegaLiteSpec, ChartBundle, ChartOptions } from "./render";
export { learningCurveSpec, curvePoints } from "./learning-curves";
export type { MetricRecord, ReferenceLine, LearningCurveOptions, CurvePoint } from "./learning-curves";
export { attentionHeatmapSpec } from "./heatmap";
export type { HeatmapOptions } from "./heatmap";
