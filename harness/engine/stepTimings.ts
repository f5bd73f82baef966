/**
 * Where a run's wall time goes (`VMCONFORM_TIMINGS=FILE`, README "Where the
 * time goes"). Public. When the variable names a file, the sequence runner
 * appends one JSON line per step (`phase: "step"`: command kind and text, ms
 * of the command, of settle and of the observation, one figure per backend in
 * the run's backend order) and one per sequence (`phase: "sequence"`: ms to
 * create and to dispose each backend). `t` is the epoch ms of the line.
 * Worker threads append to the same file, one whole line per write. Off (no
 * file, no cost beyond a clock read) when the variable is unset or empty.
 */
import { appendFileSync } from 'node:fs';

export type TimingRecord =
  | { phase: 'step'; kind: string; text: string; sendMs: number[]; settleMs: number[]; observeMs: number[] }
  | { phase: 'sequence'; createMs: number[]; disposeMs: number[] };

/** The file the timings go to, or null when they are off. */
export function timingsFile(env: NodeJS.ProcessEnv = process.env): string | null {
  const f = env['VMCONFORM_TIMINGS'];
  return f ? f : null;
}

/** Appends one record as a JSON line when timings are on. */
export function recordTiming(rec: TimingRecord, file = timingsFile()): void {
  if (file === null) return;
  appendFileSync(file, `${JSON.stringify({ t: Date.now(), ...rec })}\n`, { mode: 0o600 });
}

/** A timer for one sequence: `timed` when timings are on, else `p` itself (no extra await on the model's fast path). */
export function timerFor(file = timingsFile()): <T>(p: Promise<T>, out: number[], i: number) => Promise<T> {
  return file ? timed : (p) => p;
}

/** Awaits `p`, writing its wall ms into `out[i]` whether it resolves or rejects. */
export async function timed<T>(p: Promise<T>, out: number[], i: number): Promise<T> {
  const t0 = performance.now();
  try {
    return await p;
  } finally {
    out[i] = Math.round(performance.now() - t0);
  }
}
