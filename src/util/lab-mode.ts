// Smoke mode: BERT_LAB_SMOKE=1 shrinks steps and sizes so every notebook runs in CI within a
// few minutes on two cores; without it (the default, for people) the notebooks run at the
// sizes their prose talks about. Notebooks ask through bySize() so both sizes sit side by side.
import { BertLabError } from "./errors";

/** "smoke" when BERT_LAB_SMOKE is 1/true/yes, else "full". */
export function labMode(env: Record<string, string | undefined> = process.env): "smoke" | "full" {
  const v = (env.BERT_LAB_SMOKE ?? "").trim().toLowerCase();
  if (v === "" || v === "0" || v === "false" || v === "no") return "full";
  if (v === "1" || v === "true" || v === "yes") return "smoke";
  throw new BertLabError("BAD_SMOKE", `BERT_LAB_SMOKE=${JSON.stringify(env.BERT_LAB_SMOKE)} is not understood: use 1 (smoke mode, small and fast) or 0 / unset (full size)`);
}

/**
 * The full-size value, or the smoke-mode one when BERT_LAB_SMOKE=1.
 *
 * @example
 *   const steps = bySize({ full: 3000, smoke: 30 });
 */
export function bySize<T>(sizes: { full: T; smoke: T }, env: Record<string, string | undefined> = process.env): T {
  return labMode(env) === "smoke" ? sizes.smoke : sizes.full;
}
