/**
 * Where a training run takes its instances from, one batch at a time, with a position a
 * checkpoint can record and a resumed run can restore exactly.
 *
 *   StaticInstances     a fixed list (the original's exact, statically masked instances, or
 *                       ones read from create-pretraining-data's JSON Lines), cycled
 *   StreamingInstances  the corpus read a window of documents at a time; instances made per
 *                       window and masked afresh each time one is batched (dynamic masking,
 *                       as RoBERTa and HF do) — memory stays bounded by the window
 *
 * @example
 *   const source = new StreamingInstances(new CorpusStream(files, tokenizer), { ...options }, 42);
 *   const batch = source.next(32);                 // 32 freshly masked instances
 *   const saved = source.getState();               // into the checkpoint
 *   other.setState(saved);                         // other.next(32) continues identically
 */
import { BertLabError } from "../util/errors";
import { Rng, RngState } from "../util/rng";
import { CORPUS_START, CorpusPosition, CorpusStream } from "../data/corpus-stream";
import type { Document } from "../data/documents";
import { InstanceOptions, instancesFromDocument, TrainingInstance } from "./instances";
import { maskTokens } from "./masking";

/** JSON-serialisable position of a source (goes into trainer_state.json). */
export type SourceState = StaticSourceState | StreamingSourceState;

export interface StaticSourceState {
  kind: "static";
  epoch: number;
  index: number;
  count: number;
}

export interface StreamingSourceState {
  kind: "streaming";
  epoch: number;
  /** start of the window being consumed */
  window: CorpusPosition;
  /** instances of that window already handed out */
  consumed: number;
  masking: RngState;
}

export interface InstanceSource {
  /** the next n instances; wraps around (a new epoch) at the end of the data */
  next(n: number): TrainingInstance[];
  getState(): SourceState;
  setState(state: SourceState): void;
  /** completed passes over the data plus the share of the current one */
  readonly epoch: number;
  /** one line for logs: the kind, the size, the memory held */
  describe(): string;
}

/**
 * A fixed list: epoch 0 in the given order (the original's, after its final shuffle), each
 * later epoch in a fresh seeded order. The masks are those of the instances (static masking).
 */
export class StaticInstances implements InstanceSource {
  private order: number[];
  private epochCount = 0;
  private index = 0;

  constructor(readonly instances: readonly TrainingInstance[], private readonly seed: number) {
    if (instances.length === 0) throw new BertLabError("NO_INSTANCES", "no training instances: the corpus has no document with any text");
    this.order = instances.map((_, i) => i);
  }

  get epoch(): number {
    return this.epochCount + this.index / this.instances.length;
  }

  next(n: number): TrainingInstance[] {
    const out: TrainingInstance[] = [];
    while (out.length < n) {
      if (this.index === this.instances.length) this.startEpoch(this.epochCount + 1);
      out.push(this.instances[this.order[this.index++]]);
    }
    return out;
  }

  getState(): StaticSourceState {
    return { kind: "static", epoch: this.epochCount, index: this.index, count: this.instances.length };
  }

  setState(state: SourceState): void {
    const ok = state.kind === "static" && state.count === this.instances.length && Number.isInteger(state.epoch) && state.epoch >= 0;
    if (!ok || !(Number.isInteger(state.index) && state.index >= 0 && state.index <= state.count)) {
      throw new BertLabError("DATA_MISMATCH", `the checkpoint's data position (${JSON.stringify(state)}) does not fit these ${this.instances.length} static instances: resume with the same corpus and options`);
    }
    this.startEpoch(state.epoch);
    this.index = state.index;
  }

  describe(): string {
    const tokens = this.instances.reduce((s, i) => s + i.tokens.length, 0);
    return `static masking: ${this.instances.length} instances held in memory (${tokens} tokens, about ${Math.ceil((tokens * 60) / 2 ** 20)} MiB)`;
  }

  private startEpoch(e: number): void {
    this.epochCount = e;
    this.index = 0;
    this.order = this.instances.map((_, i) => i);
    if (e > 0) new Rng(this.seed).fork(`epoch ${e}`).shuffle(this.order);
  }
}

/** Which documents are held out for evaluation: number d with d % every === every − 1, d < limit. */
export interface Holdout {
  every: number;
  limit: number;
}

export const isHeldOut = (h: Holdout | null, d: number): boolean => h !== null && d < h.limit && d % h.every === h.every - 1;

/**
 * The corpus a window at a time. Each window's documents (minus held-out ones) make unmasked
 * instances (create_instances_from_document, one pass), shuffled within the window with a
 * generator seeded by (seed, epoch, window); each instance is masked when it is batched.
 */
