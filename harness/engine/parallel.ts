/**
 * Generated properties in worker threads (`--jobs N`, the engine bench).
 * Public. Every job runs the same property with the same seed and runs,
 * but executes only its share of the runs (run r on job r mod N; the others
 * pass at once), so the runs, a counterexample's seed and path and its
 * shrinking are exactly those of a serial run. Workers load the TypeScript
 * sources through tsx, as bin/ does.
 */
import { Worker } from 'node:worker_threads';
import { InfrastructureError } from '../contract/index.ts';
import type { BackendName, BackendSettings } from './backends.ts';
import { emptyCoverage, mergeCoverage } from './coverage.ts';
import { GENERATED_PROPERTY, type Progress, type PropertyOutcome } from './property.ts';
import type { Coverage } from './runResults.ts';
import type { Suite } from './suite.ts';

/** What one worker runs (plain data: it crosses the thread boundary). Public. */
export interface PropertyJob {
  suite: Suite;
  backends: BackendName[];
  settings: BackendSettings;
  seed: number;
  runs: number;
  maxSteps: number;
  budgetMs?: number;
  shrinkBudgetMs?: number;
  /** false: the worker posts no progress (the bench). */
  progress?: boolean;
  /** This job's share of the runs (see property.ts `shard`). */
  shard?: { index: number; count: number; limit?: number };
}

export type WorkerMessage =
  | { type: 'ready' }
  | { type: 'progress'; progress: Progress }
  | { type: 'failed'; run: number }
  | { type: 'done'; outcome: Omit<PropertyOutcome, 'scenario'> }
  | { type: 'error'; infrastructure: boolean; message: string };

const ENTRY = new URL('./propertyWorker.ts', import.meta.url).href;

function spawn(job: PropertyJob): Worker {
  const api = import.meta.resolve('tsx/esm/api');
  const code = `import { tsImport } from ${JSON.stringify(api)}; await tsImport(${JSON.stringify(ENTRY)}, ${JSON.stringify(ENTRY)});`;
  return new Worker(new URL(`data:text/javascript,${encodeURIComponent(code)}`), { workerData: job });
}

/**
 * Messages to a worker: start (after its `ready`; a held worker gets the
 * budget left when it is let go), stop between steps
 * (Ctrl-C), skip runs after `run` (another worker failed there), or exit at
 * once (a second Ctrl-C).
 */
export type ToWorker = { type: 'go'; budgetMs?: number } | { type: 'abort' } | { type: 'limit'; run: number } | { type: 'exit' };

/** Workers still running, for `exitWorkers`. */
const running = new Set<Worker>();

/** What a worker stopped before it started reports: nothing ran. */
function idle(): Omit<PropertyOutcome, 'scenario'> {
  return { result: { name: GENERATED_PROPERTY, passed: true, sequences: 0, steps: 0, durationMs: 0 }, budgetExhausted: false, interrupted: true, tallies: [] };
}

/**
 * Settles once the worker has exited, with its outcome. Once started, a
 * worker is never terminated from here: `terminate()` skips the thread's
 * exit hooks, so a qemu backend being created or disposed in it would leave
 * its QEMUs and state dir behind. It disposes its backends and then ends
 * itself (`process.exit`, which runs those hooks for anything still live).
 * Before it is started (loading its modules, then waiting for `go`), it
 * holds nothing: an abort then terminates it at once, which keeps Ctrl-C
 * prompt on a loaded host where loading takes seconds.
 */
function runJob(
  job: PropertyJob,
  onProgress?: (p: Progress) => void,
  signal?: AbortSignal,
  peers?: { onFailed(run: number): void; register(send: (m: ToWorker) => void): void },
  hold?: Hold,
): Promise<Omit<PropertyOutcome, 'scenario'>> {
  return new Promise((resolve, reject) => {
    const w = spawn(job);
    running.add(w);
    peers?.register((m) => w.postMessage(m));
    let outcome: { ok: true; value: Omit<PropertyOutcome, 'scenario'> } | { ok: false; error: Error } | undefined;
    let started = false;
    const abort = () => {
      if (started) return w.postMessage({ type: 'abort' } satisfies ToWorker);
      outcome ??= { ok: true, value: idle() };
      void w.terminate();
    };
    if (signal?.aborted) abort();
    else signal?.addEventListener('abort', abort, { once: true });
    w.on('message', (m: WorkerMessage) => {
      if (m.type === 'ready') {
        const go = () => {
          if (outcome) return; // aborted while it loaded or was held: being terminated
          started = true;
          const budgetMs = hold?.budgetLeft();
          w.postMessage({ type: 'go', ...(budgetMs !== undefined ? { budgetMs } : {}) } satisfies ToWorker);
        };
        if (hold) void hold.until.then(go, go);
        else go();
      } else if (m.type === 'progress') onProgress?.(m.progress);
      else if (m.type === 'failed') peers?.onFailed(m.run);
      else if (m.type === 'done') outcome ??= { ok: true, value: m.outcome };
      else outcome ??= { ok: false, error: m.infrastructure ? new InfrastructureError(m.message) : new Error(m.message) };
    });
    w.on('error', (err) => (outcome ??= { ok: false, error: err }));
    w.on('exit', (code) => {
      running.delete(w);
      signal?.removeEventListener('abort', abort);
      if (outcome?.ok) resolve(outcome.value);
      else reject(outcome?.error ?? new Error(`property worker exited with code ${code} before reporting`));
    });
  });
}

