/**
 * Choosing the tfjs backend: the one asked for (`prefer`, else $BERT_LAB_BACKEND), or the best
 * that works here — tensorflow (tfjs-node-gpu, then tfjs-node), webgpu, wasm, cpu — with a
 * report of every candidate and why it was or was not chosen.
 *
 * @example
 *   const report = await initBackend();
 *   console.log(report.chosen) // prints: wasm   (on a machine without tfjs-node or a GPU)
 */
import * as tf from "@tensorflow/tfjs-core";
import { BertLabError } from "../util/errors";
import { Activation, BACKEND_NAMES, Candidate, CANDIDATES, CandidateStatus, ProbeResult } from "./candidates";
import type { AdapterSummary } from "./webgpu-probe";
import { firstLine } from "./optional-module";

export { BACKEND_NAMES } from "./candidates";
export type { CandidateStatus } from "./candidates";

/** One backend we considered. */
export interface CandidateReport {
  name: string;
  status: CandidateStatus;
  /** why: the package used, the load error, "no adapter", … */
  detail?: string;
  /** the npm package that provides it, where one does */
  package?: string;
  /** webgpu: the GPU adapter Dawn found (vendor, architecture, features, limits) */
  adapter?: AdapterSummary;
}

/** Which backend initBackend() chose, and what it found about every other one. */
export interface BackendReport {
  chosen: string;
  candidates: CandidateReport[];
  /** threads the chosen backend computes with, where it is a fixed number (wasm, cpu: 1) */
  threads?: number;
  /** what asked for the backend: "prefer", "BERT_LAB_BACKEND", or "auto" (best available) */
  requestedBy: "prefer" | "BERT_LAB_BACKEND" | "auto";
}

export interface InitBackendOptions {
  /** a backend name (see BACKEND_NAMES); overrides $BERT_LAB_BACKEND */
  prefer?: string;
  /**
   * true: print nothing. By default, when a better backend is installed but failed (a broken
   * tfjs-node, say) and a slower one was chosen, one line on stderr says so.
   */
  quiet?: boolean;
}

/** The latest selection: what was asked, its promise, and its result once it has one. */
let current: { key: string; report: Promise<BackendReport>; result: BackendReport | null } | null = null;
let settled: BackendReport | null = null;

/** The report of the last initBackend() call that finished, or null before the first. */
export function getBackendReport(): BackendReport | null {
  return settled;
}

/**
 * Makes the chosen backend tfjs's current one and reports on every candidate. Idempotent: a
 * second call with the same request returns the same report object without probing again
 * (unless something else has switched tfjs's backend since). Throws a BertLabError naming the
 * valid choices when the requested backend is unknown or cannot run here.
 */
export function initBackend(options: InitBackendOptions = {}): Promise<BackendReport> {
  const fromEnv = process.env.BERT_LAB_BACKEND?.trim() || undefined;
  const requested = options.prefer?.trim() || fromEnv;
  const requestedBy = options.prefer?.trim() ? "prefer" : fromEnv ? "BERT_LAB_BACKEND" : "auto";
  const key = requested?.toLowerCase() ?? "";
  // the same request again: the same answer, unless something else switched tfjs's backend
  if (current && current.key === key && (!current.result || tf.getBackend() === current.result.chosen)) return current.report;
  const report = select(requested, requestedBy).then((r) => {
    if (!options.quiet) warnAboutFailures(r);
    return r;
  });
  const selection: NonNullable<typeof current> = { key, report, result: null };
  current = selection;
  report.then(
    (r) => {
      selection.result = r;
      if (current === selection) settled = r;
    },
    () => {
      if (current === selection) current = null;
    },
  );
  return report;
}

/**
 * One stderr line when something better than what we use is installed but broken: a backend
 * above the chosen one that failed, or a package of the chosen one that failed to load (a
 * broken tfjs-node-gpu beside a working tfjs-node).
 */
function warnAboutFailures(r: BackendReport): void {
  const chosenAt = r.candidates.findIndex((c) => c.status === "chosen");
  for (const c of r.candidates.slice(0, chosenAt)) {
    if (c.status === "failed") process.stderr.write(`bert-lab: backend ${c.name} failed (${c.detail ?? "no detail"}); using ${r.chosen} — see bert-lab doctor\n`);
  }
  const chosen = r.candidates[chosenAt];
  if (chosen?.detail?.includes("failed to load")) process.stderr.write(`bert-lab: using ${chosen.detail} — see bert-lab doctor\n`);
}

