/**
 * The generated-sequence property (docs/architecture.md §4). Public.
 *
 * fast-check drives generation, shrinking and replay (`seed` + `path`); the
 * predicate runs one sequence over the backends (runner.ts). Budgets are
 * enforced inside the predicate so that fast-check always ends cleanly:
 * - time budget: once spent before any failure, remaining runs pass without
 *   running, and the outcome says how many sequences really ran;
 * - shrink budget: once spent after the first failure, remaining shrink
 *   candidates pass without running, so fast-check reports the smallest
 *   counterexample found so far, marked partially shrunk.
 * fast-check's own interruptAfterTimeLimit (budget + shrink budget) ends the
 * stream of runs itself, so a huge --runs does not keep generating.
 * An InfrastructureError stops the property the same way and is re-thrown
 * after fast-check returns (exit 3, not a counterexample).
 */
import fc from 'fast-check';
import { InfrastructureError, type BackendFingerprint } from '../../backends/contract.ts';
import type { Coverage, Failure, PropertyResult } from './runResults.ts';
import { emptyCoverage, mergeCoverage, sequenceCoverage } from './coverage.ts';
import type { Choice } from './catalogue.ts';
import { runSequence, setupCommands, type BackendFactory, type SequenceOutcome } from './runner.ts';
import { GENERATOR_VERSION, scenarioArb, SKIPPED_SCENARIO, type Scenario } from './scenario.ts';
import type { Suite } from './suite.ts';
import { ShrinkOracle } from './shrinkOracle.ts';
import { encodeToken, suiteHash } from './token.ts';

/** Progress of a run, for the terminal or CI log. Public. */
export interface Progress {
  property: string;
  sequences: number;
  step: number;
  failures: number;
  shrinking: boolean;
}

export interface PropertyOptions {
  suite: Suite;
  factories: readonly BackendFactory[];
  seed: number;
  /** fast-check replay path: replays that counterexample (then shrinks it further unless `endOnFailure`). */
  path?: string;
  runs: number;
  maxSteps?: number;
  budgetMs?: number;
  shrinkBudgetMs?: number;
  settleBudgetMs: number;
  endOnFailure?: boolean;
  onProgress?: (p: Progress) => void;
  /** Ctrl-C: stops between steps and ends the property cleanly (`interrupted`). */
  signal?: AbortSignal;
  /** Sees every scenario the predicate runs (replay checks the token's choices with it). */
  onScenario?: (s: Scenario) => void;
  /** Wall clock, a parameter for tests. */
  now?: () => number;
  /**
   * --jobs: this worker runs only generated runs `index`, `index + count`, ...
   * (the others pass without running), with the same seed as a serial run,
   * so a counterexample and its shrinking are exactly the serial run's.
   */
  shard?: { index: number; count: number; limit?: number };
  /** Called once, with its run index, when the first failing run is found (--jobs: the others stop after it). */
  onFirstFailure?: (run: number) => void;
}

/** One executed generated run (before any failure): its index in the run stream and its real steps. */
export type RunTally = readonly [run: number, steps: number];

export interface PropertyOutcome {
  result: PropertyResult;
  failure?: Failure;
  /** The counterexample scenario (for --confirm and tests). */
  scenario?: Scenario;
  budgetExhausted: boolean;
  /** Stopped by the abort signal. */
  interrupted?: boolean;
  /** Fingerprints of the backends as the first sequence met them. */
  fingerprints?: BackendFingerprint[];
  /** Index (in the run stream) of the first failing run. */
  firstFailureRun?: number;
  /** Every run executed before the first failure (merging --jobs shards like a serial run). */
  tallies?: RunTally[];
  /** What the runs counted in `result.sequences` exercised (coverage.ts). */
  coverage?: Coverage;
  /** --jobs: the coverage of each run, by run index, so that merging counts the serial run's runs only. */
  coverageRuns?: (readonly [run: number, coverage: Coverage])[];
}

export const GENERATED_PROPERTY = 'generated';

const YIELD_EVERY_MS = 50;

