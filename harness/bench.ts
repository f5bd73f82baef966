/**
 * Benchmark figures: what `make bench` / `vmconform bench --json` prints.
 * Public: each area (model, engine, guest, qemu) exports a `bench` suite of
 * this type from its own `bench.ts`; the CLI runs them in turn.
 */
export interface BenchFigure {
  /** Stable identifier, e.g. `model.commandsPerSecond`. */
  name: string;
  value: number;
  unit: string;
  /** The target, so the output says whether it was met. */
  target?: { op: '<=' | '>='; value: number };
  /** Facts needed to read the number (accelerator, sample count, sizes). */
  meta?: Record<string, unknown>;
}

export type BenchSuite = (opts: { quick: boolean }) => Promise<BenchFigure[]>;

export function meetsTarget(f: BenchFigure): boolean | null {
  if (!f.target) return null;
  return f.target.op === '<=' ? f.value <= f.target.value : f.value >= f.target.value;
}
