/**
 * How every QEMU process is spawned: from an argument array (never a shell
 * string), in its own process group, and bound to the thread that started
 * it. Internal (backends/qemu).
 *
 * The binding is a parent-death signal: util-linux `setpriv --pdeathsig
 * KILL` calls prctl(PR_SET_PDEATHSIG, SIGKILL) and then execs QEMU (same
 * pid), so the kernel kills QEMU when its parent dies — SIGKILL of the
 * harness, the OOM killer — with no code of ours running. The "parent" is
 * the thread that forked (prctl(2)): a QEMU started in a `--jobs` worker
 * thread dies with that worker. QEMU 7.2 has no option of its own for it.
 * A parent that dies between the fork and the prctl is the one gap: the
 * stale-run reaper (StateDir.ts) covers it.
 */
import { execa } from 'execa';
import { registerGroup } from './processGroups.ts';

const SETPRIV = 'setpriv';

/** The argv that runs `binary args` with SIGKILL as its parent-death signal. Pure. */
export function withParentDeathSignal(binary: string, args: readonly string[]): [string, string[]] {
  return [SETPRIV, ['--pdeathsig', 'KILL', '--', binary, ...args]];
}

export interface SpawnQemuOptions {
  /** QEMU's stderr: piped (read from the result) or written to a file. */
  stderr: 'pipe' | { file: string };
}

/** Spawns QEMU detached (own process group) with the parent-death signal, registered in liveGroups until it exits. */
export function spawnQemu(binary: string, args: readonly string[], o: SpawnQemuOptions) {
  const [file, argv] = withParentDeathSignal(binary, args);
  const child = execa(file, argv, {
    detached: true, // own process group: one kill takes QEMU and anything it spawned
    stdin: 'ignore',
    stdout: 'ignore',
    stderr: o.stderr,
    reject: false,
    cleanup: false, // the parent-death signal and the exit hooks do it, for the whole group
  });
  if (child.pid !== undefined) registerGroup(child.pid, child.catch(() => undefined));
  return child;
}

/**
 * Why setpriv could not exec QEMU (it exits 127 when the binary is missing,
 * 126 when it cannot be executed, after a `setpriv: failed to execute` line),
 * or null when QEMU itself ran. Pure.
 */
export function execFailure(binary: string, exitCode: number | null, stderr: string): string | null {
  const line = stderr.split('\n').find((l) => l.startsWith(`${SETPRIV}: failed to execute`));
  if (!line || (exitCode !== 126 && exitCode !== 127)) return null;
  return exitCode === 127 ? `spawn ${binary} ENOENT (${line})` : line;
}

/** Throws an Error saying what to install when setpriv with --pdeathsig does not run here. */
export async function checkParentDeathSignal(): Promise<void> {
  const [file, argv] = withParentDeathSignal('true', []);
  const r = await execa(file, argv, { reject: false, stdin: 'ignore' });
  if (r.exitCode !== 0) {
    throw new Error(`${SETPRIV} --pdeathsig (util-linux) is needed to bind QEMU to the harness and does not run (${r.stderr || r.shortMessage}); run scripts/install-deps.sh`);
  }
}
