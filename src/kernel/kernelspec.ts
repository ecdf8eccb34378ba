// The BERT Lab kernelspec: kernel.json (absolute paths: the node running this and our
// launcher, so nothing depends on PATH), the logo, and installing / removing it — through
// `jupyter kernelspec` when Jupyter is there, else straight into Jupyter's data folder.
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { BertLabError } from "../util/errors";
import { repoRoot } from "../util/shared-folder";

export const DEFAULT_KERNEL_NAME = "bert-lab";
export const DEFAULT_DISPLAY_NAME = "BERT Lab (TypeScript)";

/** Where a kernelspec goes: the user's Jupyter folder, the Python environment's, or PREFIX/share/jupyter. */
export type KernelScope = { kind: "user" } | { kind: "sys-prefix" } | { kind: "prefix"; dir: string };

export interface KernelInstallOptions {
  name?: string;
  displayName?: string;
  scope?: KernelScope;
  /** the `jupyter` command (default "jupyter" on PATH); null: never use it, write the folder directly */
  jupyter?: string | null;
  /** Python used to find sys.prefix when Jupyter is absent (default: /usr/bin/python3, then python3) */
  python?: string;
}

export interface KernelInstallResult {
  name: string;
  /** the kernelspec folder Jupyter will read */
  dir: string;
  /** "jupyter kernelspec install" or "direct" */
  via: string;
  kernelJson: KernelJson;
}

export interface KernelJson {
  argv: string[];
  display_name: string;
  language: string;
  interrupt_mode: "signal";
  env: Record<string, string>;
  metadata: Record<string, unknown>;
}

/** The compiled launcher this package ships (dist/src/kernel/launcher.js). */
export function launcherPath(): string {
  return path.join(__dirname, "launcher.js");
}

/** The logo files shipped in kernel/. */
export function logoFiles(): string[] {
  const dir = path.join(repoRoot(), "kernel");
  return ["logo-32x32.png", "logo-64x64.png", "logo-svg.svg"].map((f) => path.join(dir, f));
}

function checkName(name: string): void {
  if (!/^[a-zA-Z0-9._-]+$/.test(name)) {
    throw new BertLabError("BAD_KERNEL_NAME", `kernel name ${JSON.stringify(name)} is not allowed: Jupyter kernel names use letters, digits, ".", "_" and "-" only (e.g. --name bert-lab-dev)`);
  }
}

/**
 * The kernel.json for this install of BERT Lab.
 *
 * @example
 *   kernelJson().argv   // [ "/usr/bin/node", "/…/dist/src/kernel/launcher.js", "--config-path", "{connection_file}" ]
 */
export function kernelJson(displayName: string = DEFAULT_DISPLAY_NAME): KernelJson {
  return {
    argv: [process.execPath, launcherPath(), "--config-path", "{connection_file}"],
    display_name: displayName,
    language: "typescript",
    interrupt_mode: "signal",
    env: {},
    metadata: { "bert-lab": { root: repoRoot() } },
  };
}

/** Jupyter's per-user data folder, computed as jupyter_core does (JUPYTER_DATA_DIR first). */
export function userDataDir(env: NodeJS.ProcessEnv = process.env, platform: NodeJS.Platform = process.platform, home: string = os.homedir()): string {
  if (env.JUPYTER_DATA_DIR) return env.JUPYTER_DATA_DIR;
  if (platform === "darwin") return path.join(home, "Library", "Jupyter");
  if (platform === "win32") return path.join(env.APPDATA ?? path.join(home, "AppData", "Roaming"), "jupyter");
  return path.join(env.XDG_DATA_HOME || path.join(home, ".local", "share"), "jupyter");
}

function pythonPrefix(python?: string): string {
  for (const exe of python ? [python] : ["/usr/bin/python3", "python3", "python"]) {
    const r = spawnSync(exe, ["-c", "import sys; print(sys.prefix)"], { encoding: "utf8" });
    if (r.status === 0 && r.stdout.trim()) return r.stdout.trim();
  }
  throw new BertLabError("NO_PYTHON", "--sys-prefix needs Python to find sys.prefix, and none ran: install Jupyter, or use --user or --prefix DIR");
}

/** The kernels folder a scope means, when we write it ourselves. */
export function kernelsDir(scope: KernelScope, python?: string): string {
  if (scope.kind === "user") return path.join(userDataDir(), "kernels");
  const prefix = scope.kind === "prefix" ? path.resolve(scope.dir) : pythonPrefix(python);
  return path.join(prefix, "share", "jupyter", "kernels");
}

/** True when `jupyter kernelspec` runs here. */
export function hasKernelspecCommand(jupyter: string): boolean {
  const r = spawnSync(jupyter, ["kernelspec", "--version"], { encoding: "utf8" });
  return r.status === 0;
}

