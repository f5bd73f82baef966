import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, readdir, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { processStartTime } from './process/processGroups.ts';
import { openStateDir, reapStaleRuns, removeStateDir, type StateDir } from './StateDir.ts';
import { privateDir } from './testing/privateDir.ts';

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0)) await c();
});

async function root(): Promise<string> {
  const t = await privateDir('vsd');
  cleanups.push(t.cleanup);
  return join(t.dir, 'root');
}

/** A detached process standing in for a QEMU an owner left behind, recorded in `dir`'s pid file. */
async function leftBehind(dir: string, opts: { wrongStartTime?: boolean } = {}): Promise<number> {
  const child = spawn('sleep', ['60'], { detached: true, stdio: 'ignore' });
  child.unref();
  const pid = child.pid!;
  cleanups.push(async () => {
    try {
      process.kill(-pid, 'SIGKILL');
    } catch {
      // already gone
    }
  });
  const run = join(dir, 'nodes', 'node01', 'abc');
  await mkdir(run, { recursive: true });
  const startTime = opts.wrongStartTime ? '1' : processStartTime(pid)!;
  await writeFile(join(run, 'qemu.pid'), JSON.stringify({ pid, startTime }));
  return pid;
}

const alive = (pid: number): boolean => processStartTime(pid) !== null;

async function until(check: () => boolean): Promise<void> {
  for (let i = 0; i < 100 && !check(); i++) await new Promise((r) => setTimeout(r, 20));
}

describe('default state dirs: locked run dirs under a private root', () => {
  it('creates the root 0700 and a run dir 0700 in it; removing the last run dir removes the root', async () => {
    const r = await root();
    const s = await openStateDir({ root: r });
    expect(s.dir.startsWith(join(r, 'run-'))).toBe(true);
    expect((await stat(r)).mode & 0o777).toBe(0o700);
    expect((await stat(s.dir)).mode & 0o777).toBe(0o700);
    await removeStateDir(s);
    expect(existsSync(r)).toBe(false);
  });

  it('a live run dir is left alone; one whose lock is free is reaped: its recorded process group killed, the dir removed', async () => {
    const r = await root();
    const live = await openStateDir({ root: r });
    const dead: StateDir = await openStateDir({ root: r });
    const pid = await leftBehind(dead.dir);
    await dead.lock!.close(); // its owner is gone
    const reaped = reapStaleRuns(r);
    expect(reaped).toEqual([{ dir: dead.dir, killed: [pid], kept: false }]);
    await until(() => !alive(pid));
    expect(alive(pid)).toBe(false);
    expect(await readdir(r)).toEqual([live.dir.slice(r.length + 1)]);
    expect(reapStaleRuns(r)).toEqual([]);
    await removeStateDir(live);
  });

  it('a pid whose start time differs is not ours any more: not killed', async () => {
    const r = await root();
    const dead = await openStateDir({ root: r });
    const pid = await leftBehind(dead.dir, { wrongStartTime: true });
    await dead.lock!.close();
    expect(reapStaleRuns(r)).toEqual([{ dir: dead.dir, killed: [], kept: false }]);
    expect(alive(pid)).toBe(true);
  });

  it('a kept run dir (keep) keeps its files; its processes are still killed, and it is not reported again', async () => {
    const r = await root();
    const kept = await openStateDir({ root: r, keep: true });
    const pid = await leftBehind(kept.dir);
    await kept.lock!.close();
    expect(reapStaleRuns(r)).toEqual([{ dir: kept.dir, killed: [pid], kept: true }]);
    expect(existsSync(join(kept.dir, 'nodes'))).toBe(true);
    await until(() => !alive(pid));
    expect(reapStaleRuns(r)).toEqual([]);
  });
});
