/**
 * The qemu backend's state directory: every file it makes lives under it
 * (nodes/<node>/… run dirs and PVCs, shared/ PVCs, hubs/ segment sockets,
 * probe/). Internal (createQemuBackend).
 *
 * Default state dirs live under one private root per user (`stateRoot()`:
 * `$XDG_RUNTIME_DIR/vmconform`, else `<tmp>/vmconform-<uid>`; 0700, owned
 * by the user), one `run-XXXXXX` dir per backend. Each is locked for the
 * backend's lifetime: flock(2) on the directory itself, taken by util-linux
 * `flock(1)` on a descriptor this thread holds open (Node has no flock).
 * The lock belongs to that open file description, so the kernel drops it
 * when the process dies, whatever killed it (SIGKILL, the OOM killer), and
 * Node closes the descriptor when a worker thread ends. No helper process
 * stays alive, none can leak.
 *
 * A starting backend (and every thread's exit hook) reaps each sibling
 * whose lock is free: it kills the QEMU process groups recorded in the
 * sibling's pid files (same pid and same start time, so never a reuse of
 * the pid), removes the directory while holding its lock, and says so on
 * stderr. QEMU normally died already (parent-death signal, process/spawnQemu.ts);
 * the reaper is the second line. A run dir made with `keep` keeps its
 * files (its QEMUs are still killed).
 *
 * Creation races a reaper that finds the fresh dir before it is locked:
 * the reaper may take and remove it; the creator then fails to lock it or
 * finds the path no longer naming the inode it locked, and makes another.
 *
 * An explicit state dir (`stateDir` option) is not locked and not swept:
 * `reapOrphans` kills what an earlier run left in it, as before.
 */
import { chmodSync, closeSync, existsSync, fstatSync, lstatSync, mkdirSync, openSync, readdirSync, readFileSync, rmdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { mkdir, mkdtemp, open, rm, type FileHandle } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { killGroup, processStartTime, type PidRecord } from './process/processGroups.ts';
import { REAP_WAIT_MS } from './budgets.ts';

/** Sub-directories the backend owns inside the state dir (cleared at start). */
const OWNED = ['nodes', 'shared', 'hubs', 'probe'] as const;
/** Name prefix of the run dirs under the root; nothing else there is touched. */
const RUN_PREFIX = 'run-';
/** Marker of a run dir whose files are kept after the run (`keep`). */
const KEEP_MARKER = 'KEEP';
/** flock(1) exit code when the lock is held (its default, 1, is also its error code). */
const HELD = 75;

export interface StateDir {
  dir: string;
  /** True when this run created it (then removing it whole is safe). */
  created: boolean;
  /** The held lock of a default run dir (open on the dir itself); closing it releases the lock. */
  lock?: FileHandle;
  /** The root a default run dir lives in (removed with the last run dir). */
  root?: string;
}

/** The private per-user root of default state dirs. */
export function stateRoot(env: NodeJS.ProcessEnv = process.env): string {
  const xdg = env['XDG_RUNTIME_DIR'];
  if (xdg && existsSync(xdg)) return join(xdg, 'vmconform');
  return join(tmpdir(), `vmconform-${process.getuid?.() ?? 'user'}`);
}

/** Creates the root 0700, or checks that an existing one is ours, a real directory and private. */
function ensureRoot(root: string): void {
  mkdirSync(root, { recursive: true, mode: 0o700 });
  const st = lstatSync(root);
  const uid = process.getuid?.();
  if (!st.isDirectory() || (uid !== undefined && st.uid !== uid)) {
    throw new Error(`state root ${root} is not a directory owned by uid ${uid}: refusing to use it (set XDG_RUNTIME_DIR or TMPDIR elsewhere)`);
  }
  if ((st.mode & 0o077) !== 0) chmodSync(root, 0o700);
}

/** flock(LOCK_EX|LOCK_NB) on an open descriptor of ours, through flock(1): true when taken. */
function tryLock(fd: number): boolean {
  const r = spawnSync('flock', ['--exclusive', '--nonblock', '--conflict-exit-code', String(HELD), '3'], { stdio: ['ignore', 'ignore', 'pipe', fd] });
  if (r.error) throw new Error(`flock (util-linux) does not run: ${r.error.message}; run scripts/install-deps.sh`);
  if (r.status === 0) return true;
  if (r.status === HELD) return false;
  throw new Error(`flock failed (exit ${r.status}): ${r.stderr.toString().trim()}`);
}

/** True when `path` still names the directory open on `fd` (not removed, not replaced). */
function stillNamed(path: string, fd: number): boolean {
  try {
    const a = statSync(path);
    const b = fstatSync(fd);
    return a.ino === b.ino && a.dev === b.dev;
  } catch {
    return false;
  }
}

/**
 * Opens (creating if needed) the state dir. Default: a fresh locked run dir
 * under `root` (default stateRoot()); `keep` marks it so that a reaper
 * leaves its files.
 */
export async function openStateDir(o: { stateDir?: string; root?: string; keep?: boolean } = {}): Promise<StateDir> {
  if (o.stateDir) {
    const made = await mkdir(o.stateDir, { recursive: true, mode: 0o700 });
    return { dir: o.stateDir, created: made !== undefined };
  }
  const root = o.root ?? stateRoot();
  for (let attempt = 0; ; attempt++) {
    if (attempt >= 5) throw new Error(`could not lock a fresh run dir under ${root}`);
    let lock: FileHandle | null = null;
    try {
      ensureRoot(root);
      const dir = await mkdtemp(join(root, RUN_PREFIX)); // 0700
      lock = await open(dir, 'r');
      if (tryLock(lock.fd) && stillNamed(dir, lock.fd)) {
        if (o.keep) writeFileSync(join(dir, KEEP_MARKER), '', { mode: 0o600 });
        return { dir, created: true, lock, root };
      }
    } catch (err) {
      // The root was removed with its last run dir, or a reaper removed the fresh dir: try again.
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    }
    // A reaper took the fresh dir before we locked it (and removes it): make another.
    await lock?.close();
  }
}

/** Removes the root once it holds no run dir (rmdir fails on a non-empty one: no race with a new run). */
function removeRootIfEmpty(root: string | undefined): void {
  if (!root) return;
  try {
    rmdirSync(root);
  } catch {
    // ENOTEMPTY (other runs), ENOENT (already gone)
  }
}

/** Removes what the backend made: the whole dir if this run created it, else only the backend's sub-directories; then releases its lock. */
export async function removeStateDir(s: StateDir): Promise<void> {
  if (s.created) await rm(s.dir, { recursive: true, force: true });
  else for (const d of OWNED) await rm(join(s.dir, d), { recursive: true, force: true });
  await s.lock?.close();
  removeRootIfEmpty(s.root);
}

/** Releases the lock of a run dir that is kept (`keep`): a later run may then kill what is left in it. */
export async function releaseStateDir(s: StateDir): Promise<void> {
  await s.lock?.close();
}

/** Synchronous removeStateDir for the exit hook (the lock goes with the process or thread). */
export function removeStateDirSync(s: StateDir): void {
  if (s.created) rmSync(s.dir, { recursive: true, force: true });
  else for (const d of OWNED) rmSync(join(s.dir, d), { recursive: true, force: true });
  removeRootIfEmpty(s.root);
}

/** Pid files of the launchers (nodes/<node>/<run>/qemu.pid) and of the KVM canary (probe/nodes/…). */
function pidFiles(stateDir: string): string[] {
  const out: string[] = [];
  for (const base of [join(stateDir, 'nodes'), join(stateDir, 'probe', 'nodes')]) {
    for (const n of listDir(base)) for (const r of listDir(join(base, n))) out.push(join(base, n, r, 'qemu.pid'));
  }
  return out;
}

function listDir(dir: string): string[] {
  try {
    return readdirSync(dir);
  } catch {
    return [];
  }
}

function readPidRecord(file: string): PidRecord | null {
  try {
    const rec = JSON.parse(readFileSync(file, 'utf8')) as PidRecord;
    return Number.isInteger(rec.pid) && rec.pid > 1 && typeof rec.startTime === 'string' ? rec : null;
  } catch {
    return null;
  }
}

/** Kills the process groups of the QEMUs recorded in a state dir that still run. Returns them. */
function killRecorded(stateDir: string): PidRecord[] {
  const killed: PidRecord[] = [];
  for (const f of pidFiles(stateDir)) {
    const rec = readPidRecord(f);
    // Same pid and same start time: still the process we started, not a reuse of its pid.
    if (!rec || processStartTime(rec.pid) !== rec.startTime) continue;
    killGroup(rec.pid);
    killed.push(rec);
  }
  return killed;
}

/** Waits until a pid is gone (a killed QEMU takes a moment to exit). */
async function gone(rec: PidRecord, timeoutMs = REAP_WAIT_MS): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (processStartTime(rec.pid) === rec.startTime) {
    if (Date.now() > deadline) return false;
    await new Promise((r) => setTimeout(r, 20)); // no exit event for a process that is not our child
  }
  return true;
}

