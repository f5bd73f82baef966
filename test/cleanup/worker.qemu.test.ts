/**
 * A crashed `--jobs` worker thread leaves nothing behind. The crash is the
 * harshest one: `Worker.terminate()` of a worker that runs a qemu backend
 * with a guest, so that no JavaScript of the worker runs any more (no exit
 * hook, no dispose) — as when the thread dies of a fatal error. Its QEMUs
 * die with the thread (parent-death signal, backends/qemu/process/
 * spawnQemu.ts); its run dir's lock goes with the thread's descriptors and
 * the surviving worker's exit hook reaps the dir (backends/qemu/StateDir.ts).
 */
import { readdirSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import type { Worker } from 'node:worker_threads';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { runInWorkers, type PropertyJob } from '../../harness/engine/parallel.ts';
import { loadSuite } from '../../harness/engine/suite.ts';
import { filesUnder, isGuest, privateTmp, qemusUnder, runEnv, until } from './cleanup.testkit.ts';

// Every worker the engine starts, so that the test can kill one.
const workers = vi.hoisted(() => [] as Worker[]);
vi.mock('node:worker_threads', async (importOriginal) => {
  const m = await importOriginal<typeof import('node:worker_threads')>();
  class TrackedWorker extends m.Worker {
    constructor(...args: ConstructorParameters<typeof m.Worker>) {
      super(...args);
      workers.push(this);
    }
  }
  return { ...m, Worker: TrackedWorker };
});

let tmp: { dir: string; remove(): Promise<void> };
const savedEnv = { ...process.env };
beforeAll(async () => {
  tmp = await privateTmp('vcw-');
  Object.assign(process.env, runEnv(tmp.dir)); // workers copy this environment when they start
});
afterAll(async () => {
  process.env = savedEnv;
  for (const q of await qemusUnder(tmp.dir)) process.kill(q.pid, 'SIGKILL'); // only if the test failed
  await tmp.remove();
});

/** Guest QEMUs of the test that thread `tid` of this process started (/proc/PID/task/TID/children). */
async function guestsOfThread(tid: string): Promise<number[]> {
  const guests = new Set((await qemusUnder(tmp.dir)).filter(isGuest).map((q) => q.pid));
  const children = (await readFile(`/proc/${process.pid}/task/${tid}/children`, 'utf8').catch(() => '')).trim().split(' ').filter(Boolean).map(Number);
  return children.filter((c) => guests.has(c));
}

const threads = (): Set<string> => new Set(readdirSync(`/proc/${process.pid}/task`));

describe('--jobs 2, one worker thread killed', () => {
  it('its QEMUs die with it, the other worker stops and the run leaves no QEMU, socket or file', async () => {
    const smoke = await loadSuite('smoke');
    const job: PropertyJob = { suite: { ...smoke, commands: ['apply', 'start'], scenarios: [] }, backends: ['model', 'qemu'], settings: { accel: 'tcg' }, seed: 7, runs: 8, maxSteps: 4, progress: false };
    const before = threads();
    const run = runInWorkers(job, 2);
    // The workers' threads start in their constructors, in order: the first new thread is worker 0's.
    const fresh = [...threads()].filter((t) => !before.has(t)).sort((a, b) => Number(a) - Number(b));
    expect(workers).toHaveLength(2);
    expect(fresh, 'one new thread per worker').toHaveLength(2);
    const first = fresh[0];
    const outcome = run.then(() => 'resolved', (err: unknown) => `rejected: ${(err as Error).message}`);
    let guests: number[] = [];
    await until('a guest QEMU started by worker 0', async () => (guests = await guestsOfThread(first!)).length > 0, 240_000, 100);
    await workers[0]!.terminate();
    await until("worker 0's guests to die with its thread", async () => (await qemusUnder(tmp.dir)).every((q) => !guests.includes(q.pid)), 2000, 50);
    expect(await outcome).toMatch(/^rejected: property worker exited with code 1 before reporting/);
    // The run has ended: nothing of it remains.
    expect(await qemusUnder(tmp.dir)).toEqual([]);
    expect(await filesUnder(tmp.dir)).toEqual([]);
  }, 300_000);
});
