#!/usr/bin/env node
// The BERT Lab Jupyter kernel: tslab's kernel, started from the tslab copy this package
// depends on (never a global or a notebook-folder one), with three additions:
//   1. a cell's last value renders with its full MIME bundle when it can display itself
//      ([Symbol.for("Jupyter.display")]() — charts, token views, tables, tensors) and a
//      Promise as the last value is awaited first (`chart(spec)` without `await` works);
//   2. an interrupt (Jupyter's stop button) is counted, so a training loop stops at its next
//      step boundary instead of running on in the background (src/util/kernel-interrupt.ts);
//   3. tensors display themselves (shape, dtype, values, a small heatmap).
// Jupyter runs it as: node launcher.js --config-path {connection_file} (see kernelspec.ts).
import * as path from "node:path";
import { noteInterrupt } from "../util/kernel-interrupt";
import { presentValue } from "./present";

/** The parts of tslab's internals the launcher uses (tslab 1.0.22, pinned in package.json). */
interface Converter {
  convert(prevDecl: string, src: string): { output?: string; lastExpressionVar?: string; hasToplevelAwait?: boolean };
  close(): void;
}
interface Executor {
  interrupt(): void;
}
interface TslabInternals {
  createConverter(opts: { isJS: boolean; isBrowser: boolean }): Converter;
  createExecutor(root: string, convs: unknown, logger: { log(...a: unknown[]): void; error(...a: unknown[]): void }): Executor;
  ZmqServer: new (handler: unknown, configPath: string) => { init(): void };
  JupyterHandlerImpl: new (executor: Executor, isJS: boolean) => Handler;
}
interface Handler {
  execQueue: { reset(delay?: number): void };
  handleExecuteImpl(req: { stop_on_error?: boolean }, ...rest: unknown[]): Promise<unknown>;
}

/** The global the rewritten cells call with their last value. */
const HOOK = Symbol.for("bert-lab.kernel.lastValue");

/** tslab's modules, resolved from this package so the kernel runs the version we tested. */
function loadTslab(): TslabInternals {
  const dist = path.dirname(require.resolve("tslab/dist/main.js"));
  return {
    ...(require(path.join(dist, "converter.js")) as Pick<TslabInternals, "createConverter">),
    ...(require(path.join(dist, "executor.js")) as Pick<TslabInternals, "createExecutor">),
    ...(require(path.join(dist, "jupyter.js")) as Pick<TslabInternals, "ZmqServer" | "JupyterHandlerImpl">),
  };
}

/**
 * Rewrites a converted cell so its last value goes to our hook instead of tslab's
 * `console.log`: the cell becomes async and ends with `await hook(exports, name)`.
 * Exported for tests.
 *
 * @example
 *   withLastValueHook({ output: "exports.x = 1 + 1;", lastExpressionVar: "x" })
 *   // { output: "exports.x = 1 + 1;\n;await globalThis[Symbol.for(…)](exports, \"x\");", hasToplevelAwait: true }
 */
export function withLastValueHook<T extends { output?: string; lastExpressionVar?: string; hasToplevelAwait?: boolean }>(converted: T): T {
  const name = converted.lastExpressionVar;
  if (!name || !converted.output) return converted;
  return {
    ...converted,
    output: `${converted.output}\n;await globalThis[Symbol.for("bert-lab.kernel.lastValue")](exports, ${JSON.stringify(name)});`,
    hasToplevelAwait: true,
    lastExpressionVar: undefined,
  };
}

/**
 * After a failed cell tslab cancels every execute request for the next 200 ms (to drop a
 * "run all" queue). A request that said `stop_on_error: false` (nbclient with allow_errors,
 * a cell tagged raises-exception) must not cancel the cells after it: reset at once then.
 */
function honourStopOnError(handler: Handler): void {
  const impl = handler.handleExecuteImpl.bind(handler);
  let stopOnError = true;
  handler.handleExecuteImpl = (req, ...rest) => {
    stopOnError = req.stop_on_error !== false;
    return impl(req, ...rest);
  };
  const reset = handler.execQueue.reset.bind(handler.execQueue);
  handler.execQueue.reset = (delay?: number) => reset(stopOnError ? delay : undefined);
}

/** Frames that belong to the kernel's machinery, not to the user's code or the library. */
const MACHINERY = /node:internal|node:vm|[\\/]tslab[\\/]dist[\\/]|[\\/]kernel[\\/]launcher\.js|sigintHandlersWrap|runInThisContext/;

/**
 * How a failed cell's error reads: its name and message, then only the frames of the cell
 * and the library (tslab's and Node's own frames say nothing to a notebook reader); an
 * interrupt says what it did. Exported for tests.
 *
 * @example
 *   cellError(new Error("boom"))   // "Error: boom\n    at evalmachine.<anonymous>:2:7"
 */
export function cellError(e: unknown): unknown {
  if (!(e instanceof Error)) return e;
  if (e.message === "Interrupted asynchronously") {
    return "Interrupted: the kernel stopped waiting for this cell (a train() loop stops at its next step; its result so far is kept when it was given an outDir).";
  }
  const frames = (e.stack ?? "").split("\n").filter((l) => /^\s+at /.test(l) && !MACHINERY.test(l));
  return [`${e.name}: ${e.message}`, ...frames].join("\n");
}

