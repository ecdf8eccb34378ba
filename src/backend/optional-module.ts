/**
 * Loading packages we support but never depend on (tfjs-node, tfjs-node-gpu, the WebGPU
 * backend, Dawn's `webgpu`). TypeScript never sees their types: they come back as `unknown`
 * and each caller checks the few members it uses.
 *
 * @example
 *   loadOptional("@tensorflow/tfjs-node").status // → "not installed" (on a machine without it)
 */

/**
 * Packages provided without node_modules: a single-file bundle (scripts/device-bundle.cjs)
 * carries them inside itself or beside itself, and says how to load each one. The loader runs
 * only when loadOptional asks, so a package that must load late (the WebGPU backend, after
 * navigator.gpu exists) still does.
 */
const provided = new Map<string, () => unknown>();

/** Makes `name` loadable by `load` (for bundles; see above). */
export function provideOptional(name: string, load: () => unknown): void {
  provided.set(name, load);
}

/** What happened when we tried to load an optional package. */
export type OptionalModule =
  | { status: "loaded"; name: string; module: unknown }
  | { status: "not installed"; name: string }
  | { status: "failed"; name: string; error: string };

/** The first line of an error, for one-line reports ("failed to load: …"). */
export function firstLine(e: unknown): string {
  const text = e instanceof Error ? e.message : String(e);
  return text.split("\n").find((l) => l.trim() !== "")?.trim() ?? text;
}

/**
 * True when Node can find the package at all (its entry point resolves). Resolving does not
 * run the package, so this is safe for native packages that might crash when loaded.
 */
export function isInstalled(name: string): boolean {
  return provided.has(name) || resolveError(name) === null;
}

/** null when `name` resolves; else "not installed" or the reason it does not resolve. */
function resolveError(name: string): null | "not installed" | string {
  try {
    require.resolve(name);
    return null;
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    // "Cannot find module 'x'" naming the package itself: it is simply absent. A package that
    // is there but whose entry point is missing names a path instead: that one is broken.
    if (err.code === "MODULE_NOT_FOUND" && err.message.includes(`'${name}'`)) return "not installed";
    return firstLine(e);
  }
}

/**
 * Requires `name` if it is installed. A missing package is "not installed"; one that is there
 * but throws while loading (a native binary built for another CUDA, a missing shared library)
 * is "failed" with the first line of its error.
 */
export function loadOptional(name: string): OptionalModule {
  const load = provided.get(name);
  if (load) {
    try {
      return { status: "loaded", name, module: load() };
    } catch (e) {
      return { status: "failed", name, error: firstLine(e) };
    }
  }
  const unresolved = resolveError(name);
  if (unresolved === "not installed") return { status: "not installed", name };
  if (unresolved !== null) return { status: "failed", name, error: unresolved };
  try {
    // a plain require with a computed name: TypeScript neither resolves nor types it
    const mod: unknown = require(name);
    return { status: "loaded", name, module: mod };
  } catch (e) {
    return { status: "failed", name, error: firstLine(e) };
  }
}