/** A worker started only once `until` settles, with the time budget left then. */
interface Hold {
  until: Promise<unknown>;
  budgetLeft(): number | undefined;
}

/** Internal (tests): how many workers have not exited yet. */
export function runningWorkers(): number {
  return running.size;
}

/** How long `exitWorkers` waits for the workers to run their exit hooks. */
const EXIT_WAIT_MS = 2000;

/**
 * A second Ctrl-C: every running worker exits at once, running its exit
 * hooks (the qemu backend kills its QEMUs and removes its state dirs);
 * resolves when they have exited, or after a short bound. Public (the CLI).
 */
export async function exitWorkers(): Promise<void> {
  const exited = [...running].map((w) => new Promise((r) => w.once('exit', r)));
  for (const w of running) w.postMessage({ type: 'exit' } satisfies ToWorker);
  await Promise.race([Promise.all(exited), new Promise((r) => setTimeout(r, EXIT_WAIT_MS).unref())]);
}

/**
 * Shares the runs of `base` over `jobs` workers and runs them in parallel.
 * Resolves or rejects only when every worker has exited: when one fails,
 * the others are stopped and awaited, so no worker (and none of its QEMUs)
 * outlives the call. With `held`, the last worker loads at once but starts
 * only when `held` settles (work of the caller's thread, which takes that
 * worker's place meanwhile: still `jobs` at a time), with the part of
 * `base.budgetMs` left then. Public.
 */
export async function runInWorkers(
  base: PropertyJob,
  jobs: number,
  onProgress?: (worker: number, p: Progress) => void,
  signal?: AbortSignal,
  held?: Promise<unknown>,
): Promise<Omit<PropertyOutcome, 'scenario'>[]> {
  const t0 = Date.now();
  const hold: Hold | undefined = held && {
    until: held,
    budgetLeft: () => (base.budgetMs === undefined ? undefined : Math.max(0, base.budgetMs - (Date.now() - t0))),
  };
  // The earliest failing run so far bounds every worker: a serial run stops there.
  const senders: ((m: ToWorker) => void)[] = [];
  let limit = Infinity;
  const peers = {
    register: (send: (m: ToWorker) => void) => senders.push(send),
    onFailed(run: number) {
      if (run >= limit) return;
      limit = run;
      for (const send of senders) send({ type: 'limit', run });
    },
  };
  // One worker failing (an infrastructure error) stops the others.
  const stop = new AbortController();
  const onAbort = () => stop.abort();
  if (signal?.aborted) stop.abort();
  else signal?.addEventListener('abort', onAbort, { once: true });
  const settled = await Promise.allSettled(
    Array.from({ length: jobs }, (_, i) =>
      runJob({ ...base, shard: { index: i, count: jobs } }, onProgress && ((p) => onProgress(i, p)), stop.signal, peers, i === jobs - 1 ? hold : undefined).catch((err: unknown) => {
        stop.abort();
        throw err;
      }),
    ),
  );
  signal?.removeEventListener('abort', onAbort);
  const failed = settled.find((x): x is PromiseRejectedResult => x.status === 'rejected');
  if (failed) throw failed.reason;
  return settled.map((x) => (x as PromiseFulfilledResult<Omit<PropertyOutcome, 'scenario'>>).value);
}

/**
 * Merges the shards' outcomes into what a serial run reports: the failure
 * of the earliest failing run (a serial run stops there), and the sequences
 * and steps of the runs up to it. Public.
 */
export function mergeShards(outs: readonly Omit<PropertyOutcome, 'scenario'>[]): {
  failure?: PropertyOutcome['failure'];
  sequences: number;
  steps: number;
  coverage: Coverage;
} {
  const failing = outs.filter((x) => x.failure && x.firstFailureRun !== undefined).sort((a, b) => (a.firstFailureRun as number) - (b.firstFailureRun as number))[0];
  // A predicate error (no run index) is reported as such.
  const failure = failing?.failure ?? outs.find((x) => x.failure)?.failure;
  const last = failing?.firstFailureRun ?? Infinity;
  // The failing run is a tally too, as a serial run counts it.
  const tallies = outs.flatMap((x) => x.tallies ?? []).filter(([r]) => r <= last);
  const sum = (ts: readonly (readonly [number, number])[]) => ts.reduce((n, [, s]) => n + s, 0);
  // The real steps of sequences an abort cut short count, as in a serial run
  // (which counts them only while no run has failed): a shard's steps beyond its tallies.
  const partial = failure ? 0 : outs.reduce((n, x) => n + x.result.steps - sum(x.tallies ?? []), 0);
  const coverage = outs
    .flatMap((x) => x.coverageRuns ?? [])
    .filter(([r]) => r <= last)
    .reduce((c, [, x]) => mergeCoverage(c, x), emptyCoverage());
  return { ...(failure ? { failure } : {}), sequences: tallies.length, steps: sum(tallies) + partial, coverage };
}