function scopeArgs(scope: KernelScope): string[] {
  if (scope.kind === "user") return ["--user"];
  if (scope.kind === "sys-prefix") return ["--sys-prefix"];
  return ["--prefix", path.resolve(scope.dir)];
}

/** Writes kernel.json and the logos into a fresh folder (the unit both install routes copy). */
function stageSpec(displayName: string): string {
  const stage = fs.mkdtempSync(path.join(os.tmpdir(), "bert-lab-kernelspec-"));
  fs.writeFileSync(path.join(stage, "kernel.json"), JSON.stringify(kernelJson(displayName), null, 2) + "\n");
  for (const logo of logoFiles()) {
    if (fs.existsSync(logo)) fs.copyFileSync(logo, path.join(stage, path.basename(logo)));
  }
  return stage;
}

/** Replaces `target` with `stage` atomically where the file system allows (rename; old copy removed after). */
function putFolder(stage: string, target: string): void {
  fs.mkdirSync(path.dirname(target), { recursive: true });
  const tmp = `${target}.tmp-${process.pid}`;
  fs.cpSync(stage, tmp, { recursive: true });
  const old = `${target}.old-${process.pid}`;
  if (fs.existsSync(target)) fs.renameSync(target, old);
  fs.renameSync(tmp, target);
  fs.rmSync(old, { recursive: true, force: true });
}

/**
 * Installs the kernelspec. Through `jupyter kernelspec install` when that command runs,
 * else by writing the folder Jupyter reads. Default scope: the user's.
 *
 * @example
 *   const r = installKernel({ scope: { kind: "user" } });
 *   r.dir   // "/home/me/.local/share/jupyter/kernels/bert-lab"
 */
export function installKernel(options: KernelInstallOptions = {}): KernelInstallResult {
  const name = options.name ?? DEFAULT_KERNEL_NAME;
  checkName(name);
  const displayName = options.displayName ?? DEFAULT_DISPLAY_NAME;
  const scope = options.scope ?? { kind: "user" };
  if (!fs.existsSync(launcherPath())) {
    throw new BertLabError("NO_LAUNCHER", `the kernel launcher ${launcherPath()} is missing: build the package first (npm run build)`);
  }
  const stage = stageSpec(displayName);
  try {
    const jupyter = options.jupyter === undefined ? "jupyter" : options.jupyter;
    if (jupyter !== null && hasKernelspecCommand(jupyter)) {
      const r = spawnSync(jupyter, ["kernelspec", "install", stage, "--name", name, ...scopeArgs(scope)], { encoding: "utf8" });
      if (r.status !== 0) {
        throw new BertLabError("KERNELSPEC_INSTALL_FAILED", `jupyter kernelspec install failed (exit ${r.status}): ${(r.stderr || r.stdout).trim()}`);
      }
      const dir = /Installed kernelspec \S+ in (.+)$/m.exec(r.stderr + r.stdout)?.[1]?.trim() ?? path.join(kernelsDir(scope, options.python), name);
      return { name, dir, via: "jupyter kernelspec install", kernelJson: kernelJson(displayName) };
    }
    const dir = path.join(kernelsDir(scope, options.python), name);
    putFolder(stage, dir);
    return { name, dir, via: "direct", kernelJson: kernelJson(displayName) };
  } finally {
    fs.rmSync(stage, { recursive: true, force: true });
  }
}

/**
 * Removes the kernelspec `name` from the scope (through `jupyter kernelspec remove` when
 * Jupyter is there). Resolves to the folders removed (empty when there was none).
 *
 * @example
 *   uninstallKernel()   // [ "/home/me/.local/share/jupyter/kernels/bert-lab" ]
 */
export function uninstallKernel(options: Pick<KernelInstallOptions, "name" | "scope" | "jupyter" | "python"> = {}): string[] {
  const name = options.name ?? DEFAULT_KERNEL_NAME;
  checkName(name);
  const jupyter = options.jupyter === undefined ? "jupyter" : options.jupyter;
  if (jupyter !== null && options.scope === undefined && hasKernelspecCommand(jupyter)) {
    const list = spawnSync(jupyter, ["kernelspec", "list", "--json"], { encoding: "utf8" });
    const specs = list.status === 0 ? (JSON.parse(list.stdout) as { kernelspecs: Record<string, { resource_dir: string }> }).kernelspecs : {};
    if (!(name in specs)) return [];
    const r = spawnSync(jupyter, ["kernelspec", "remove", "-f", name], { encoding: "utf8" });
    if (r.status !== 0) throw new BertLabError("KERNELSPEC_REMOVE_FAILED", `jupyter kernelspec remove failed (exit ${r.status}): ${(r.stderr || r.stdout).trim()}`);
    return [specs[name].resource_dir];
  }
  const dir = path.join(kernelsDir(options.scope ?? { kind: "user" }, options.python), name);
  if (!fs.existsSync(dir)) return [];
  fs.rmSync(dir, { recursive: true, force: true });
  return [dir];
}
