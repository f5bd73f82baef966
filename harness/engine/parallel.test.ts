/**
 * --jobs gives the results of a serial run for the same seed: the shards of
 * a property (run r on shard r mod N) merged with mergeShards report the
 * serial run's counterexample (seed, path, shrunk steps) and its counts.
 * The shards run in this thread here; parallel.ts runs them in workers.
 */
import { describe, expect, it } from 'vitest';
import { InfrastructureError } from '../contract/index.ts';
import { createModelBackend, type ModelBackendOptions } from '../../backends/model/index.ts';
import { mergeShards } from './parallel.ts';
import { runGeneratedProperty, type PropertyOptions } from './property.ts';
import type { BackendFactory } from './runner.ts';
import { loadSuite } from './suite.ts';

const model = (name: string, opts: ModelBackendOptions = {}): BackendFactory => ({ name, create: async () => createModelBackend(opts) });
// R-G2/R-V8 broken: reset makes a new VMI.
const DEVIANT: ModelBackendOptions = { core: { rules: { behaviour: { reset: 'newVmi' } } } };

const stepTexts = (f: { steps: { command: { text: string } }[] } | undefined) => f?.steps.map((s) => s.command.text);

describe('--jobs: sharded runs merge to the serial result', async () => {
  const suite = await loadSuite('model');
  const base = (factories: BackendFactory[]): PropertyOptions => ({ suite, factories, seed: 1, runs: 60, maxSteps: 10, settleBudgetMs: 60_000 });

  // inMemory: the shrink candidates are first resolved on the reference alone (shrinkOracle.ts).
  for (const [jobs, inMemory] of [[2, false], [3, false], [2, true], [3, true]] as const) {
    it(`a counterexample: ${jobs} shards find the serial run's, same seed, path and shrunk steps${inMemory ? ' (in-memory reference)' : ''}`, async () => {
      const factories = [{ ...model('model'), inMemory }, model('deviant', DEVIANT)];
      const serial = await runGeneratedProperty(base(factories));
      expect(serial.failure).toBeDefined();
      const shards = await Promise.all(Array.from({ length: jobs }, (_, index) => runGeneratedProperty({ ...base(factories), shard: { index, count: jobs } })));
      const merged = mergeShards(shards);
      expect(merged.failure?.seed).toBe(serial.failure?.seed);
      expect(merged.failure?.path).toBe(serial.failure?.path);
      expect(stepTexts(merged.failure)).toEqual(stepTexts(serial.failure));
      expect(merged.failure?.diff).toEqual(serial.failure?.diff);
      expect(merged.failure?.shrink).toEqual(serial.failure?.shrink);
      expect(merged.sequences).toBe(serial.result.sequences);
      expect(merged.steps).toBe(serial.result.steps);
    });
  }

  it('no counterexample: the shards run every run exactly once, with the serial counts', async () => {
    const factories = [model('model'), model('model#2', { seed: 1 })];
    const serial = await runGeneratedProperty(base(factories));
    expect(serial.failure).toBeUndefined();
    const shards = await Promise.all([0, 1].map((index) => runGeneratedProperty({ ...base(factories), shard: { index, count: 2 } })));
    const runs = shards.flatMap((s) => (s.tallies ?? []).map(([r]) => r)).sort((a, b) => a - b);
    expect(runs).toEqual(Array.from({ length: 60 }, (_, i) => i));
    const merged = mergeShards(shards);
    // The coverage counts too: the shards' per-run counts add up to the serial run's.
    expect(merged).toEqual({ sequences: serial.result.sequences, steps: serial.result.steps, coverage: serial.coverage });
  });
});

describe('--jobs: an interrupted run counts like a serial one', () => {
  const out = (steps: number, tallies: [number, number][]) => ({ result: { name: 'generated', passed: true, sequences: tallies.length, steps, durationMs: 1 }, budgetExhausted: false, interrupted: true, tallies });

  it('the real steps of the sequences cut short by the abort count, the sequences do not', () => {
    // Shard 0 ran run 0 (3 steps) and was 2 steps into run 2; shard 1 was 1 step into run 1.
    expect(mergeShards([out(5, [[0, 3]]), out(1, [])])).toMatchObject({ sequences: 1, steps: 6 });
  });
});

