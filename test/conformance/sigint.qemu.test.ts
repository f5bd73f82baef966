/**
 * Ctrl-C during a real-QEMU run: the run stops within
 * 10 s, writes a partial report marked interrupted, and leaves no QEMU
 * process and no file of its state dir behind. The signal comes while the
 * smoke scenario's VM is up (after its first real step, during its boot).
 */
import { mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { RunResults } from '../../harness/report/types.ts';
import { filesUnder, privateTmpForFile, qemuProcessesUnder, spawnCli, until } from './cli.testkit.ts';

const tmp = privateTmpForFile('vcs-');

const CASES: { what: string; args: string[] }[] = [
  { what: 'during a hand-written scenario (no generation starts after it, even with --jobs)', args: ['--suite', 'smoke', '--jobs', '2'] },
  { what: 'generated sequences (serial)', args: ['--suite', 'focus'] },
  // The signal reaches the worker threads while they create, drive or
  // dispose their qemu backends: a worker ends itself after disposing them,
  // its exit hooks cleaning what is left (never worker.terminate()).
  { what: 'generated sequences in worker threads (--jobs 2)', args: ['--suite', 'focus', '--jobs', '2'] },
];

describe('vmconform run --backend model,qemu: SIGINT', () => {
  for (const c of CASES) {
    it(`${c.what}: stops within 10 s, writes results.json with interrupted: true, leaves no QEMU and no state files`, async () => {
      const state = join(tmp.dir, c.args.join('-'), 'state');
      const report = join(tmp.dir, c.args.join('-'), 'report');
      await mkdir(state, { recursive: true, mode: 0o700 });
      const child = spawnCli(['run', '--backend', 'model,qemu', ...c.args, '--seed', '1', '--accel', 'tcg', '--report-dir', report], state, 170_000);
      // The first guest QEMU of the run: its first real step that starts a VM.
      await until('a guest QEMU of the run', async () => (await qemuProcessesUnder(state, true)).length > 0, 120_000);
      const signalled = Date.now();
      child.kill('SIGINT');
      const r = await child;
      const stoppedMs = Date.now() - signalled;

      expect(r.exitCode, r.all).toBe(130);
      expect(stoppedMs).toBeLessThan(10_000);
      const results = JSON.parse(await readFile(join(report, 'results.json'), 'utf8')) as RunResults;
      expect(results.interrupted).toBe(true);
      expect(results.accel).toBe('tcg');
      expect(results.steps).toBeGreaterThanOrEqual(1);
      expect(r.all).toContain(`report: ${report}`);
      expect(await qemuProcessesUnder(state)).toEqual([]);
      expect(await filesUnder(state)).toEqual([]);
    });
  }
});
