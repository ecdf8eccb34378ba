import * as fs from "node:fs";
import { writeFileAtomic } from "./atomic-write";

/**
 * Keeps the JSON Lines of `file` whose "step" is ≤ `step` (and drops a torn last line), so
 * a run resumed from checkpoint STEP does not repeat what a killed run wrote after it.
 *
 * @example
 *   keepJsonlUpToStep("runs/tiny/metrics.jsonl", 200);
 */
export function keepJsonlUpToStep(file: string, step: number): void {
  if (!fs.existsSync(file)) return;
  const kept = fs
    .readFileSync(file, "utf8")
    .split("\n")
    .filter((line) => {
      try {
        return line.trim() !== "" && JSON.parse(line).step <= step;
      } catch {
        return false;
      }
    });
  writeFileAtomic(file, kept.map((l) => l + "\n").join(""));
}