describe('--jobs in worker threads', () => {
  it('model against model: 2 worker threads run the sequences and steps of the serial run', async () => {
    const { runInWorkers } = await import('./parallel.ts');
    const suite = await loadSuite('model');
    // Worker backends come by name; a model against itself must pass, run for run like a serial run.
    const job = { suite, backends: ['model', 'model'] as ('model' | 'qemu')[], settings: { accel: 'auto' as const }, seed: 3, runs: 40, maxSteps: 10 };
    const serial = await runGeneratedProperty({ suite, factories: [model('model'), model('model#2', { seed: 1 })], seed: 3, runs: 40, maxSteps: 10, settleBudgetMs: suite.settleBudgetMs });
    const merged = mergeShards(await runInWorkers(job, 2));
    expect(merged.failure).toBeUndefined();
    expect(merged).toEqual({ sequences: serial.result.sequences, steps: serial.result.steps, coverage: serial.coverage });
  });

  const job = async (runs: number) => ({ suite: await loadSuite('model'), backends: ['model', 'model'] as ('model' | 'qemu')[], settings: { accel: 'auto' as const }, seed: 3, runs, maxSteps: 10 });

  it('an abort (Ctrl-C) ends every worker: the call settles only after they have exited, and nothing is a failure', async () => {
    const { runInWorkers, runningWorkers } = await import('./parallel.ts');
    const abort = new AbortController();
    const outs = await runInWorkers(await job(1_000_000), 2, (_w, p) => p.sequences >= 2 && abort.abort(), abort.signal);
    expect(runningWorkers()).toBe(0);
    expect(outs).toHaveLength(2);
    for (const o of outs) {
      expect(o.interrupted).toBe(true);
      expect(o.failure).toBeUndefined();
      expect(o.result.passed).toBe(true);
    }
  }, 90_000);

  it('an abort before the workers started ends them at once: nothing ran, nothing is a failure', async () => {
    const { runInWorkers, runningWorkers } = await import('./parallel.ts');
    const outs = await runInWorkers(await job(1_000_000), 2, undefined, AbortSignal.abort());
    expect(runningWorkers()).toBe(0);
    expect(outs.map((o) => [o.interrupted, o.result.passed, o.result.sequences, o.tallies])).toEqual([
      [true, true, 0, []],
      [true, true, 0, []],
    ]);
  });

  it('an infrastructure error in a worker rejects only once every worker has exited', async () => {
    const { runInWorkers, runningWorkers } = await import('./parallel.ts');
    const broken = { ...(await job(4)), backends: ['model', 'qemu'] as ('model' | 'qemu')[], settings: { accel: 'tcg' as const, qemuBinary: '/nonexistent/qemu' } };
    await expect(runInWorkers(broken, 2)).rejects.toBeInstanceOf(InfrastructureError);
    expect(runningWorkers()).toBe(0);
  }, 90_000);

  it('exitWorkers (a second Ctrl-C) makes the running workers exit at once', async () => {
    const { exitWorkers, runInWorkers, runningWorkers } = await import('./parallel.ts');
    let started!: () => void;
    const progressed = new Promise<void>((r) => (started = r));
    const running = runInWorkers(await job(1_000_000), 2, () => started());
    await progressed;
    await exitWorkers();
    await expect(running).rejects.toThrow(/exited with code 0 before reporting/);
    expect(runningWorkers()).toBe(0);
  }, 90_000);
});

describe('--jobs: a held worker (the caller runs the scenarios in its place)', async () => {
  const { runInWorkers } = await import('./parallel.ts');
  const suite = await loadSuite('model');
  const job = { suite, backends: ['model', 'model'] as ('model' | 'qemu')[], settings: { accel: 'auto' as const }, seed: 3, maxSteps: 10 };
  /** Holds the last worker until `afterMs` after worker 0's first progress; records each worker's first progress. */
  const holding = (afterMs: number) => {
    let release!: () => void;
    const held = new Promise<void>((r) => (release = r));
    const at = { released: Infinity, first: [] as number[] };
    const onProgress = (w: number) => {
      if (at.first[w] !== undefined) return;
      at.first[w] = Date.now();
      if (w === 0) setTimeout(() => ((at.released = Date.now()), release()), afterMs);
    };
    return { held, at, onProgress };
  };

  it('starts only when the held work settles, and the runs are still those of the serial run', async () => {
    const h = holding(1000);
    const outs = await runInWorkers({ ...job, runs: 200 }, 2, h.onProgress, undefined, h.held);
    expect(h.at.first[0]).toBeLessThan(h.at.released);
    expect(h.at.first[1]).toBeGreaterThanOrEqual(h.at.released);
    const serial = await runGeneratedProperty({ suite, factories: [model('model'), model('model#2', { seed: 1 })], seed: 3, runs: 200, maxSteps: 10, settleBudgetMs: suite.settleBudgetMs });
    expect(mergeShards(outs)).toMatchObject({ sequences: serial.result.sequences, steps: serial.result.steps });
  }, 60_000);

  it('gets only the part of the time budget left when it starts: none, once the budget is spent', async () => {
    // Worker 0 has 4 s; the held worker is let go 5 s after worker 0 started.
    const h = holding(5000);
    const outs = await runInWorkers({ ...job, runs: 1_000_000, budgetMs: 4000 }, 2, h.onProgress, undefined, h.held);
    expect(outs[0]!.result.sequences).toBeGreaterThan(0);
    // Before: the held worker (a worker like the others) had its own whole 4 s.
    expect(outs[1]!.result.sequences).toBe(0);
    expect(outs.every((o) => o.budgetExhausted && o.result.passed)).toBe(true);
  }, 60_000);
});
