/**
 * A data file's text, strictly UTF-8 (a leading BOM dropped), with errors that name the file
 * and the fix. What every reader that parses a whole file at once starts with.
 *
 * @example
 *   const text = readUtf8("glue/SST-2/dev.tsv", "GLUE file", "download GLUE (download_glue_data.py) or check the path");
 */
import * as fs from "node:fs";
import { BertLabError } from "../util/errors";

/** `what` names the kind of file ("SQuAD file"); `hint` is the fix for a file that cannot be read. */
export function readUtf8(file: string, what: string, hint = "check the path"): string {
  let bytes: Buffer;
  try {
    bytes = fs.readFileSync(file);
  } catch (e) {
    throw new BertLabError("INPUT_NOT_FOUND", `cannot read ${what} ${file}: ${(e as Error).message} — ${hint}`);
  }
  try {
    return new TextDecoder("utf-8", { fatal: true }).decode(bytes);
  } catch {
    throw new BertLabError("BAD_ENCODING", `${file}: not valid UTF-8 — convert the file to UTF-8 (e.g. iconv -f latin1 -t utf-8)`);
  }
}
