/**
 * Generated properties in worker threads (`--jobs N`, the engine bench).
 * Public. Job i runs `runs / N` sequences with seed `seed + i`, so every
 * counterexample keeps its own seed and path and replays exactly on one
 * thread. Workers load the TypeScript sources through tsx, as bin/ does.
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
}

export type WorkerMessage =
  | { type: 'progress'; progress: Progress }
  | { type: 'done'; outcome: Omit<PropertyOutcome, 'scenario'> }
  | { type: 'error'; infrastructure: boolean; message: string };

const ENTRY = new URL('./propertyWorker.ts', import.meta.url).href;

function spawn(job: PropertyJob): Worker {
  const api = import.meta.resolve('tsx/esm/api');
  const code = `import { tsImport } from ${JSON.stringify(api)}; await tsImport(${JSON.stringify(ENTRY)}, ${JSON.stringify(ENTRY)});`;
  return new Worker(new URL(`data:text/javascript,${encodeURIComponent(code)}`), { workerData: job });
}

function runJob(job: PropertyJob, onProgress?: (p: Progress) => void, signal?: AbortSignal): Promise<Omit<PropertyOutcome, 'scenario'>> {
  return new Promise((resolve, reject) => {
    const w = spawn(job);
    let settled = false;
    // The worker stops between steps and disposes its backends itself.
    const abort = () => w.postMessage({ type: 'abort' });
    signal?.addEventListener('abort', abort, { once: true });
    const finish = (f: () => void) => {
      if (settled) return;
      settled = true;
      signal?.removeEventListener('abort', abort);
      f();
      void w.terminate();
    };
    w.on('message', (m: WorkerMessage) => {
      if (m.type === 'progress') onProgress?.(m.progress);
      else if (m.type === 'done') finish(() => resolve(m.outcome));
      else finish(() => reject(m.infrastructure ? new InfrastructureError(m.message) : new Error(m.message)));
    });
    w.on('error', (err) => finish(() => reject(err)));
    w.on('exit', (code) => finish(() => reject(new Error(`property worker exited with code ${code} before reporting`))));
  });
}

/** Splits `runs` over `jobs` workers and runs them in parallel. Public. */
export function runInWorkers(
  base: PropertyJob,
  jobs: number,
  onProgress?: (worker: number, p: Progress) => void,
  signal?: AbortSignal,
): Promise<Omit<PropertyOutcome, 'scenario'>[]> {
  const per = Math.floor(base.runs / jobs);
  return Promise.all(
    Array.from({ length: jobs }, (_, i) =>
      runJob({ ...base, seed: base.seed + i, runs: per + (i < base.runs % jobs ? 1 : 0) }, onProgress && ((p) => onProgress(i, p)), signal),
    ),
  );
}