/** Builds the Failure record of a counterexample. Internal (also used for hand-written scenarios). */
export function failureOf(
  property: string,
  out: SequenceOutcome,
  meta: { seed: number; path: string; suite: Suite; choices: readonly Choice[]; shrunkFrom: number; partiallyShrunk?: boolean; shrink?: Failure['shrink'] },
): Failure {
  const token = encodeToken({
    generator: GENERATOR_VERSION,
    suite: meta.suite.name,
    suiteHash: suiteHash(meta.suite),
    property,
    maxSteps: meta.suite.maxSteps,
    seed: meta.seed,
    path: meta.path,
    choices: meta.choices.map((c) => [c[0], c[1]] as Choice),
    fingerprints: out.fingerprints,
  });
  const f: Failure = { property, seed: meta.seed, path: meta.path, token, steps: out.steps, diff: out.diff, shrunkFrom: meta.shrunkFrom };
  if (meta.partiallyShrunk) f.partiallyShrunk = true;
  if (meta.shrink) f.shrink = meta.shrink;
  if (out.error !== undefined) f.error = out.error;
  return f;
}

/** Runs the generated property of a suite. Public. */
export async function runGeneratedProperty(o: PropertyOptions): Promise<PropertyOutcome> {
  const now = o.now ?? Date.now;
  // --max-steps below the suite's minSteps caps both: the sequences are as long as asked, never longer
  const suite = o.maxSteps === undefined ? o.suite : { ...o.suite, maxSteps: o.maxSteps, minSteps: Math.min(o.suite.minSteps, o.maxSteps) };
  const started = now();
  let sequences = 0;
  let steps = 0;
  let budgetExhausted = false;
  let infra: InfrastructureError | undefined;
  let firstFailureAt: number | undefined;
  let shrunkFrom = 0;
  let partiallyShrunk = false;
  let last: { scenario: Scenario; out: SequenceOutcome } | undefined;
  let fingerprints: BackendFingerprint[] | undefined;
  let run = -1;
  let firstFailureRun: number | undefined;
  const tallies: RunTally[] = [];
  const coverage = emptyCoverage();
  const coverageRuns: (readonly [number, Coverage])[] = [];
  const reference = o.factories[0]?.name ?? '';
  // Shrink candidates are resolved on an in-memory reference first: a known outcome needs no replay.
  const oracle = o.factories[0]?.inMemory && o.factories.length > 1 ? new ShrinkOracle(o.factories[0], suite.settleBudgetMs) : undefined;
  const shrink = { candidates: 0, replays: 0, shortestAt: 0 };
  const failedWith = (scenario: Scenario, out: SequenceOutcome): false => {
    if (last && out.stepsRun < last.out.stepsRun) shrink.shortestAt = shrink.replays;
    last = { scenario, out };
    return false;
  };
  const progress = (step: number) =>
    o.onProgress?.({ property: GENERATED_PROPERTY, sequences, step, failures: firstFailureAt === undefined ? 0 : 1, shrinking: firstFailureAt !== undefined });

  const interrupt = () => new fc.PreconditionFailure(true);
  /** An InfrastructureError stops the property (re-thrown after fast-check returns), it is not a counterexample. */
  const guarded = async <T>(f: () => Promise<T>): Promise<T> => {
    try {
      return await f();
    } catch (err) {
      if (err instanceof InfrastructureError) {
        infra = err;
        throw interrupt();
      }
      throw err;
    }
  };
  /** --jobs: another worker's run, or one after another worker's failing run (a serial run never gets there). */
  const notMine = (r: number): boolean => o.shard !== undefined && (r % o.shard.count !== o.shard.index || (o.shard.limit !== undefined && r > o.shard.limit));
  let yieldedAt = now();
  const predicate = async (scenario: Scenario): Promise<boolean> => {
    // An in-memory backend never waits on I/O: let the event loop deliver
    // signals (Ctrl-C) and worker messages now and then.
    if (now() - yieldedAt >= YIELD_EVERY_MS) {
      await new Promise((r) => setImmediate(r));
      yieldedAt = now();
    }
    if (infra || o.signal?.aborted) throw interrupt();
    if (firstFailureAt === undefined) {
      if (o.budgetMs !== undefined && now() - started >= o.budgetMs) {
        budgetExhausted = true;
        throw interrupt();
      }
    } else if (o.shard?.limit !== undefined && o.shard.limit < (firstFailureRun ?? Infinity)) {
      throw interrupt(); // another worker failed earlier: this counterexample is not the serial run's
    } else if (o.shrinkBudgetMs !== undefined && now() - firstFailureAt >= o.shrinkBudgetMs) {
      partiallyShrunk = true;
      throw interrupt();
    }
    if (firstFailureAt === undefined) {
      run++;
      if (notMine(run)) return true;
    }
    if (scenario === SKIPPED_SCENARIO) throw new Error(`bug: run ${run} was drawn as skipped but is run`);
    o.onScenario?.(scenario);
    const input = { setup: setupCommands(scenario.cluster.objects), vms: scenario.vms, choices: scenario.choices, kinds: suite.commands };
    if (firstFailureAt !== undefined) {
      shrink.candidates++;
      const verdict = oracle ? await guarded(() => oracle.judge(input, o.signal)) : { kind: 'replay' as const };
      if (verdict.kind === 'pass') return true;
      if (verdict.kind === 'fail') return failedWith(scenario, verdict.out);
      shrink.replays++;
    }
    const out = await guarded(() =>
      runSequence(input, o.factories, {
        settleBudgetMs: suite.settleBudgetMs,
        ...(o.signal ? { signal: o.signal } : {}),
        ...(o.onProgress ? { onStep: progress } : {}),
        // The time budget ends generation between steps, also within a sequence; shrinking has its own.
        ...(o.budgetMs !== undefined && firstFailureAt === undefined ? { deadline: started + o.budgetMs, now } : {}),
      }),
    );
    if (out.fingerprints.length > 0) fingerprints ??= out.fingerprints;
    if (out.aborted) {
      // Real steps of the interrupted sequence count; the sequence itself did not complete.
      if (firstFailureAt === undefined) steps += out.stepsRun;
      if (!o.signal?.aborted) budgetExhausted = true; // stopped at the budget's deadline
      throw interrupt();
    }
    fingerprints ??= out.fingerprints;
    if (firstFailureAt === undefined) {
      sequences++;
      steps += out.stepsRun;
      tallies.push([run, out.stepsRun]);
      const c = sequenceCoverage(out.steps, scenario.vms, reference, out.ruleHits);
      if (o.shard) coverageRuns.push([run, c]);
      else mergeCoverage(coverage, c);
    }
    progress(out.stepsRun);
    if (firstFailureAt !== undefined || !out.ok) oracle?.learn(out);
    if (out.ok) return true;
    if (firstFailureAt === undefined) {
      firstFailureAt = now();
      firstFailureRun = run;
      shrunkFrom = out.stepsRun;
      o.onFirstFailure?.(run);
    }
    return failedWith(scenario, out);
  };

  // The runs this worker does not run are not generated either (the limit only falls, so a run skipped
  // when drawn is still skipped when the predicate meets it). A replay path walks runs out of that order.
  const arb = scenarioArb(suite, o.shard && o.path === undefined ? { skipRun: notMine } : {});
  const details = await fc.check(fc.asyncProperty(arb, predicate), {
    seed: o.seed,
    numRuns: Math.max(o.runs, 1),
    ...(o.path !== undefined ? { path: o.path } : {}),
    ...(o.endOnFailure ? { endOnFailure: true } : {}),
  });
  if (infra) throw infra;
  // fast-check calls a check stopped before its first run failed: our own stop
  // (budget, signal, a peer worker's limit) is not a counterexample.
  const failed = details.failed && !(details.interrupted && last === undefined && details.errorInstance == null);
  const result: PropertyResult = { name: GENERATED_PROPERTY, passed: !failed, sequences, steps, durationMs: now() - started };
  const base = {
    budgetExhausted,
    tallies,
    ...(o.shard ? { coverageRuns } : { coverage }),
    ...(o.signal?.aborted ? { interrupted: true } : {}),
    ...(fingerprints ? { fingerprints } : {}),
    ...(firstFailureRun !== undefined ? { firstFailureRun } : {}),
  };
  if (!failed) return { result, ...base };
  if (!last) {
    // The predicate threw (a bug in the engine or a backend): report it, not a diff.
    const error = details.errorInstance instanceof Error ? details.errorInstance.message : String(details.errorInstance);
    const failure: Failure = { property: GENERATED_PROPERTY, seed: details.seed, path: details.counterexamplePath ?? '', token: '', steps: [], diff: [], shrunkFrom: 0, error };
    return { result, failure, ...base };
  }
  const failure = failureOf(GENERATED_PROPERTY, last.out, {
    seed: details.seed,
    path: details.counterexamplePath ?? '',
    suite,
    choices: last.scenario.choices,
    shrunkFrom,
    partiallyShrunk,
    shrink,
  });
  return { result, failure, scenario: last.scenario, ...base };
}
