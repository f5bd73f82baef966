/**
 * The save / restore property (docs/architecture.md, the control plane):
 * one generated sequence run straight and run with the core saved to JSON
 * and restored after the steps `restoreAfter` picks; both traces (answers,
 * effects, events, observations) must be equal. Internal: the test
 * (saveRestore.test.ts) and the bench use it.
 */
import { runTrace } from './traceHash.ts';

/** Steps of a short generated sequence. */
export const STEPS = 12;

function trace(seed: number, steps: number, restoreAfter?: (step: number) => boolean): string[] {
  const out: string[] = [];
  runTrace(seed, steps, (stream, x, step) => out.push(`${step} ${stream} ${JSON.stringify(x)}`), restoreAfter);
  return out;
}

/** The straight and the restored trace of one seed. */
export function restoredTrace(seed: number, steps: number, restoreAfter: (step: number) => boolean): { straight: string[]; restored: string[] } {
  return { straight: trace(seed, steps), restored: trace(seed, steps, restoreAfter) };
}

/** Runs `sequences` seeds restored after one step each; returns the seeds whose traces differ. */
export function saveRestoreSequences(sequences: number, steps = STEPS): number[] {
  const differ: number[] = [];
  for (let seed = 1; seed <= sequences; seed++) {
    const { straight, restored } = restoredTrace(seed, steps, (step) => step === 1 + (seed % steps));
    if (straight.length !== restored.length || straight.some((l, i) => l !== restored[i])) differ.push(seed);
  }
  return differ;
}
