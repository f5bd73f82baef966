/**
 * Worker-thread entry of `runInWorkers` (internal): runs one generated
 * property on backends it creates itself and posts the outcome back.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { InfrastructureError } from '../contract/index.ts';
import { createFactories } from './backends.ts';
import type { PropertyJob, ToWorker, WorkerMessage } from './parallel.ts';
import { runGeneratedProperty } from './property.ts';

const job = workerData as PropertyJob;
const post = (m: WorkerMessage) => parentPort?.postMessage(m);
const abort = new AbortController();
const PROGRESS_EVERY_MS = 250;
let postedAt = 0;
const shard = job.shard ? { ...job.shard } : undefined;
// Nothing is created before the parent's go: until then it may terminate this thread.
let go = (): void => undefined;
const started = new Promise<void>((resolve) => (go = resolve));
// A held worker (parallel.ts runInWorkers) starts late, with the budget left then.
let budgetMs = job.budgetMs;
parentPort?.on('message', (m: ToWorker) => {
  if (m.type === 'go') {
    if (m.budgetMs !== undefined) budgetMs = m.budgetMs;
    go();
  }
  else if (m.type === 'abort') abort.abort();
  else if (m.type === 'exit') process.exit(); // a second Ctrl-C: this thread's exit hooks still run
  else if (m.type === 'limit' && shard) shard.limit = Math.min(shard.limit ?? Infinity, m.run);
});

post({ type: 'ready' });
await started;

try {
  const factories = await createFactories(job.backends, job.settings);
  const outcome = await runGeneratedProperty({
    suite: job.suite,
    factories,
    seed: job.seed,
    runs: job.runs,
    maxSteps: job.maxSteps,
    settleBudgetMs: job.suite.settleBudgetMs,
    ...(budgetMs !== undefined ? { budgetMs } : {}),
    ...(job.shrinkBudgetMs !== undefined ? { shrinkBudgetMs: job.shrinkBudgetMs } : {}),
    ...(shard ? { shard, onFirstFailure: (run: number) => post({ type: 'failed', run }) } : {}),
    onProgress: job.progress === false ? undefined : (p) => {
      // At most a few messages a second: the parent only prints them.
      if (Date.now() - postedAt < PROGRESS_EVERY_MS) return;
      postedAt = Date.now();
      post({ type: 'progress', progress: p });
    },
    signal: abort.signal,
  });
  // The scenario is not needed by the parent and is large.
  const { scenario: _s, ...rest } = outcome;
  post({ type: 'done', outcome: rest });
} catch (err) {
  post({ type: 'error', infrastructure: err instanceof InfrastructureError, message: err instanceof Error ? (err.stack ?? err.message) : String(err) });
} finally {
  // The thread ends itself, after its outcome is posted (delivered before the
  // 'exit' event): process.exit runs this thread's exit hooks, where a qemu
  // backend still being created (an abort does not wait for it long) or
  // disposed kills its QEMUs and removes its state dir. The parent never
  // terminate()s a started worker, which would skip them.
  process.exit();
}
