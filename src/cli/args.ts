/**
 * A small command-line parser: `--name value`, `--name=value`, boolean `--flag`, repeatable
 * list options (`--input a.txt b.txt`), and help text generated from the same spec.
 */
import { BertLabError } from "../util/errors";

export type OptionType = "boolean" | "string" | "number" | "list";

export interface OptionSpec {
  type: OptionType;
  description: string;
  /** shown in help, e.g. "FILE" */
  value?: string;
  required?: boolean;
  default?: string | number | boolean;
}

export interface CommandSpec {
  /** e.g. "tokenize" or "vocab train" */
  name: string;
  summary: string;
  usage: string;
  options: Record<string, OptionSpec>;
  /** extra help text: examples, formats */
  details?: string;
}

export type ParsedValue = string | number | boolean | string[] | undefined;

export interface Parsed {
  values: Record<string, ParsedValue>;
  positionals: string[];
  help: boolean;
}

/** Parses argv (after the command words) against a spec; errors name the option and the fix. */
export function parseArgs(argv: readonly string[], spec: CommandSpec): Parsed {
  const values: Record<string, ParsedValue> = {};
  const positionals: string[] = [];
  let help = false;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === "--help" || arg === "-h") {
      help = true;
      continue;
    }
    if (!arg.startsWith("--")) {
      positionals.push(arg);
      continue;
    }
    const eq = arg.indexOf("=");
    const name = eq > 0 ? arg.slice(2, eq) : arg.slice(2);
    const opt = spec.options[name];
    if (!opt) {
      const known = Object.keys(spec.options).map((k) => `--${k}`);
      throw new BertLabError(
        "UNKNOWN_OPTION",
        `unknown option --${name} for "${spec.name}" — known options: ${known.join(", ") || "none"} (see bert-lab ${spec.name} --help)`,
      );
    }
    const inline = eq > 0 ? arg.slice(eq + 1) : undefined;
    if (opt.type === "boolean") {
      values[name] = inline === undefined ? true : !["false", "0", "no"].includes(inline);
      continue;
    }
    if (opt.type === "list") {
      const list: string[] = (values[name] as string[] | undefined) ?? [];
      if (inline !== undefined) list.push(inline);
      while (i + 1 < argv.length && !argv[i + 1].startsWith("--")) list.push(argv[++i]);
      if (list.length === 0) throw new BertLabError("MISSING_VALUE", `option --${name} needs at least one ${opt.value ?? "value"}`);
      values[name] = list;
      continue;
    }
    const raw = inline ?? argv[++i];
    if (raw === undefined) throw new BertLabError("MISSING_VALUE", `option --${name} needs a ${opt.value ?? "value"}`);
    if (opt.type === "number") {
      const n = Number(raw);
      if (raw.trim() === "" || !Number.isFinite(n)) {
        throw new BertLabError("BAD_NUMBER", `option --${name} needs a number, got ${JSON.stringify(raw)}`);
      }
      values[name] = n;
    } else {
      values[name] = raw;
    }
  }
  if (!help) {
    for (const [name, opt] of Object.entries(spec.options)) {
      if (values[name] === undefined && opt.default !== undefined) values[name] = opt.default;
      if (opt.required && values[name] === undefined) {
        throw new BertLabError("MISSING_OPTION", `"${spec.name}" needs --${name} ${opt.value ?? ""}`.trim() + ` (see bert-lab ${spec.name} --help)`);
      }
    }
  }
  return { values, positionals, help };
}

/** Help text for one command. */
export function helpText(spec: CommandSpec): string {
  const rows = Object.entries(spec.options).map(([name, o]) => {
    const left = `  --${name}${o.value ? " " + o.value : ""}`;
    const extra = o.required ? " (required)" : o.default !== undefined ? ` (default ${o.default})` : "";
    return [left, o.description + extra] as const;
  });
  rows.push(["  --help", "show this help"]);
  const width = Math.max(...rows.map((r) => r[0].length)) + 2;
  const lines = [`${spec.summary}`, "", `Usage: ${spec.usage}`, "", "Options:", ...rows.map(([l, r]) => l.padEnd(width) + r)];
  if (spec.details) lines.push("", spec.details.trimEnd());
  return lines.join("\n") + "\n";
}
