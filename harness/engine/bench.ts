/**
 * Engine bench (`vmconform bench`): model against model,
 * `engine.modelVsModel10kSequencesSeconds` = wall time of 10,000 generated
 * sequences of at most 20 steps (suite `model`, no hand-written scenarios)
 * on two worker threads, measured inside the workers (thread start-up and
 * tsx module loading are reported apart in meta). Target ≤ 5 s on 2 cores.
 * Quick mode runs 1,000 and extrapolates (said in meta). Public.
 */
import { availableParallelism } from 'node:os';
import type { BenchSuite } from '../bench.ts';
import { runInWorkers } from './parallel.ts';
import { loadSuite } from './suite.ts';

const SEQUENCES = 10_000;

export const bench: BenchSuite = async ({ quick }) => {
  const suite = await loadSuite('model');
  const sequences = quick ? SEQUENCES / 10 : SEQUENCES;
  const jobs = Math.max(1, Math.min(2, availableParallelism()));
  const t0 = performance.now();
  const outcomes = await runInWorkers({ suite, backends: ['model', 'model'], settings: { accel: 'auto' }, seed: 20261125, runs: sequences, maxSteps: 20, progress: false }, jobs);
  const wall = (performance.now() - t0) / 1000;
  // The figure is the generation time (the slowest worker), without thread start-up and module loading.
  const seconds = Math.max(...outcomes.map((o) => o.result.durationMs)) / 1000;
  const ran = outcomes.reduce((n, o) => n + o.result.sequences, 0);
  const steps = outcomes.reduce((n, o) => n + o.result.steps, 0);
  const failures = outcomes.filter((o) => o.failure).length;
  return [
    {
      name: 'engine.modelVsModel10kSequencesSeconds',
      value: Number(((seconds * SEQUENCES) / Math.max(ran, 1)).toFixed(2)),
      unit: 's',
      target: { op: '<=', value: 5 },
      meta: {
        sequences: ran,
        steps,
        workers: jobs,
        maxSteps: 20,
        extrapolated: ran !== SEQUENCES,
        generationSeconds: Number(seconds.toFixed(2)),
        wallSecondsWithStartup: Number(wall.toFixed(2)),
        counterexamples: failures,
      },
    },
  ];
};