function unknownBackend(name: string, source: string): BertLabError {
  return new BertLabError(
    "UNKNOWN_BACKEND",
    `unknown backend "${name}" (from ${source}) — valid choices: ${BACKEND_NAMES.join(", ")}`,
  );
}

async function select(requested: string | undefined, requestedBy: BackendReport["requestedBy"]): Promise<BackendReport> {
  const source = requestedBy === "prefer" ? "the prefer option" : "BERT_LAB_BACKEND";
  if (requested !== undefined) {
    const wanted = CANDIDATES.find((c) => c.name === requested.toLowerCase());
    if (!wanted) throw unknownBackend(requested, source);
    const probe = await probeSafely(wanted);
    if (probe.status !== "available") {
      throw new BertLabError(
        "BACKEND_UNAVAILABLE",
        `backend "${wanted.name}" (from ${source}) cannot run here: ${probe.status}${probe.detail ? ` (${probe.detail})` : ""} — ` +
          `valid choices: ${BACKEND_NAMES.join(", ")}; leave ${requestedBy === "prefer" ? "prefer" : "BERT_LAB_BACKEND"} unset to pick the best available`,
      );
    }
    let activation: Activation;
    try {
      activation = await wanted.activate();
    } catch (e) {
      throw new BertLabError("BACKEND_FAILED", `backend "${wanted.name}" (from ${source}) failed to start: ${firstLine(e)}`);
    }
    const candidates = CANDIDATES.map((c) =>
      c === wanted ? entry(c, "chosen", activation.detail ?? probe.detail, probe.package, probe.adapter) : untried(c, `${wanted.name} was requested`),
    );
    return finish({ chosen: wanted.name, candidates, threads: activation.threads, requestedBy });
  }

  const candidates: CandidateReport[] = [];
  let chosen: Candidate | null = null;
  let threads: number | undefined;
  for (const c of CANDIDATES) {
    if (chosen) {
      candidates.push(untried(c, `${chosen.name} was chosen first`));
      continue;
    }
    const probe = await probeSafely(c);
    if (probe.status !== "available") {
      candidates.push(entry(c, probe.status, probe.detail, probe.package, probe.adapter));
      continue;
    }
    try {
      const activation = await c.activate();
      chosen = c;
      threads = activation.threads;
      candidates.push(entry(c, "chosen", activation.detail ?? probe.detail, probe.package, probe.adapter));
    } catch (e) {
      candidates.push(entry(c, "failed", `loaded, but failed to start: ${firstLine(e)}`, probe.package, probe.adapter));
    }
  }
  if (!chosen) {
    const why = candidates.map((c) => `${c.name}: ${c.status}${c.detail ? ` (${c.detail})` : ""}`).join("; ");
    throw new BertLabError("NO_BACKEND", `no tfjs backend could start — ${why}`);
  }
  return finish({ chosen: chosen.name, candidates, threads, requestedBy });
}

async function probeSafely(c: Candidate): Promise<ProbeResult> {
  try {
    return await c.probe();
  } catch (e) {
    return { status: "failed", detail: firstLine(e) };
  }
}

/** A candidate we did not load: installed or not, and why it was not tried. */
function untried(c: Candidate, why: string): CandidateReport {
  const note = c.installedNote();
  const detail = note.status === "available" ? `${note.detail ?? "installed"}; not tried: ${why}` : note.detail;
  return entry(c, note.status, detail, note.package);
}

function entry(c: Candidate, status: CandidateStatus, detail?: string, pkg?: string, adapter?: AdapterSummary): CandidateReport {
  const r: CandidateReport = { name: c.name, status };
  if (detail) r.detail = detail;
  if (pkg) r.package = pkg;
  if (adapter) r.adapter = adapter;
  return r;
}

function finish(r: BackendReport): BackendReport {
  if (r.threads === undefined) delete r.threads;
  return r;
}

/**
 * Makes sure training runs on the best backend: picks it (as initBackend) unless initBackend
 * already chose one or a backend other than cpu is in use. tfjs's start-up default — cpu, for
 * tensors made before any choice — is upgraded; to train on cpu, say so with
 * initBackend({ prefer: "cpu" }) or BERT_LAB_BACKEND=cpu. Library entry points that train call
 * this, so a notebook need not.
 */
export async function ensureBackend(): Promise<string> {
  const current = tf.getBackend();
  const cpuByDefault = current === "cpu" && getBackendReport() === null && (process.env.BERT_LAB_BACKEND ?? "").trim().toLowerCase() !== "cpu";
  if (!current || cpuByDefault) await initBackend({ quiet: true });
  return tf.getBackend();
}
