/**
 * The sequence runner (docs/architecture.md §4: one step). Public.
 *
 * Runs one sequence over 1..n backends: fresh backends, then per step
 * apply → settle → observe → canonicalise → diff against the first backend
 * (the reference). Setup objects (the cluster) are applied one by one with
 * their answers compared, then settled and observed once. Steps come either from choices resolved against the
 * reference's state (generated scenarios) or from a fixed command list
 * (hand-written scenarios, replay of a recorded counterexample). The
 * sequence stops at the first step with a difference or an unexpected
 * error. An InfrastructureError is not a counterexample: it propagates.
 */
import type { Backend, BackendFingerprint, KubeObject, Observation } from '../../backends/contract.ts';
import { answerKey, InfrastructureError, type Result } from '../contract/index.ts';
import { Canonicaliser } from '../observe/canonicalise.ts';
import type { CanonicalObservation } from '../observe/canonicalise.ts';
import { deepEqual, diffValues } from '../observe/diff.ts';
import type { DiffEntry, StepRecord } from './runResults.ts';
import { objectKey, resolveChoice, type Choice, type GenState } from './catalogue.ts';
import { applyCommand, commandText, type Command } from './command.ts';
import { ruleHitsOf, type RuleHits } from './coverage.ts';
import type { ChoiceKind } from './suite.ts';
import type { VmEntry } from './vmEntry.ts';
import { recordTiming, timerFor, timingsFile } from './stepTimings.ts';
import { lookup, remember, setupKey, type SavedState, type SetupEntry } from './setupCache.ts';

/** Makes a fresh backend for one sequence. `name` is unique within a run (`model`, `model#2`). Public. */
export interface BackendFactory {
  name: string;
  create(): Promise<Backend>;
  /** Runs in this process without I/O (the model): shrinking resolves candidates on it first (shrinkOracle.ts). */
  inMemory?: boolean;
  /** Saves a backend's whole state and makes one continuing from it: its setups are cached (setupCache.ts). */
  saved?: SavedState;
}

/** What a sequence runs. Public. */
export type SequenceInput =
  | { setup: readonly Command[]; vms: readonly VmEntry[]; choices: readonly Choice[]; kinds: readonly ChoiceKind[] }
  | { setup: readonly Command[]; commands: readonly Command[] };

export interface SequenceOutcome {
  ok: boolean;
  /** Every step run, setup included; the last one holds the difference. */
  steps: StepRecord[];
  diff: DiffEntry[];
  error?: string;
  /** Number of non-setup steps run. */
  stepsRun: number;
  fingerprints: BackendFingerprint[];
  /** Stopped by the abort signal, or between steps at the deadline: neither a pass nor a counterexample. */
  aborted?: boolean;
  /** The rules the reference says fired (coverage.ts `RuleHitReporter`), when it reports them. */
  ruleHits?: RuleHits;
}

export interface RunnerOptions {
  settleBudgetMs: number;
  /** Checked between steps (Ctrl-C): the sequence stops and its backends are disposed. */
  signal?: AbortSignal;
  /**
   * A time (`now()` ms) after which no further step starts: the step in
   * flight ends and is compared, then the sequence stops, `aborted` (a run's
   * time budget, so that the last sequences do not run past it).
   */
  deadline?: number;
  now?: () => number;
  /** Called before each non-setup step (progress on slow backends). */
  onStep?: (step: number, text: string) => void;
}

/** Answers are compared on ok, code and reason (docs/architecture.md §3); messages are reported, not compared. */
function resultDiff(ref: Result, other: Result, backend: string): DiffEntry[] {
  if (ref.ok && other.ok) return []; // the common case: two acceptances, equal keys (no key objects built)
  const { reason: ra, ...a } = answerKey(ref);
  const { reason: rb, ...b } = answerKey(other);
  // A reason differs on its own only when the codes agree: the default reason follows the code.
  if (!deepEqual(a, b)) return diffValues(a, b, backend, 'result');
  return ra === rb ? [] : diffValues({ reason: ra }, { reason: rb }, backend, 'result');
}

/** Equal observations (the common case) skip the path-building walk. */
function diffCanonical(a: CanonicalObservation | undefined, b: CanonicalObservation, backend: string): DiffEntry[] {
  return deepEqual(a, b) ? [] : diffValues(a, b, backend);
}

