/**
 * One `vmconform run`: the hand-written scenarios of the suite and the
 * generated property (in turn, or side by side with --jobs); optional
 * confirmation re-runs and baseline
 * classification; the result is the results.json contract. Public.
 */
import type { BackendFingerprint } from '../../backends/contract.ts';
import { UsageError } from '../contract/index.ts';
import type { Failure, PropertyResult, RunResults, StepRecord } from './runResults.ts';
import type { BackendName, BackendSettings } from './backends.ts';
import { classifyKnown, type Baseline } from './baseline.ts';
import { mergeShards, runInWorkers } from './parallel.ts';
import { checkCommand, problemsText, type Command } from './command.ts';
import type { HandwrittenScenario } from './handwritten.ts';
import { failureOf, GENERATED_PROPERTY, runGeneratedProperty, type Progress, type PropertyOutcome } from './property.ts';
import { runSequence, type BackendFactory, type SequenceOutcome } from './runner.ts';
import type { Suite } from './suite.ts';
import { emptyCoverage, withShares } from './coverage.ts';
import { shortfalls, type CoverageRequirements } from './requireCoverage.ts';
import { notDrawn } from './specSpace.ts';

export interface RunOptions {
  runId: string;
  suite: Suite;
  factories: readonly BackendFactory[];
  seed: number;
  path?: string;
  runs: number;
  maxSteps: number;
  budgetMs?: number;
  shrinkBudgetMs?: number;
  confirm?: number;
  baseline?: Baseline;
  handwritten: readonly HandwrittenScenario[];
  accel: RunResults['accel'];
  accelProbe?: string;
  onProgress?: (p: Progress) => void;
  onFailure?: (f: Failure) => void;
  /** Ctrl-C: stop between steps, report what ran, mark the run interrupted. */
  signal?: AbortSignal;
  /** --jobs N > 1: the generated property runs in N worker threads, which create their own backends. */
  parallel?: { jobs: number; backends: BackendName[]; settings: BackendSettings };
  /** --require-coverage: minimum counts of the generated sequences' coverage; a shortfall fails the run. */
  requireCoverage?: CoverageRequirements;
  now?: () => number;
}

export const SCENARIO_PREFIX = 'scenario:';

/**
 * Turns recorded steps back into setup + commands (replay from results.json).
 * Each recorded command is parsed with the contract's schema and checked
 * against the API; one that does not parse is a UsageError naming the step
 * and the field path. Public.
 */
export function commandsOf(steps: readonly StepRecord[]): { setup: Command[]; commands: Command[] } {
  const setup: Command[] = [];
  const commands: Command[] = [];
  steps.forEach((s, i) => {
    const checked = checkCommand({ kind: s.command.kind, args: s.command.args });
    if (!checked.ok) throw new UsageError(problemsText(`steps[${i}].command`, checked.problems));
    const cmd = checked.command;
    if (cmd.kind === 'apply' && cmd.args.setup) setup.push(cmd);
    else commands.push(cmd);
  });
  return { setup, commands };
}

/** Re-runs a recorded counterexample step by step. Public. */
export async function replaySteps(steps: readonly StepRecord[], factories: readonly BackendFactory[], settleBudgetMs: number, signal?: AbortSignal): Promise<SequenceOutcome> {
  return runSequence(commandsOf(steps), factories, { settleBudgetMs, ...(signal ? { signal } : {}) });
}

async function runHandwritten(s: HandwrittenScenario, o: RunOptions): Promise<{ result: PropertyResult; failure?: Failure; fingerprints: BackendFingerprint[] }> {
  const now = o.now ?? Date.now;
  const t0 = now();
  const name = `${SCENARIO_PREFIX}${s.name}`;
  const onStep = (step: number) => o.onProgress?.({ property: name, sequences: 0, step, failures: 0, shrinking: false });
  const out = await runSequence({ setup: s.setup, commands: s.steps }, o.factories, { settleBudgetMs: o.suite.settleBudgetMs, onStep, ...(o.signal ? { signal: o.signal } : {}) });
  const result: PropertyResult = { name, passed: out.ok, sequences: out.aborted ? 0 : 1, steps: out.stepsRun, durationMs: now() - t0 };
  o.onProgress?.({ property: name, sequences: result.sequences, step: out.stepsRun, failures: out.ok ? 0 : 1, shrinking: false });
  if (out.ok || out.aborted) return { result, fingerprints: out.fingerprints };
  const shrunk = await shrinkHandwritten(s, out, o);
  const failure = failureOf(name, shrunk.out, {
    seed: o.seed,
    path: '',
    suite: { ...o.suite, maxSteps: o.maxSteps },
    choices: [],
    shrunkFrom: out.stepsRun,
    ...(shrunk.partially ? { partiallyShrunk: true } : {}),
  });
  return { result, failure, fingerprints: out.fingerprints };
}

