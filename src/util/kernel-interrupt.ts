// Kernel interrupts as the trainer sees them. The BERT Lab kernel (src/kernel/launcher.ts)
// counts the interrupts Jupyter sends (SIGINT, "interrupt_mode": "signal"); a training loop
// notes the count when it starts and stops at the next step boundary once it changes. The
// count lives on globalThis under a registered symbol, so every copy of the library loaded
// in the kernel process sees the same one.

const KEY = Symbol.for("bert-lab.kernel.interrupts");

interface InterruptCounter {
  count: number;
}

function counter(): InterruptCounter {
  const g = globalThis as unknown as Record<symbol, InterruptCounter | undefined>;
  return (g[KEY] ??= { count: 0 });
}

/**
 * How many interrupts the kernel has received so far (0 outside the kernel).
 *
 * @example
 *   const mark = interruptCount();
 *   while (working) { if (interruptCount() !== mark) break; await step(); }
 */
export function interruptCount(): number {
  return counter().count;
}

/**
 * Records one interrupt: every loop that noted an earlier count stops at its next boundary.
 * The kernel calls this on SIGINT; a test may too.
 *
 * @example
 *   process.on("SIGINT", () => noteInterrupt());
 */
export function noteInterrupt(): void {
  counter().count += 1;
}
