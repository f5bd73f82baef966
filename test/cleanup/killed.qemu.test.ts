/**
 * A harness killed as a CI runner kills a job that ran over its time
 * (SIGKILL: no code of ours runs) leaves no QEMU behind: each QEMU has
 * SIGKILL as its parent-death signal (backends/qemu/process/spawnQemu.ts).
 * Its run dir stays, unlocked; the next run with default settings reaps it
 * and says so (backends/qemu/StateDir.ts).
 */
import { existsSync } from 'node:fs';
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { filesUnder, isGuest, isMigrationTarget, privateTmp, qemusUnder, spawnRun, stateRootIn, until, type QemuSeen } from './cleanup.testkit.ts';

const SMOKE = ['run', '--backend', 'model,qemu', '--suite', 'smoke', '--accel', 'tcg'];
const IDLE = ['run', '--backend', 'model,qemu', '--suite', 'smoke', '--runs', '0', '--accel', 'tcg', '--scenario', 'test/cleanup/idle.scenario.yaml'];
/** The bound of the issue: no QEMU of a killed run after 2 s. */
const GONE_MS = 2000;

let tmp: { dir: string; remove(): Promise<void> };
beforeAll(async () => {
  tmp = await privateTmp('vcl-');
});
afterAll(async () => {
  for (const q of await qemusUnder(tmp.dir)) process.kill(q.pid, 'SIGKILL'); // only if a test failed
  await tmp.remove();
});

/** Starts the smoke suite, waits until `moment` holds for the QEMUs of the run, SIGKILLs the harness; returns what ran then. */
async function killWhen(moment: (qs: QemuSeen[]) => boolean, what: string, report: string, extra: readonly string[] = []): Promise<QemuSeen[]> {
  const run = spawnRun([...SMOKE, ...extra, '--report-dir', join(tmp.dir, report)], tmp.dir, 300_000);
  let seen: QemuSeen[] = [];
  try {
    await until(what, async () => {
      if (run.exitCode !== undefined && run.exitCode !== null) throw new Error(`the run ended before ${what}: ${(await run).all}`);
      seen = (await qemusUnder(tmp.dir)).filter(isGuest);
      return moment(seen);
    }, 240_000, 25);
  } finally {
    run.kill('SIGKILL');
    await run;
  }
  return seen;
}

async function expectNoQemuWithin(ms: number): Promise<void> {
  const t0 = Date.now();
  await until('every QEMU of the killed run to be gone', async () => (await qemusUnder(tmp.dir)).length === 0, ms, 50);
  console.log(`QEMU gone ${Date.now() - t0} ms after the SIGKILL returned`);
}

describe('a harness killed with SIGKILL leaves no QEMU', () => {
  it('during a guest boot: no QEMU after 2 s; the run dir stays, unlocked', async () => {
    const seen = await killWhen((qs) => qs.length > 0, 'a guest QEMU booting', 'boot');
    expect(seen.length).toBeGreaterThan(0);
    await expectNoQemuWithin(GONE_MS);
    const runs = await readdir(stateRootIn(tmp.dir));
    expect(runs.filter((r) => r.startsWith('run-')).length).toBeGreaterThan(0);
  }, 300_000);

  it('a fresh run with default settings reports the stale run dir and removes it', async () => {
    const stale = (await readdir(stateRootIn(tmp.dir))).filter((r) => r.startsWith('run-'));
    expect(stale.length).toBeGreaterThan(0);
    const r = await spawnRun([...IDLE, '--report-dir', join(tmp.dir, 'fresh')], tmp.dir, 120_000);
    expect(r.exitCode, r.all).toBe(0);
    for (const s of stale) expect(r.all).toContain(`reaped stale run ${join(stateRootIn(tmp.dir), s)}`);
    expect(existsSync(stateRootIn(tmp.dir))).toBe(false); // its last run dir gone, the root goes too
  }, 120_000);

  it('during a live migration: neither source nor target remains after 2 s', async () => {
    const seen = await killWhen((qs) => qs.some(isMigrationTarget) && qs.some((q) => !isMigrationTarget(q)), 'a migration target and its source', 'migrate');
    expect(seen.filter(isMigrationTarget).length).toBe(1);
    expect(seen.length).toBe(2);
    await expectNoQemuWithin(GONE_MS);
    // The next run reaps the dir: nothing is left but the reports and tsx's cache.
    const r = await spawnRun([...IDLE, '--report-dir', join(tmp.dir, 'fresh2')], tmp.dir, 120_000);
    expect(r.all).toMatch(/reaped stale run /);
    expect(await filesUnder(tmp.dir).then((fs) => fs.filter((f) => !/^(boot|fresh|fresh2|migrate)(\/|$)/.test(f)))).toEqual([]);
  }, 300_000);

  it('--state-dir DIR: run dirs go under DIR, and the next run given DIR reaps a killed one', async () => {
    const root = join(tmp.dir, 'state');
    await killWhen((qs) => qs.length > 0, 'a guest QEMU booting', 'boot3', ['--state-dir', root]);
    await expectNoQemuWithin(GONE_MS);
    const stale = (await readdir(root)).filter((r) => r.startsWith('run-'));
    expect(stale.length).toBeGreaterThan(0);
    expect(existsSync(stateRootIn(tmp.dir))).toBe(false); // nothing went to the default root
    const r = await spawnRun([...IDLE, '--state-dir', root, '--report-dir', join(tmp.dir, 'fresh3')], tmp.dir, 120_000);
    expect(r.exitCode, r.all).toBe(0);
    for (const s of stale) expect(r.all).toContain(`reaped stale run ${join(root, s)}`);
    const left = existsSync(root) ? (await readdir(root)).filter((f) => f.startsWith('run-')) : [];
    expect(left).toEqual([]);
  }, 300_000);
});
