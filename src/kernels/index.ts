/**
 * Ops with a native kernel on wasm (when the addon is built and on) and the same math in
 * tfjs ops everywhere else: the model calls these, never the kernels directly.
 */
export { gelu } from "./gelu";
export { layerNorm } from "./layer-norm";
export { dropoutMask, dropoutMaskValues, dropoutWithSeed } from "./dropout-mask";
export { softmax } from "./softmax";
export { softmaxCrossEntropyNative } from "./cross-entropy";
