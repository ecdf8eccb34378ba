/**
 * Fault injection for tests of crash safety: with BERT_LAB_FAULT=NAME@N in the environment,
 * `faultPoint(NAME, N)` kills the process on the spot (SIGKILL: no handler, no cleanup), as
 * a power cut or the OOM killer would. Without the variable it does nothing.
 *
 * @example
 *   // BERT_LAB_FAULT=checkpoint@20 bert-lab pretrain …  → dies while writing checkpoint-20
 *   faultPoint("checkpoint", step);
 */
export function faultPoint(name: string, n: number): void {
  const spec = process.env.BERT_LAB_FAULT;
  if (!spec) return;
  if (spec === `${name}@${n}`) process.kill(process.pid, "SIGKILL");
}
