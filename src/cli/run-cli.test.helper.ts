// Runs `bert-lab ARGV…` in-process with captured stdout and stderr, for the CLI tests.
import { Writable } from "node:stream";
import { main } from "./main";

export async function runCli(argv: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = "";
  let err = "";
  const stdout = new Writable({ write: (c, _e, cb) => ((out += c), cb()) });
  const stderr = new Writable({ write: (c, _e, cb) => ((err += c), cb()) });
  const code = await main(argv, { stdin: process.stdin, stdout, stderr });
  return { code, out, err };
}
