/**
 * Generated properties in worker threads (`--jobs N`, the engine bench).
 * Public. Every job runs the same property with the same seed and runs,
 * but executes only its share of the runs (run r on job r mod N; the others
 * pass at once), so the runs, a counterexample's seed and path and its
 * shrinking are exactly those of a serial run. Workers load the TypeScript
 * sources through tsx, as bin/ does.
 */
import { Worker } from 'node:worker_threads';
import { InfrastructureError } from '../../backends/contract.ts';
import type { BackendName, BackendSettings } from './backends.ts';
import type { Progress, PropertyOutcome } from './property.ts';
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

/** Messages to a worker: stop (Ctrl-C), or skip runs after `run` (another worker failed there). */
export type ToWorker = { type: 'abort' } | { type: 'limit'; run: number };

function runJob(
  job: PropertyJob,
  onProgress?: (p: Progress) => void,
  signal?: AbortSignal,
  peers?: { onFailed(run: number): void; register(send: (m: ToWorker) => void): void },
): Promise<Omit<PropertyOutcome, 'scenario'>> {
  return new Promise((resolve, reject) => {
    const w = spawn(job);
    peers?.register((m) => w.postMessage(m));
    let settled = false;
    // The worker stops between steps and disposes its backends itself.
    const abort = () => w.postMessage({ type: 'abort' });
    if (signal?.aborted) abort();
    else signal?.addEventListener('abort', abort, { once: true });
    const finish = (f: () => void) => {
      if (settled) return;
      settled = true;
      signal?.removeEventListener('abort', abort);
      f();
      void w.terminate();
    };
    w.on('message', (m: WorkerMessage) => {
      if (m.type === 'progress') onProgress?.(m.progress);
      else if (m.type === 'failed') peers?.onFailed(m.run);
      else if (m.type === 'done') finish(() => resolve(m.outcome));
      else finish(() => reject(m.infrastructure ? new InfrastructureError(m.message) : new Error(m.message)));
    });
    w.on('error', (err) => finish(() => reject(err)));
    w.on('exit', (code) => finish(() => reject(new Error(`property worker exited with code ${code} before reporting`))));
  });
}

/** Shares the runs of `base` over `jobs` workers and runs them in parallel. Public. */
export function runInWorkers(
  base: PropertyJob,
  jobs: number,
  onProgress?: (worker: number, p: Progress) => void,
  signal?: AbortSignal,
): Promise<Omit<PropertyOutcome, 'scenario'>[]> {
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
  return Promise.all(Array.from({ length: jobs }, (_, i) => runJob({ ...base, shard: { index: i, count: jobs } }, onProgress && ((p) => onProgress(i, p)), signal, peers)));
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
} {
  const failing = outs.filter((x) => x.failure && x.firstFailureRun !== undefined).sort((a, b) => (a.firstFailureRun as number) - (b.firstFailureRun as number))[0];
  // A predicate error (no run index) is reported as such.
  const failure = failing?.failure ?? outs.find((x) => x.failure)?.failure;
  const last = failing?.firstFailureRun ?? Infinity;
  // The failing run is a tally too, as a serial run counts it.
  const tallies = outs.flatMap((x) => x.tallies ?? []).filter(([r]) => r <= last);
  return { ...(failure ? { failure } : {}), sequences: tallies.length, steps: tallies.reduce((n, [, s]) => n + s, 0) };
}
