/**
 * Test helpers (internal) for the clean-up tests and the soak bench: the
 * vmconform CLI spawned as a CI runner runs it, with TMPDIR private to the
 * test and no XDG_RUNTIME_DIR, so that the default state root is
 * `TMPDIR/vmconform-<uid>` and the test sees everything a run leaves.
 * (The generic helpers are test/conformance/cli.testkit.ts's.)
 */
import { execa, type ResultPromise } from 'execa';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ROOT } from '../conformance/cli.testkit.ts';

export { filesUnder, privateTmp, ROOT } from '../conformance/cli.testkit.ts';

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

/** A live QEMU: its pid and command line. */
export interface QemuSeen {
  pid: number;
  cmdline: string;
}

/** Live qemu-system processes whose command line mentions `dir` (a zombie has an empty one). */
export async function qemusUnder(dir: string): Promise<QemuSeen[]> {
  const out: QemuSeen[] = [];
  for (const entry of await readdir('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const cmdline = (await readFile(join('/proc', entry, 'cmdline'), 'utf8').catch(() => '')).replaceAll('\0', ' ');
    if (cmdline.includes('qemu-system') && cmdline.includes(dir)) out.push({ pid: Number(entry), cmdline });
  }
  return out;
}

/** Guests (`-name guest=…`), not the version probe. */
export const isGuest = (q: QemuSeen): boolean => q.cmdline.includes('guest=');
/** Migration targets (`-incoming`). */
export const isMigrationTarget = (q: QemuSeen): boolean => q.cmdline.includes('-incoming');

/** Checks `check` every `everyMs` (a kill must land at a moment that lasts ~1 s) until true; throws after `timeoutMs`. */
export async function until(what: string, check: () => Promise<boolean>, timeoutMs: number, everyMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await check()) return;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}
