// For tests: temporary folders that are removed when the test file ends.
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { after } from "node:test";

/**
 * A maker of temporary folders, all removed after the file's tests.
 *
 * @example
 *   const tmp = tempFolders();
 *   const dir = tmp("cache"); // /tmp/bert-lab-cache-XXXXXX
 */
export function tempFolders(): (prefix: string) => string {
  const made: string[] = [];
  after(() => made.forEach((d) => fs.rmSync(d, { recursive: true, force: true })));
  return (prefix: string) => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), `bert-lab-${prefix}-`));
    made.push(dir);
    return dir;
  };
}
