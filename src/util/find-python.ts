/**
 * Finds CPython for the tests and benchmarks that compare against it (Debian's python3
 * first: another python3 may come first on PATH).
 */
import { spawnSync } from "node:child_process";

let cached: string | null | undefined;

/** The path of a CPython ≥ 3.9, or null. */
export function findPython(): string | null {
  if (cached !== undefined) return cached;
  cached = null;
  for (const exe of ["/usr/bin/python3", "python3"]) {
    const probe = spawnSync(exe, ["-c", "import sys; print(sys.implementation.name, sys.version_info >= (3, 9))"], {
      encoding: "utf8",
    });
    if (probe.status === 0 && probe.stdout.trim() === "cpython True") {
      cached = exe;
      break;
    }
  }
  return cached;
}

/**
 * node:test options for a test that needs CPython: outside CI it skips with the reason;
 * under CI=true it runs (and fails if python3 is missing: .ci/run installs it).
 */
export function needsPython(): { skip: string | false } {
  if (findPython() || process.env.CI === "true") return { skip: false };
  return { skip: "needs CPython ≥ 3.9 (Debian's python3) as /usr/bin/python3 or python3 on PATH" };
}

/**
 * node:test options for a test that needs PyTorch (Debian's python3-torch): skips with the
 * reason outside CI; under CI=true it runs (.ci/run installs python3-torch).
 */
export function needsTorch(): { skip: string | false } {
  if (process.env.CI === "true") return { skip: false };
  const python = findPython();
  if (!python) return { skip: "needs CPython with torch (Debian's python3-torch)" };
  const probe = spawnSync(python, ["-c", "import torch"], { encoding: "utf8" });
  return probe.status === 0 ? { skip: false } : { skip: `${python} has no torch: apt-get install python3-torch` };
}
