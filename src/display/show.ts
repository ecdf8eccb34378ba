// show(): send one value's full MIME bundle to whichever kernel is running this code.
// Three sinks: tslab (through its internal display writer: its public `display` object sends
// one MIME type per message, DESIGN.md §5), Deno (Deno.jupyter.broadcast), and the console.
import { randomBytes } from "node:crypto";
import { BertLabError } from "../util/errors";
import { bundleOf, checkBundle, MimeBundle } from "./mime";

/** How one bundle is sent: `update` replaces the output that has `displayId`. */
export interface SendOptions {
  displayId?: string;
  update: boolean;
}

/** Where bundles go. `send` may be async; callers never have two sends of one display in flight. */
export interface DisplaySink {
  readonly name: string;
  send(bundle: MimeBundle, opts: SendOptions): void | Promise<void>;
}

/** Which kernel `detectKernel()` found. */
export type KernelKind = "tslab" | "deno" | "console";

/** One Jupyter display message's content (display_data / update_display_data). */
export interface DisplayContent {
  data: Record<string, unknown>;
  metadata: Record<string, unknown>;
  transient: { display_id?: string };
}

/** Jupyter carries bytes as base64 strings; everything else passes through as JSON. */
export function displayContent(bundle: MimeBundle, displayId?: string): DisplayContent {
  const data: Record<string, unknown> = {};
  for (const [type, value] of Object.entries(bundle)) {
    data[type] = value instanceof Uint8Array ? Buffer.from(value.buffer, value.byteOffset, value.byteLength).toString("base64") : value;
  }
  return { data, metadata: {}, transient: displayId === undefined ? {} : { display_id: displayId } };
}

type TslabWriter = (content: DisplayContent, update: boolean) => void;

/**
 * The running tslab kernel's display writer, or undefined outside tslab.
 * Heuristic: tslab's kernel process has loaded `tslab/dist/jupyter.js`, whose exported
 * `lastWriteDisplayData` is set once a cell runs (tslab's public `display` calls the same
 * function). We look it up in require.cache rather than require("tslab/…") so we reach the
 * kernel's own copy, never a second install, and never load tslab outside a kernel.
 */
function tslabWriter(): TslabWriter | undefined {
  const cache = typeof require === "function" ? require.cache : undefined;
  if (cache === undefined) return undefined;
  for (const [file, mod] of Object.entries(cache)) {
    if (!/[\\/]tslab[\\/]dist[\\/]jupyter\.js$/.test(file)) continue;
    const writer = (mod?.exports as { lastWriteDisplayData?: unknown } | undefined)?.lastWriteDisplayData;
    if (typeof writer === "function") return writer as TslabWriter;
  }
  return undefined;
}

interface DenoJupyter {
  broadcast(msgType: string, content: DisplayContent): Promise<void> | void;
}

function denoJupyter(): DenoJupyter | undefined {
  const deno = (globalThis as { Deno?: { jupyter?: DenoJupyter } }).Deno;
  return typeof deno?.jupyter?.broadcast === "function" ? deno.jupyter : undefined;
}

/**
 * Which kernel runs this code: tslab (its display writer is loaded), Deno
 * (`Deno.jupyter` exists), else the console. The one place that guesses.
 *
 * @example
 *   detectKernel()   // "console" under plain node
 */
export function detectKernel(): KernelKind {
  if (tslabWriter() !== undefined) return "tslab";
  if (denoJupyter() !== undefined) return "deno";
  return "console";
}

/** Sends full bundles through tslab's internal writer (found again on each send: it changes per cell). */
export function tslabSink(): DisplaySink {
  return {
    name: "tslab",
    send(bundle, opts) {
      const write = tslabWriter();
      if (write === undefined) {
        throw new BertLabError("NO_TSLAB", "tslab's display writer is not loaded: tslabSink() works only inside a running tslab kernel");
      }
      write(displayContent(bundle, opts.displayId), opts.update);
    },
  };
}

/** Sends display_data / update_display_data through `Deno.jupyter.broadcast`. */
export function denoSink(): DisplaySink {
  return {
    name: "deno",
    async send(bundle, opts) {
      const jupyter = denoJupyter();
      if (jupyter === undefined) {
        throw new BertLabError("NO_DENO_JUPYTER", "Deno.jupyter is not available: denoSink() works only inside `deno jupyter`");
      }
      await jupyter.broadcast(opts.update ? "update_display_data" : "display_data", displayContent(bundle, opts.displayId));
    },
  };
}

/** Prints each bundle's text/plain (a terminal cannot redraw an output in place: updates print again). */
export function consoleSink(write: (line: string) => void = (line) => console.log(line)): DisplaySink {
  return {
    name: "console",
    send(bundle) {
      write(String(bundle["text/plain"]));
    },
  };
}

let override: DisplaySink | undefined;

/**
 * Sends every later `show()` / `LiveDisplay` frame to `sink` (undefined: detect again).
 * Returns the sink it replaced, so a test can put it back.
 *
 * @example
 *   const frames: MimeBundle[] = [];
 *   const before = setDisplaySink({ name: "test", send: (b) => void frames.push(b) });
 *   show("hi"); setDisplaySink(before);   // frames: [{ "text/plain": "hi" }]
 */
export function setDisplaySink(sink: DisplaySink | undefined): DisplaySink | undefined {
  const previous = override;
  override = sink;
  return previous;
}

/** The sink in force now: the override, else the detected kernel's. */
export function currentSink(): DisplaySink {
  if (override !== undefined) return override;
  const kind = detectKernel();
  return kind === "tslab" ? tslabSink() : kind === "deno" ? denoSink() : consoleSink();
}

/** A fresh display id (16 hex digits, as tslab makes them). */
export function newDisplayId(): string {
  return randomBytes(8).toString("hex");
}

/** Options of `show()`. */
export interface ShowOptions {
  /** Names the output so a later `show(y, { displayId, update: true })` replaces it. */
  displayId?: string;
  /** Replace the output named `displayId` instead of adding one. */
  update?: boolean;
  /** Where to send; default `currentSink()`. */
  sink?: DisplaySink;
}

/**
 * Displays `x` in the running notebook with its full MIME bundle (text in a terminal).
 * Returns nothing, so a cell ending in `show(x)` shows x once; an async sink's failure is
 * reported on stderr. Bundle errors (html beside vega-lite, no text/plain) throw at once.
 *
 * @example
 *   show({ hiddenSize: 128 })   // prints: { hiddenSize: 128 }
 *   show(chart, { displayId: "loss" }); show(chart2, { displayId: "loss", update: true })
 */
export function show(x: unknown, opts: ShowOptions = {}): void {
  const update = opts.update ?? false;
  if (update && opts.displayId === undefined) {
    throw new BertLabError("UPDATE_WITHOUT_ID", "show(x, { update: true }) needs the displayId of the output to replace — pass { displayId, update: true }");
  }
  const bundle = checkBundle(bundleOf(x));
  const sink = opts.sink ?? currentSink();
  const sent = sink.send(bundle, { displayId: opts.displayId, update });
  if (sent !== undefined) sent.catch((e: unknown) => console.error(`show(): the ${sink.name} display sink failed:`, e));
}
