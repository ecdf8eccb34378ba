/**
 * BERT Lab: the public API a notebook imports.
 *
 * @example
 *   import { BertTokenizer } from "bert-lab";
 *   const tok = BertTokenizer.fromFile("vocab.txt");
 *   console.log(tok.tokenize("Unaffable naïve café")); // prints: [ 'una', '##ffa', '##ble', 'naive', 'cafe' ]
 */
export * from "./util";
export * from "./tokenization";
export { BertLabError } from "./util/errors";
export { writeFileAtomic } from "./util/atomic-write";
export { sharedFolder } from "./util/shared-folder";
export * from "./model";
export * from "./training";
export * from "./backend";
export * from "./data";
export * from "./pretraining";
export * from "./finetuning";
export * from "./display";
export * from "./experiments";