export class StreamingInstances implements InstanceSource {
  private epochCount = 0;
  private window: CorpusPosition = CORPUS_START;
  private windowEnd: CorpusPosition = CORPUS_START;
  private pending: TrainingInstance[] = [];
  private consumed = 0;
  private masking: Rng;

  /**
   * options.masking is ignored (instances are made unmasked); `dynamicMasking` false leaves
   * them unmasked (the ltr objective).
   */
  constructor(
    readonly stream: CorpusStream,
    private readonly options: InstanceOptions & { dynamicMasking: boolean },
    private readonly seed: number,
    private readonly holdout: Holdout | null = null,
  ) {
    this.masking = new Rng(seed).fork("masking");
    this.load(CORPUS_START, 0);
    if (this.pending.length === 0) this.advance();
  }

  get epoch(): number {
    const share = this.stream.totalBytes > 0 ? byteShare(this.stream, this.window) : 0;
    return this.epochCount + share;
  }

  next(n: number): TrainingInstance[] {
    const out: TrainingInstance[] = [];
    while (out.length < n) {
      if (this.consumed === this.pending.length) this.advance();
      const inst = this.pending[this.consumed++];
      out.push(this.options.dynamicMasking ? this.mask(inst) : inst);
    }
    return out;
  }

  getState(): StreamingSourceState {
    return { kind: "streaming", epoch: this.epochCount, window: { ...this.window }, consumed: this.consumed, masking: this.masking.getstate() };
  }

  setState(state: SourceState): void {
    if (state.kind !== "streaming") {
      throw new BertLabError("DATA_MISMATCH", "the checkpoint was made with static masking: resume with --masking static");
    }
    const saved = { window: this.window, epoch: this.epochCount, consumed: this.consumed };
    const fail = (why: string): never => {
      this.load(saved.window, saved.epoch); // leave the source where it was
      this.consumed = saved.consumed;
      throw new BertLabError("DATA_MISMATCH", why);
    };
    if (!this.load(state.window, state.epoch)) {
      fail(`the checkpoint's corpus position ${JSON.stringify(state.window)} is past the end of the corpus: did the corpus change?`);
    }
    if (!(Number.isInteger(state.consumed) && state.consumed >= 0 && state.consumed <= this.pending.length)) {
      fail(`the checkpoint had consumed ${state.consumed} instances of a window that now makes ${this.pending.length}: did the corpus or the options change?`);
    }
    this.consumed = state.consumed;
    this.masking.setstate(state.masking);
  }

  describe(): string {
    return `dynamic masking, streaming ${this.stream.files.length} file(s) of ${(this.stream.totalBytes / 2 ** 20).toFixed(1)} MiB a window at a time (${this.pending.length} instances in the first window)`;
  }

  /** The next window with instances; after the last one, the first again (a new epoch). */
  private advance(): void {
    let position = this.windowEnd;
    let epoch = this.epochCount;
    let wraps = 0;
    for (;;) {
      if (!this.load(position, epoch)) {
        if (++wraps > 1) throw new BertLabError("NO_INSTANCES", "no training instances: every document of the corpus is empty or held out for evaluation");
        position = CORPUS_START;
        epoch += 1;
        continue;
      }
      if (this.pending.length > 0) return;
      position = this.windowEnd;
    }
  }

  /** Makes the instances of the window at `position`; false at the end of the corpus. */
  private load(position: CorpusPosition, epoch: number): boolean {
    const w = this.stream.readWindow(position);
    this.window = { ...position };
    this.epochCount = epoch;
    this.consumed = 0;
    this.pending = [];
    if (w === null) return false;
    this.windowEnd = w.end;
    const docs: Document[] = w.documents.filter((_, i) => !isHeldOut(this.holdout, w.start.document + i));
    const rng = new Rng(this.seed).fork(`epoch ${epoch} document ${w.start.document}`);
    const opts = { ...this.options, masking: "none" as const };
    for (let i = 0; i < docs.length; i++) this.pending.push(...instancesFromDocument(docs, i, opts, rng));
    rng.shuffle(this.pending);
    return true;
  }

  private mask(inst: TrainingInstance): TrainingInstance {
    const m = maskTokens(inst.tokens, this.options, this.masking);
    return { ...inst, tokens: m.tokens, maskedLmPositions: m.positions, maskedLmLabels: m.labels, replacements: m.replacements };
  }
}

function byteShare(stream: CorpusStream, p: CorpusPosition): number {
  // approximate: bytes of the files before p plus p's offset, over the total
  let before = 0;
  for (let f = 0; f < p.file && f < stream.files.length; f++) before += stream.fileSizes[f];
  return Math.min(1, (before + p.offset) / stream.totalBytes);
}