/**
 * Kills the QEMU processes an earlier run left in this (explicit) state
 * dir and clears the backend's sub-directories. Returns the pids reaped.
 */
export async function reapOrphans(stateDir: string): Promise<number[]> {
  const reaped: number[] = [];
  for (const rec of killRecorded(stateDir)) if (await gone(rec)) reaped.push(rec.pid);
  for (const d of OWNED) await rm(join(stateDir, d), { recursive: true, force: true });
  return reaped;
}

/** A stale run dir found by `reapStaleRuns`. */
export interface ReapedRun {
  dir: string;
  /** QEMU pids that were still running and were killed. */
  killed: number[];
  /** The files stayed (the run was made with `keep`). */
  kept: boolean;
}

/**
 * Reaps every run dir under `root` whose lock is free (its owner is dead):
 * kills its recorded QEMU process groups and removes it (unless kept),
 * holding its lock meanwhile. Synchronous (also runs in the exit hook).
 * Kept dirs whose QEMUs are all gone are not reported again.
 */
export function reapStaleRuns(root: string): ReapedRun[] {
  const out: ReapedRun[] = [];
  for (const name of listDir(root)) {
    if (!name.startsWith(RUN_PREFIX)) continue;
    const dir = join(root, name);
    let fd: number;
    try {
      fd = openSync(dir, 'r');
    } catch {
      continue; // removed meanwhile, or not a directory we can open
    }
    try {
      if (!tryLock(fd) || !stillNamed(dir, fd)) continue; // alive, or reaped by someone else
      const killed = killRecorded(dir).map((r) => r.pid);
      const kept = existsSync(join(dir, KEEP_MARKER));
      if (!kept) rmSync(dir, { recursive: true, force: true });
      if (!kept || killed.length) out.push({ dir, killed, kept });
    } finally {
      closeSync(fd);
    }
  }
  if (out.some((r) => !r.kept)) removeRootIfEmpty(root);
  return out;
}

/** One stderr line per reaped run. */
export function describeReaped(r: ReapedRun): string {
  const qemus = r.killed.length ? `killed QEMU ${r.killed.join(', ')}` : 'no QEMU was left running';
  return `qemu backend: reaped stale run ${r.dir} (its owner is gone): ${qemus}${r.kept ? '; files kept (--keep)' : '; removed'}`;
}
