import * as fs from "node:fs";
import * as path from "node:path";

/**
 * Writes a folder so that it is complete or absent, never half written: `write(tmp)` fills
 * `.NAME.partial-PID` beside it, which is then renamed into place (an existing folder of that
 * name is swapped out and removed). A crash leaves only the hidden partial folder.
 *
 * @example
 *   writeFolderAtomic("runs/sst2/best", (dir) => model.savePretrained(dir));
 */
export function writeFolderAtomic(dir: string, write: (tmp: string) => void): string {
  const parent = path.dirname(path.resolve(dir));
  const name = path.basename(dir);
  fs.mkdirSync(parent, { recursive: true });
  const tmp = path.join(parent, `.${name}.partial-${process.pid}`);
  fs.rmSync(tmp, { recursive: true, force: true });
  fs.mkdirSync(tmp);
  write(tmp);
  if (fs.existsSync(dir)) {
    const old = path.join(parent, `.${name}.old-${process.pid}`);
    fs.renameSync(dir, old);
    fs.renameSync(tmp, dir);
    fs.rmSync(old, { recursive: true, force: true });
  } else {
    fs.renameSync(tmp, dir);
  }
  return dir;
}
