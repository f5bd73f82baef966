/**
 * The QEMU process groups this thread started, and how to recognise one
 * after a crash of the harness. Internal (backends/qemu).
 *
 * Every QEMU runs in its own process group (one kill takes it and anything
 * it spawned). Its pid file records pid and start time, so that a reaper
 * never kills a process that merely reuses the pid.
 */
import { readFileSync } from 'node:fs';

/** What a pid file holds: enough to recognise our process after a crash of the harness. */
export interface PidRecord {
  pid: number;
  /** Start time in clock ticks (/proc/PID/stat field 22): guards against pid reuse. */
  startTime: string;
}

/** Start time of a process from /proc, or null when it is gone. Synchronous: the exit hook reaps too. */
export function processStartTime(pid: number): string | null {
  let stat: string;
  try {
    stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return null;
  }
  // comm (field 2) may hold spaces and parentheses: split after the last ')'.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  if (fields[0] === 'Z') return null; // a zombie holds nothing: it is gone
  return fields[19] ?? null; // field 22 overall
}

/**
 * Process groups of every QEMU this thread started and that has not exited
 * yet (launchers, migration targets, the KVM canary, the version probe).
 * The exit and signal hooks (index.ts) kill what is left.
 */
export const liveGroups = new Set<number>();

/** Registers a just-spawned detached QEMU until its exit. */
export function registerGroup(pid: number, exited: Promise<unknown>): void {
  liveGroups.add(pid);
  void exited.finally(() => liveGroups.delete(pid));
}

/** SIGKILL a process group; ignores a group that is already gone. */
export function killGroup(pgid: number): void {
  try {
    process.kill(-pgid, 'SIGKILL');
  } catch {
    // ESRCH: already gone
  }
}