/** The failure a shrink candidate must keep: the same diff paths, or an error again. */
function sameFailure(a: SequenceOutcome, b: SequenceOutcome): boolean {
  if (a.ok || a.aborted) return false;
  if (b.error !== undefined) return a.error !== undefined;
  const paths = (x: SequenceOutcome) => [...new Set(x.diff.map((d) => d.path))].sort().join('\n');
  return a.error === undefined && paths(a) === paths(b);
}

/**
 * Shrinks a failing hand-written scenario like fast-check shrinks generated
 * ones, within the shrink budget: drop one step before the failing one at a
 * time, keep the drop when the same failure (same diff paths) remains, and
 * cut what follows an earlier failure. Each try is a real re-run.
 */
async function shrinkHandwritten(s: HandwrittenScenario, first: SequenceOutcome, o: RunOptions): Promise<{ out: SequenceOutcome; partially: boolean }> {
  const now = o.now ?? Date.now;
  const t0 = now();
  try {
    return await shrinkSteps(s, first, o, t0 + (o.shrinkBudgetMs ?? Infinity));
  } finally {
    // One shrink budget per run: what the hand-written scenarios use is gone for the others.
    if (o.shrinkBudgetMs !== undefined) o.shrinkBudgetMs = Math.max(0, o.shrinkBudgetMs - (now() - t0));
  }
}

async function shrinkSteps(s: HandwrittenScenario, first: SequenceOutcome, o: RunOptions, deadline: number): Promise<{ out: SequenceOutcome; partially: boolean }> {
  const now = o.now ?? Date.now;
  let best = first;
  let commands = s.steps.slice(0, first.stepsRun);
  for (let i = 0; i < commands.length - 1; ) {
    if (o.signal?.aborted) return { out: best, partially: true };
    if (now() >= deadline) return { out: best, partially: true };
    const candidate = commands.filter((_, j) => j !== i);
    const out = await runSequence({ setup: s.setup, commands: candidate }, o.factories, { settleBudgetMs: o.suite.settleBudgetMs, ...(o.signal ? { signal: o.signal } : {}) });
    if (sameFailure(out, first)) {
      best = out;
      commands = candidate.slice(0, out.stepsRun);
    } else i++;
  }
  return { out: best, partially: false };
}

async function confirm(f: Failure, n: number, o: RunOptions): Promise<void> {
  if (f.steps.length === 0) return;
  let reproduced = 0;
  for (let i = 0; i < n; i++) {
    const out = await replaySteps(f.steps, o.factories, o.suite.settleBudgetMs, o.signal);
    if (out.aborted) return; // interrupted: no classification rather than a wrong one
    if (!out.ok) reproduced++;
  }
  f.classification = reproduced === n ? 'deterministic' : 'flaky';
}

/** One progress line for all workers: sequences and failures summed. */
function summed(perWorker: Progress[], onProgress: (p: Progress) => void): (worker: number, p: Progress) => void {
  return (w, p) => {
    perWorker[w] = p;
    const all = perWorker.filter((x): x is Progress => x !== undefined);
    onProgress({
      ...p,
      sequences: all.reduce((n, x) => n + x.sequences, 0),
      failures: all.reduce((n, x) => n + x.failures, 0),
      shrinking: all.some((x) => x.shrinking),
    });
  };
}

const noop = (): void => undefined;

type Generated = Omit<PropertyOutcome, 'scenario' | 'failure'> & { failures: Failure[] };

/** Whether the generated property runs in worker threads (--jobs N > 1). */
function inWorkers(o: RunOptions): boolean {
  return o.parallel !== undefined && o.parallel.jobs > 1 && o.path === undefined;
}

/**
 * The generated property, in this thread or split over worker threads
 * (--jobs). `held`: work of this thread that takes the last worker's place
 * until it settles (runInWorkers).
 */
async function generated(o: RunOptions, budgetMs: number | undefined, signal?: AbortSignal, held?: Promise<unknown>): Promise<Generated> {
  const budgets = { ...(budgetMs !== undefined ? { budgetMs } : {}), ...(o.shrinkBudgetMs !== undefined ? { shrinkBudgetMs: o.shrinkBudgetMs } : {}) };
  if (o.parallel && inWorkers(o)) {
    const outs = await runInWorkers(
      { suite: o.suite, backends: o.parallel.backends, settings: o.parallel.settings, seed: o.seed, runs: o.runs, maxSteps: o.maxSteps, ...budgets },
      o.parallel.jobs,
      o.onProgress && summed([], o.onProgress),
      signal,
      held,
    );
    const fp = outs.find((x) => x.fingerprints)?.fingerprints;
    const merged = mergeShards(outs);
    return {
      result: {
        name: GENERATED_PROPERTY,
        passed: outs.every((x) => x.result.passed),
        sequences: merged.sequences,
        steps: merged.steps,
        durationMs: Math.max(...outs.map((x) => x.result.durationMs)),
      },
      failures: merged.failure ? [merged.failure] : [],
      coverage: merged.coverage,
      budgetExhausted: outs.some((x) => x.budgetExhausted),
      ...(fp ? { fingerprints: fp } : {}),
    };
  }
  const { failure, scenario: _s, ...rest } = await runGeneratedProperty({
    suite: o.suite,
    factories: o.factories,
    seed: o.seed,
    runs: o.runs,
    maxSteps: o.maxSteps,
    settleBudgetMs: o.suite.settleBudgetMs,
    ...(o.path !== undefined ? { path: o.path } : {}),
    ...budgets,
    ...(o.onProgress ? { onProgress: o.onProgress } : {}),
    ...(o.now ? { now: o.now } : {}),
    ...(o.signal ? { signal: o.signal } : {}),
  });
  return { ...rest, failures: failure ? [failure] : [] };
}