function message(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/** Keeps the reference's view of which objects exist (the generation state). */
function track(applied: Map<string, KubeObject>, cmd: Command, r: Result): void {
  if (!r.ok) return;
  if (cmd.kind === 'apply') applied.set(objectKey(cmd.args.object), cmd.args.object);
  else if (cmd.kind === 'delete') applied.delete(objectKey(cmd.args));
}

/** Resolves when `signal` aborts (never without one); `done` removes the listener. */
function abortOf(signal: AbortSignal | undefined): { aborted: Promise<void>; done(): void } {
  if (!signal) return { aborted: new Promise(() => undefined), done: () => undefined };
  let onAbort = (): void => undefined;
  const aborted = new Promise<void>((resolve) => {
    onAbort = () => resolve();
    if (signal.aborted) resolve();
    else signal.addEventListener('abort', onAbort, { once: true });
  });
  return { aborted, done: () => signal.removeEventListener('abort', onAbort) };
}

/** How long an abort waits for backends still being created (a first qemu backend probes KVM). */
const ABORT_CREATE_WAIT_MS = 5000;

/** What a sequence has done so far: shared with the abort path, which reports it. */
interface Progressed {
  steps: StepRecord[];
  stepsRun: number;
  fingerprints: BackendFingerprint[];
}

/**
 * Runs one sequence; disposes every backend it created, whatever happens. Public.
 * An abort (Ctrl-C) does not wait for the step in flight: the backends are
 * disposed at once (which kills their QEMUs) and the outcome is `aborted`,
 * so a run stops within seconds even mid-boot.
 */
export async function runSequence(input: SequenceInput, factories: readonly BackendFactory[], opts: RunnerOptions): Promise<SequenceOutcome> {
  const stop = abortOf(opts.signal);
  // Read once per sequence: off, the steps build no timing record at all.
  const timings = timingsFile();
  const timed = timerFor(timings);
  const createMs: number[] = [];
  // Backends that can save their state start from a cached setup when there is one (setupCache.ts).
  const key = input.setup.length > 0 && factories.every((f) => f.saved) ? setupKey(input.setup) : null;
  const cached = key === null ? null : lookup(factories, key);
  const creating = Promise.allSettled(factories.map((f, i) => timed(cached ? f.saved!.restore(cached[i]!.state) : f.create(), createMs, i)));
  const created = await Promise.race([creating, stop.aborted.then(() => null)]);
  if (created === null) {
    stop.done();
    // Backends still being created are disposed as they arrive (bounded: the process exit hook is the last resort).
    const disposed = creating.then((cs) => Promise.allSettled(cs.map((c) => (c.status === 'fulfilled' ? c.value.dispose() : undefined))));
    await Promise.race([disposed, new Promise((r) => setTimeout(r, ABORT_CREATE_WAIT_MS).unref())]);
    return { ok: true, aborted: true, steps: [], diff: [], stepsRun: 0, fingerprints: [] };
  }
  const backends = created.flatMap((c) => (c.status === 'fulfilled' ? [c.value] : []));
  const so: Progressed = { steps: [], stepsRun: 0, fingerprints: [] };
  try {
    const failed = created.find((c): c is PromiseRejectedResult => c.status === 'rejected');
    if (failed) throw failed.reason instanceof InfrastructureError ? failed.reason : new InfrastructureError(`cannot create backend: ${message(failed.reason)}`, { cause: failed.reason });
    const setup: SetupUse = cached ? { cached } : key !== null ? { key } : {};
    const driving = drive(input, factories, backends, opts, so, timings, setup);
    // After an abort the abandoned step fails against disposed backends: nobody waits for it.
    driving.catch(() => undefined);
    const abortedOutcome = stop.aborted.then((): SequenceOutcome => ({ ok: true, aborted: true, steps: so.steps, diff: [], stepsRun: so.stepsRun, fingerprints: so.fingerprints }));
    const out = await Promise.race([driving, abortedOutcome]);
    const ruleHits = out.aborted ? undefined : ruleHitsOf(backends[0]);
    return ruleHits ? { ...out, ruleHits } : out;
  } finally {
    stop.done();
    const disposeMs: number[] = [];
    await Promise.allSettled(backends.map((b, i) => timed(b.dispose(), disposeMs, i)));
    if (timings !== null) recordTiming({ phase: 'sequence', createMs, disposeMs }, timings);
  }
}

/** How a sequence's setup uses the setup cache: replays the answers of a restored one, or keeps its own under `key`. */
type SetupUse = { cached: readonly SetupEntry[] } | { key: string } | Record<string, never>;

async function drive(input: SequenceInput, factories: readonly BackendFactory[], backends: Backend[], opts: RunnerOptions, so: Progressed, timings: string | null, setup: SetupUse): Promise<SequenceOutcome> {
  const names = factories.map((f) => f.name);
  const fingerprints = backends.map((b, i) => ({ ...b.fingerprint(), backend: names[i] as string }));
  so.fingerprints = fingerprints;
  const canon = backends.map(() => new Canonicaliser());
  const applied = new Map<string, KubeObject>();
  const steps = so.steps;
  let obs: Observation = { header: { backend: names[0] as string }, vms: {}, vmis: {}, pvcs: {}, nodes: {}, migrations: {} };
  let stepsRun = 0;

  const timed = timerFor(timings);
  /** The last command's timings, completed by `check` (stepTimings.ts). */
  let lastSend: { kind: string; text: string; sendMs: number[] } = { kind: '', text: '', sendMs: [] };
  const fail = (diff: DiffEntry[], error?: string): SequenceOutcome => ({ ok: false, steps, diff, stepsRun, fingerprints, ...(error !== undefined ? { error } : {}) });

  /** A step's record, on the list before the backends answer (an error names the step it happened in). */
  const open = (cmd: Command, text: string): StepRecord => {
    const record: StepRecord = { command: { ...cmd, text }, results: {}, diff: [] };
    steps.push(record);
    return record;
  };

  /** Sends a command to every backend and compares the answers (ok + code). */
  const send = async (cmd: Command, text = commandText(cmd)): Promise<StepRecord> => {
    const record = open(cmd, text);
    const sendMs: number[] = [];
    const results = await Promise.all(backends.map((b, i) => timed(applyCommand(b, cmd), sendMs, i)));
    lastSend = { kind: cmd.kind, text, sendMs };
    answered(record, cmd, results);
    return record;
  };

  /** Records the backends' answers to a command, compared with the reference's. */
  const answered = (record: StepRecord, cmd: Command, results: readonly Result[]): void => {
    results.forEach((r, i) => {
      record.results[names[i] as string] = r;
      if (i === 0) return;
      const d = resultDiff(results[0] as Result, r, names[i] as string);
      if (d.length > 0) record.diff!.push(...d);
    });
    track(applied, cmd, results[0] as Result);
  };

  /** A setup command the restored backends already answered (setupCache.ts). */
  const replay = (cmd: Command, j: number, cached: readonly SetupEntry[]): StepRecord => {
    const record = open(cmd, commandText(cmd));
    answered(record, cmd, cached.map((e) => e.results[j] as Result));
    return record;
  };

  /** Settles, observes and compares every backend; the observations go on `record`. */
  const check = async (record: StepRecord): Promise<DiffEntry[]> => {
    const settleMs: number[] = [];
    const observeMs: number[] = [];
    await Promise.all(backends.map((b, i) => timed(b.settle(opts.settleBudgetMs), settleMs, i)));
    const raw = await Promise.all(backends.map((b, i) => timed(b.observe(), observeMs, i)));
    if (timings !== null) recordTiming({ phase: 'step', ...lastSend, settleMs, observeMs }, timings);
    const canonical = raw.map((o, i) => (canon[i] as Canonicaliser).canonicalise(o));
    const diff = record.diff ?? [];
    const observations: Record<string, CanonicalObservation> = {};
    canonical.forEach((c, i) => {
      observations[names[i] as string] = c;
      if (i === 0) return;
      const d = diffCanonical(canonical[0], c, names[i] as string);
      if (d.length > 0) diff.push(...d);
    });
    record.observations = observations;
    record.diff = diff;
    obs = raw[0] as Observation;
    return diff;
  };

  const guarded = async (what: () => Promise<SequenceOutcome | null>): Promise<SequenceOutcome | null> => {
    try {
      return await what();
    } catch (err) {
      if (err instanceof InfrastructureError) throw err;
      const last = steps.at(-1);
      return fail([], `step ${steps.length}${last ? ` (${last.command.text})` : ''}: ${message(err)}`);
    }
  };

  const runStep = (cmd: Command) =>
    guarded(async () => {
      const text = commandText(cmd);
      opts.onStep?.(stepsRun, text);
      const diff = await check(await send(cmd, text));
      return diff.length > 0 ? fail(diff) : null;
    });

  // Setup: every object is applied and its answer compared, then one settle
  // and observation for the whole cluster (setup is not what is under test).
  if (input.setup.length > 0) {
    const stop = await guarded(async () => {
      let last: StepRecord | undefined;
      for (let j = 0; j < input.setup.length; j++) last = 'cached' in setup ? replay(input.setup[j]!, j, setup.cached) : await send(input.setup[j]!);
      await check(last as StepRecord);
      const all = steps.flatMap((r) => r.diff ?? []);
      if (all.length > 0) return fail(all);
      if ('key' in setup) backends.forEach((b, i) => remember(factories[i]!, setup.key, { results: steps.map((r) => r.results[names[i]!]!), state: factories[i]!.saved!.save(b) }));
      return null;
    });
    if (stop) return stop;
  }
  const now = opts.now ?? Date.now;
  const stopped = () => opts.signal?.aborted || (opts.deadline !== undefined && now() >= opts.deadline);
  const aborted = (): SequenceOutcome | null => (stopped() ? { ok: true, aborted: true, steps, diff: [], stepsRun, fingerprints } : null);
  if ('commands' in input) {
    for (const cmd of input.commands) {
      const stop = aborted() ?? (stepsRun++, (so.stepsRun = stepsRun), await runStep(cmd));
      if (stop) return stop;
    }
  } else {
    for (const choice of input.choices) {
      const early = aborted();
      if (early) return early;
      const state: GenState = { vms: input.vms, applied, obs, step: stepsRun + 1 };
      const cmd = resolveChoice(choice, input.kinds, state);
      if (cmd === null) continue;
      stepsRun++;
      so.stepsRun = stepsRun;
      const stop = await runStep(cmd);
      if (stop) return stop;
    }
  }
  return { ok: true, steps, diff: [], stepsRun, fingerprints };
}

/** The setup steps for a list of cluster objects. Public. */
export function setupCommands(objects: readonly KubeObject[]): Command[] {
  return objects.map((object) => ({ kind: 'apply', args: { object, setup: true } }));
}
