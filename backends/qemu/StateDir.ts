/**
 * The qemu backend's state directory: every file it makes lives under it
 * (nodes/<node>/… run dirs and PVCs, shared/ PVCs, hubs/ segment sockets).
 * Internal (createQemuBackend).
 *
 * A harness that crashed may have left QEMU processes behind (they run in
 * their own process groups, detached). `reapOrphans` finds them through the
 * pid files in the run dirs, checks that the pid still names the same
 * process (start time), kills their process groups and clears the dir.
 */
import { rmSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { killGroup, processStartTime, type PidRecord } from './launcher/QemuProcess.ts';

/** Sub-directories the backend owns inside the state dir (cleared at start). */
const OWNED = ['nodes', 'shared', 'hubs', 'probe'] as const;

export interface StateDir {
  dir: string;
  /** True when this run created it (then removing it whole is safe). */
  created: boolean;
}

/** Opens (creating if needed) the state dir; the default is a fresh private temp dir. */
export async function openStateDir(stateDir?: string): Promise<StateDir> {
  if (!stateDir) return { dir: await mkdtemp(join(tmpdir(), 'vmconform-')), created: true };
  const made = await mkdir(stateDir, { recursive: true, mode: 0o700 });
  return { dir: stateDir, created: made !== undefined };
}

/** Removes what the backend made: the whole dir if this run created it, else only the backend's sub-directories. */
export async function removeStateDir(s: StateDir): Promise<void> {
  if (s.created) await rm(s.dir, { recursive: true, force: true });
  else for (const d of OWNED) await rm(join(s.dir, d), { recursive: true, force: true });
}

/** Synchronous removeStateDir for the process exit hook. */
export function removeStateDirSync(s: StateDir): void {
  if (s.created) rmSync(s.dir, { recursive: true, force: true });
  else for (const d of OWNED) rmSync(join(s.dir, d), { recursive: true, force: true });
}

async function pidFiles(stateDir: string): Promise<string[]> {
  const out: string[] = [];
  const nodes = await readdir(join(stateDir, 'nodes')).catch(() => [] as string[]);
  for (const n of nodes) {
    const runs = await readdir(join(stateDir, 'nodes', n)).catch(() => [] as string[]);
    for (const r of runs) out.push(join(stateDir, 'nodes', n, r, 'qemu.pid'));
  }
  return out;
}

/** Waits until a pid is gone (a killed QEMU takes a moment to exit). */
async function gone(pid: number, startTime: string, timeoutMs = 5000): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while ((await processStartTime(pid)) === startTime) {
    if (Date.now() > deadline) return false;
    await new Promise((r) => setTimeout(r, 20)); // no exit event for a process that is not our child
  }
  return true;
}

/**
 * Kills the QEMU processes an earlier run left in this state dir and clears
 * the backend's sub-directories. Returns the pids reaped.
 */
export async function reapOrphans(stateDir: string): Promise<number[]> {
  const reaped: number[] = [];
  for (const f of await pidFiles(stateDir)) {
    const text = await readFile(f, 'utf8').catch(() => null);
    if (!text) continue;
    let rec: PidRecord;
    try {
      rec = JSON.parse(text) as PidRecord;
    } catch {
      continue;
    }
    if (!Number.isInteger(rec.pid) || rec.pid <= 1) continue;
    // Same pid and same start time: still the process we started, not a reuse of its pid.
    if ((await processStartTime(rec.pid)) !== rec.startTime) continue;
    killGroup(rec.pid);
    if (await gone(rec.pid, rec.startTime)) reaped.push(rec.pid);
  }
  for (const d of OWNED) await rm(join(stateDir, d), { recursive: true, force: true });
  return reaped;
}
