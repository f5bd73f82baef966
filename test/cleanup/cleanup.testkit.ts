/**
 * Test helpers (internal) for the clean-up tests: the vmconform CLI spawned
 * as a CI runner runs it, with TMPDIR private to the test and no
 * XDG_RUNTIME_DIR, so that the default state root is
 * `TMPDIR/vmconform-<uid>` and the test sees everything a run leaves.
 * (Generic helpers: test/conformance/cli.testkit.ts; what is left behind:
 * backends/qemu/testing/leaks.ts.)
 */
import { execa, type ResultPromise } from 'execa';
import { join } from 'node:path';
import { ROOT } from '../conformance/cli.testkit.ts';

export { filesUnder, privateTmp, ROOT } from '../conformance/cli.testkit.ts';
export { isGuest, isMigrationTarget, qemusUnder, type ProcessSeen as QemuSeen } from '../../backends/qemu/testing/leaks.ts';

/** Where default run dirs go for a run with TMPDIR=tmp (backends/qemu/StateDir.ts stateRoot). */
export function stateRootIn(tmp: string): string {
  return join(tmp, `vmconform-${process.getuid?.() ?? 'user'}`);
}

/** The environment of a run whose temp dir is `tmp`. */
export function runEnv(tmp: string): NodeJS.ProcessEnv {
  return { TMPDIR: tmp, XDG_RUNTIME_DIR: '' };
}

/** Spawns `vmconform ARGS` with TMPDIR=tmp; the caller awaits or signals it. */
export function spawnRun(args: readonly string[], tmp: string, timeoutMs: number): ResultPromise<{ reject: false; all: true }> {
  return execa('node', ['bin/vmconform.js', ...args], { cwd: ROOT, env: runEnv(tmp), reject: false, all: true, timeout: timeoutMs, forceKillAfterDelay: 5000 });
}

/** Checks `check` every `everyMs` (a kill must land at a moment that lasts ~1 s) until true; throws after `timeoutMs`. */
export async function until(what: string, check: () => Promise<boolean>, timeoutMs: number, everyMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await check()) return;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}