/**
 * Ends the kernel when the process that started it is gone (Jupyter passes its pid as
 * JPY_PARENT_PID, as ipykernel's parent poller uses it): a killed notebook server or nbconvert
 * must not leave an orphan kernel training in the background.
 */
function exitWithParent(pidText: string | undefined): void {
  const pid = Number(pidText);
  if (!Number.isInteger(pid) || pid <= 1) return;
  const timer = setInterval(() => {
    try {
      process.kill(pid, 0);
    } catch {
      process.exit(0);
    }
  }, 2000);
  timer.unref();
}

/**
 * One send at a time per zeromq socket. tslab fires `socket.send()` without waiting, and
 * zeromq 6 throws EBUSY when a send starts while another is in progress — which happens as
 * soon as two live outputs (curves, a progress bar) and printed text share the iopub socket.
 * Once the wasm backend is loaded, Emscripten's handler turns that uncaught error into the
 * kernel's death, so every send now waits for the one before it. Exported for tests.
 */
export function serializeSends(socketPrototype: { send(msg: unknown): Promise<void> }): void {
  const marker = Symbol.for("bert-lab.kernel.serializedSends");
  const proto = socketPrototype as unknown as Record<symbol, unknown> & { send(msg: unknown): Promise<void> };
  if (proto[marker]) return;
  const send = proto.send;
  const tails = new WeakMap<object, Promise<void>>();
  const queued = function (this: object, msg: unknown): Promise<void> {
    const before = tails.get(this) ?? Promise.resolve();
    const sent = before.then(() => send.call(this, msg));
    const tail = sent.catch((e: unknown) => console.error("BERT Lab kernel: a message to Jupyter could not be sent:", e));
    tails.set(this, tail);
    return tail;
  };
  // zeromq defines send read-only but configurable: redefine it rather than assign
  Object.defineProperty(proto, "send", { value: queued, writable: true, configurable: true, enumerable: false });
  Object.defineProperty(proto, marker, { value: true });
}

/** zeromq's Socket class as tslab loads it (the base of Publisher, Router and Reply). */
function zeromqSocketPrototype(): { send(msg: unknown): Promise<void> } {
  const zmq = require(require.resolve("zeromq", { paths: [path.dirname(require.resolve("tslab/dist/main.js"))] })) as { Publisher: { prototype: object } };
  let proto: object | null = zmq.Publisher.prototype;
  while (proto && !Object.prototype.hasOwnProperty.call(proto, "send")) proto = Object.getPrototypeOf(proto);
  if (!proto) throw new Error("BERT Lab kernel: zeromq's Socket.send was not found (zeromq changed?)");
  return proto as { send(msg: unknown): Promise<void> };
}

/** Starts the kernel on the connection file Jupyter gives. */
function startKernel(configPath: string): void {
  const tslab = loadTslab();
  serializeSends(zeromqSocketPrototype());
  let node: Converter | undefined;
  const convs = {
    get node(): Converter {
      if (!node) {
        const conv = tslab.createConverter({ isJS: false, isBrowser: false });
        const convert = conv.convert.bind(conv);
        conv.convert = (prevDecl, src) => withLastValueHook(convert(prevDecl, src));
        node = conv;
      }
      return node;
    },
    get browser(): Converter {
      throw new Error("BERT Lab kernel: browser-mode cells (//%browser) are not supported; run the cell without it");
    },
    close(): void {
      node?.close();
    },
  };
  (globalThis as unknown as Record<symbol, unknown>)[HOOK] = async (exports: Record<string, unknown>, name: string) => {
    let value = exports[name];
    delete exports[name];
    if (value !== null && typeof value === "object" && typeof (value as { then?: unknown }).then === "function") value = await value;
    presentValue(value);
  };
  void convs.node; // warm the TypeScript converter before the first cell
  const executor = tslab.createExecutor(process.cwd(), convs, { log: console.log, error: (...a: unknown[]) => console.error(...a.map(cellError)) });
  const handler = new tslab.JupyterHandlerImpl(executor, false);
  honourStopOnError(handler);
  const server = new tslab.ZmqServer(handler, configPath);
  process.on("SIGINT", () => {
    noteInterrupt(); // the trainer stops at its next step
    executor.interrupt(); // the cell's await ends now
  });
  exitWithParent(process.env.JPY_PARENT_PID);
  process.on("uncaughtException", (err) => console.error("UncaughtException:", err));
  process.on("unhandledRejection", (reason) => console.error("UnhandledPromiseRejection:", reason));
  server.init();
}

function main(argv: string[]): void {
  const i = argv.indexOf("--config-path");
  const configPath = i >= 0 ? argv[i + 1] : argv.find((a) => a.startsWith("--config-path="))?.slice("--config-path=".length);
  if (!configPath) {
    console.error("usage: node launcher.js --config-path CONNECTION_FILE\nJupyter starts this kernel itself: install it with `npx bert-lab kernel install`, then pick \"BERT Lab (TypeScript)\" in Jupyter.");
    process.exit(2);
  }
  startKernel(configPath);
}

if (require.main === module) main(process.argv.slice(2));
