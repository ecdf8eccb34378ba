/**
 * The one error type of the lab. Its message names the thing that is wrong and how to fix it,
 * e.g. `vocab file has no [UNK] entry: data/vocab.txt — add a line "[UNK]" or pass unkToken`.
 *
 * @example
 *   try { loadVocab("missing.txt") } catch (e) { console.log((e as BertLabError).code) }
 *   // prints: ENOENT_VOCAB
 */
export class BertLabError extends Error {
  /** A short, stable identifier tests and callers can match on. */
  readonly code: string;

  constructor(code: string, message: string) {
    super(message);
    this.name = "BertLabError";
    this.code = code;
  }
}