/** Runs a suite over the backends and returns results.json. Throws InfrastructureError (exit 3). Public. */
export async function runSuite(options: RunOptions): Promise<RunResults> {
  // A copy: the shrink budget is a pool the run draws from.
  const o = { ...options };
  const now = o.now ?? Date.now;
  const started = now();
  const properties: PropertyResult[] = [];
  const failures: Failure[] = [];
  let fingerprints: BackendFingerprint[] | undefined;
  const report = (f: Failure) => {
    failures.push(f);
    o.onFailure?.(f);
  };

  const scenarios = async () => {
    for (const s of o.path === undefined ? o.handwritten : []) {
      if (o.signal?.aborted) break;
      const r = await runHandwritten(s, o);
      fingerprints ??= r.fingerprints;
      properties.push(r.result);
      if (r.failure) report(r.failure);
    }
  };
  // --runs 0: only the hand-written scenarios.
  const generates = o.runs > 0 || o.path !== undefined;
  let gen: Generated | null = null;
  if (generates && inWorkers(o) && o.handwritten.length > 0) {
    // The scenarios run here while the workers generate; the last worker
    // waits for them, so that `jobs` sequences run at a time throughout.
    const stop = new AbortController();
    const onAbort = () => stop.abort();
    if (o.signal?.aborted) stop.abort();
    else o.signal?.addEventListener('abort', onAbort, { once: true });
    const done = scenarios();
    // Registered before the hold below: a scenario's infrastructure error stops the workers before the held one is let go.
    done.catch(() => stop.abort());
    const [sc, g] = await Promise.allSettled([done, generated(o, o.budgetMs, stop.signal, done.then(noop, noop))]);
    o.signal?.removeEventListener('abort', onAbort);
    if (sc.status === 'rejected') throw sc.reason;
    if (g.status === 'rejected') throw g.reason;
    gen = g.value;
  } else {
    await scenarios();
    const budgetMs = o.budgetMs === undefined ? undefined : Math.max(0, o.budgetMs - (now() - started));
    if (generates && !o.signal?.aborted) gen = await generated(o, budgetMs, o.signal);
  }
  if (gen) {
    fingerprints ??= gen.fingerprints;
    properties.push(gen.result);
    for (const f of gen.failures) report(f);
  }

  for (const f of failures) {
    if (o.confirm !== undefined && o.confirm > 0 && !o.signal?.aborted) await confirm(f, o.confirm, o);
    if (o.baseline) classifyKnown(f, o.baseline);
  }
  const results: RunResults = {
    runId: o.runId,
    startedAt: new Date(started).toISOString(),
    durationMs: now() - started,
    accel: o.accel,
    backends: o.factories.map((f) => f.name),
    suite: o.suite.name,
    seed: o.seed,
    runs: o.runs,
    passed: failures.every((f) => f.known !== undefined),
    sequences: properties.reduce((n, p) => n + p.sequences, 0),
    steps: properties.reduce((n, p) => n + p.steps, 0),
    properties,
    failures,
  };
  if (o.accelProbe !== undefined) results.accelProbe = o.accelProbe;
  if (fingerprints) results.fingerprints = fingerprints;
  if (o.budgetMs !== undefined) results.budgetSeconds = o.budgetMs / 1000;
  // Two separate facts: the budget ending generation is not an interruption.
  if (gen?.budgetExhausted) results.budgetExhausted = true;
  if (o.signal?.aborted) results.interrupted = true;
  const required = o.requireCoverage && Object.keys(o.requireCoverage).length > 0 ? o.requireCoverage : undefined;
  if (gen?.coverage || required) {
    const coverage = { ...withShares(gen?.coverage ?? emptyCoverage()), notDrawn: notDrawn(o.suite.spec) };
    if (required) {
      // Only a finished count can fall short: an interrupted run is reported as such.
      const missing = o.signal?.aborted ? [] : shortfalls(coverage, required);
      Object.assign(coverage, { required, shortfalls: missing });
      if (missing.length > 0) results.passed = false;
    }
    results.coverage = coverage;
  }
  return results;
}
