/** `bert-lab kernel install` / `bert-lab kernel uninstall`: the Jupyter kernelspec of BERT Lab. */
import { BertLabError } from "../../util/errors";
import { DEFAULT_DISPLAY_NAME, DEFAULT_KERNEL_NAME, installKernel, KernelScope, uninstallKernel } from "../../kernel/kernelspec";
import { Parsed } from "../args";
import { Command } from "../command";

const scopeOptions = {
  user: { type: "boolean" as const, description: "the per-user kernels folder (the default)" },
  "sys-prefix": { type: "boolean" as const, description: "the kernels folder of the Python environment Jupyter runs in (sys.prefix)" },
  prefix: { type: "string" as const, value: "DIR", description: "DIR/share/jupyter/kernels (for a Jupyter started with that prefix)" },
  name: { type: "string" as const, value: "NAME", description: `the kernelspec name (default ${DEFAULT_KERNEL_NAME})` },
};

function scopeOf(args: Parsed): KernelScope | undefined {
  const v = args.values as { user?: boolean; "sys-prefix"?: boolean; prefix?: string };
  const chosen = [v.user && "--user", v["sys-prefix"] && "--sys-prefix", v.prefix !== undefined && "--prefix"].filter(Boolean);
  if (chosen.length > 1) throw new BertLabError("BAD_OPTION", `give at most one of --user, --sys-prefix, --prefix DIR (got ${chosen.join(" and ")})`);
  if (v["sys-prefix"]) return { kind: "sys-prefix" };
  if (v.prefix !== undefined) return { kind: "prefix", dir: v.prefix };
  if (v.user) return { kind: "user" };
  return undefined;
}

export const kernelInstallCommand: Command = {
  spec: {
    name: "kernel install",
    summary: "Install the BERT Lab Jupyter kernel (TypeScript, on tslab) so notebooks can pick it.",
    usage: "bert-lab kernel install [--user | --sys-prefix | --prefix DIR] [--name NAME] [--display-name TEXT]",
    options: {
      ...scopeOptions,
      "display-name": { type: "string", value: "TEXT", description: `the name Jupyter shows (default "${DEFAULT_DISPLAY_NAME}")` },
    },
    details: `The kernelspec runs this node and this package's launcher by absolute path, so it
works whatever PATH the notebook server has. It goes through \`jupyter kernelspec install\`
when Jupyter is on PATH, else into Jupyter's data folder directly. Install again after
moving the package or switching node versions.

Example:
  npx bert-lab kernel install
  installed kernel "bert-lab" ("BERT Lab (TypeScript)") in /home/me/.local/share/jupyter/kernels/bert-lab`,
  },

  async run(args, io) {
    const v = args.values as { name?: string; "display-name"?: string };
    const r = installKernel({ name: v.name, displayName: v["display-name"], scope: scopeOf(args) ?? { kind: "user" } });
    io.stdout.write(
      `installed kernel "${r.name}" ("${r.kernelJson.display_name}") in ${r.dir} (${r.via})\n` +
        `  runs: ${r.kernelJson.argv.slice(0, 2).join(" ")}\n` +
        `Start Jupyter (jupyter lab, or jupyter notebook) and pick "${r.kernelJson.display_name}" as the kernel;\n` +
        `in a notebook: import { tokensView } from "bert-lab"\n`,
    );
    return 0;
  },
};

export const kernelUninstallCommand: Command = {
  spec: {
    name: "kernel uninstall",
    summary: "Remove the BERT Lab Jupyter kernelspec.",
    usage: "bert-lab kernel uninstall [--user | --sys-prefix | --prefix DIR] [--name NAME]",
    options: scopeOptions,
    details: `Without a scope option it asks \`jupyter kernelspec\` (when present) where the kernel is.

Example:
  npx bert-lab kernel uninstall
  removed kernel "bert-lab" from /home/me/.local/share/jupyter/kernels/bert-lab`,
  },

  async run(args, io) {
    const name = (args.values.name as string | undefined) ?? DEFAULT_KERNEL_NAME;
    const removed = uninstallKernel({ name, scope: scopeOf(args) });
    if (removed.length === 0) {
      io.stderr.write(`no kernel named "${name}" is installed there: nothing to remove (see jupyter kernelspec list)\n`);
      return 1;
    }
    for (const dir of removed) io.stdout.write(`removed kernel "${name}" from ${dir}\n`);
    return 0;
  },
};
