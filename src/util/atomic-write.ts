import * as fs from "node:fs";
import * as path from "node:path";

/**
 * Writes a file so that a crash or an interrupt never leaves it half written: the data goes
 * to a temporary file beside it, is flushed, and is renamed over the target.
 *
 * @example
 *   writeFileAtomic("out/vocab.txt", "[PAD]\n[UNK]\n"); // out/vocab.txt is old or new, never torn
 */
export function writeFileAtomic(file: string, data: string | Uint8Array): void {
  const dir = path.dirname(path.resolve(file));
  const tmp = path.join(dir, `.${path.basename(file)}.${process.pid}.${Date.now()}.tmp`);
  const fd = fs.openSync(tmp, "w");
  try {
    fs.writeSync(fd, typeof data === "string" ? Buffer.from(data, "utf8") : data);
    fs.fsyncSync(fd);
  } catch (e) {
    fs.closeSync(fd);
    fs.rmSync(tmp, { force: true });
    throw e;
  }
  fs.closeSync(fd);
  try {
    fs.renameSync(tmp, file);
  } catch (e) {
    fs.rmSync(tmp, { force: true });
    throw e;
  }
}
