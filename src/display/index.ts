// display: objects that show themselves in Jupyter (tslab, Deno) and charts rendered offline.
export { MimeBundle, DISPLAY, Displayable, asDisplay, isDisplayable, textOf, bundleOf, checkBundle } from "./mime";
export { show, setDisplaySink, currentSink, detectKernel, tslabSink, denoSink, consoleSink, newDisplayId, displayContent, SendOptions, DisplaySink, KernelKind, DisplayContent, ShowOptions } from "./show";
export { LiveDisplay, LiveClock, LiveDisplayOptions, LiveDisplayStats } from "./live";
export * from "./charts";
export { tokensView, TokensView, TokensViewInput, TokensViewOptions, WORD_PALETTE, SEGMENT_COLORS, SPECIAL_PIECES } from "./tokens-view";
export { maskingView, MaskingView, MaskingViewInput, MaskingViewOptions, MaskingCounts } from "./masking-view";
