#!/usr/bin/env node
/** The `bert-lab` command: `bert-lab <command> [options]`, `bert-lab --help`. */
import * as fs from "node:fs";
import * as path from "node:path";
import { BertLabError } from "../util/errors";
import { repoRoot } from "../util/shared-folder";
import { helpText, parseArgs } from "./args";
import { CliIO, Command } from "./command";
import { benchTrainCommand } from "./commands/bench";
import { createPretrainingDataCommand } from "./commands/create-pretraining-data";
import { dataFetchCommand, dataListCommand } from "./commands/data";
import { demoCommand } from "./commands/demo";
import { doctorCommand } from "./commands/doctor";
import { featuresCommand } from "./commands/features";
import { fillMaskCommand } from "./commands/fill-mask";
import { evaluateCommand, finetuneCommand } from "./commands/finetune";
import { experimentCommand } from "./commands/experiment";
import { forwardCommand } from "./commands/forward";
import { kernelInstallCommand, kernelUninstallCommand } from "./commands/kernel";
import { paramsCommand } from "./commands/params";
import { pretrainCommand } from "./commands/pretrain";
import { tokenizeCommand } from "./commands/tokenize";
import { vocabTrainCommand } from "./commands/vocab-train";
import { walkthroughCommand } from "./commands/walkthrough";

/** Every command, by the words that name it. */
export const COMMANDS: Command[] = [demoCommand, walkthroughCommand, tokenizeCommand, vocabTrainCommand, createPretrainingDataCommand, pretrainCommand, finetuneCommand, evaluateCommand, experimentCommand, paramsCommand, forwardCommand, fillMaskCommand, featuresCommand, dataListCommand, dataFetchCommand, kernelInstallCommand, kernelUninstallCommand, doctorCommand, benchTrainCommand];

function version(): string {
  try {
    return JSON.parse(fs.readFileSync(path.join(repoRoot(), "package.json"), "utf8")).version;
  } catch {
    return "unknown";
  }
}

function mainHelp(): string {
  const width = Math.max(...COMMANDS.map((c) => c.spec.name.length)) + 2;
  return [
    `bert-lab ${version()} — teach, train and dissect BERT`,
    "",
    "Usage: bert-lab <command> [options]",
    "",
    "Commands:",
    ...COMMANDS.map((c) => `  ${c.spec.name.padEnd(width)}${c.spec.summary}`),
    "",
    "Run bert-lab <command> --help for a command's options.",
    "",
  ].join("\n");
}

/** Runs the CLI on argv (without node and the script); resolves to the exit code. */
export async function main(argv: readonly string[], io: CliIO): Promise<number> {
  if (argv.length === 0 || argv[0] === "--help" || argv[0] === "-h" || argv[0] === "help") {
    const topic = argv[0] === "help" ? argv.slice(1).join(" ") : "";
    const cmd = COMMANDS.find((c) => c.spec.name === topic);
    io.stdout.write(cmd ? helpText(cmd.spec) : mainHelp());
    return argv.length === 0 ? 1 : 0;
  }
  if (argv[0] === "--version" || argv[0] === "-v") {
    io.stdout.write(version() + "\n");
    return 0;
  }
  // the longest command name that matches the first words ("vocab train" before "vocab")
  const matches = COMMANDS.filter((c) => {
    const words = c.spec.name.split(" ");
    return words.every((w, i) => argv[i] === w);
  }).sort((a, b) => b.spec.name.length - a.spec.name.length);
  const cmd = matches[0];
  if (!cmd) {
    const group = COMMANDS.filter((c) => c.spec.name.startsWith(argv[0] + " "));
    if (group.length > 0) {
      io.stderr.write(`bert-lab ${argv[0]}: which one? ${group.map((c) => `bert-lab ${c.spec.name}`).join(", ")}\n`);
      return 2;
    }
    io.stderr.write(`bert-lab: unknown command "${argv[0]}" — run bert-lab --help for the list\n`);
    return 2;
  }
  const rest = argv.slice(cmd.spec.name.split(" ").length);
  try {
    const parsed = parseArgs(rest, cmd.spec);
    if (parsed.help) {
      io.stdout.write(helpText(cmd.spec));
      return 0;
    }
    return await cmd.run(parsed, io);
  } catch (e) {
    if (e instanceof BertLabError) {
      io.stderr.write(`bert-lab ${cmd.spec.name}: ${e.message}\n`);
      return 2;
    }
    throw e;
  }
}

if (require.main === module) {
  // a closed pipe (`bert-lab tokenize … | head`) is not an error
  process.stdout.on("error", (e: NodeJS.ErrnoException) => {
    if (e.code === "EPIPE") process.exit(0);
    throw e;
  });
  main(process.argv.slice(2), { stdin: process.stdin, stdout: process.stdout, stderr: process.stderr }).then(
    (code) => {
      process.exitCode = code;
    },
    (e) => {
      process.stderr.write(`bert-lab: unexpected error: ${(e as Error).stack ?? e}\n`);
      process.exitCode = 1;
    },
  );
}
