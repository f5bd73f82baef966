/**
 * The first conformance evidence: a fixed scripted scenario (PVC,
 * Multus bridge NIC, SR-IOV NIC; start, write data, reset, migrate, soft
 * reboot, stop, start) run by the engine against the model and real QEMU.
 * The engine compares the canonical observations after every step (boot ids,
 * data tokens, nodes, NICs and IPv4s, phases, conditions), so exit 0 means the
 * qemu backend equalled the model at every step.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { RunResults } from '../../harness/report/types.ts';
import { filesUnder, privateTmpForFile, qemuProcessesUnder, spawnCli } from '../conformance/cli.testkit.ts';

describe('scripted full-stack scenario, model against real QEMU', () => {
  const tmp = privateTmpForFile('vmc-fs-');

  it('the qemu observation equals the model after each of the 9 steps, and nothing is left behind', { timeout: 300_000 }, async () => {
    const reports = join(tmp.dir, 'reports');
    const run = await spawnCli(
      ['run', '--backend', 'model,qemu', '--accel', 'tcg', '--suite', 'smoke', '--runs', '0',
        '--scenario', 'test/qemu/full-stack.scenario.yaml', '--report-dir', reports],
      tmp.dir, 280_000);
    expect(run.exitCode, run.all).toBe(0);
    const results = JSON.parse(await readFile(join(reports, 'results.json'), 'utf8')) as RunResults;
    expect(results.passed).toBe(true);
    expect(results.sequences).toBe(1);
    expect(results.steps).toBe(9);
    expect(results.accel).toBe('tcg');
    expect(await qemuProcessesUnder(tmp.dir)).toEqual([]);
    expect((await filesUnder(tmp.dir)).filter((f) => !f.startsWith('reports'))).toEqual([]);
  });
});
