/**
 * Test helpers (internal) for the conformance tests: the vmconform CLI
 * spawned as a user runs it, in a private TMPDIR so that the qemu backend's
 * state dirs land where the test can check that nothing is left behind.
 */
import { execa, type ResultPromise } from 'execa';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll } from 'vitest';

export const ROOT = new URL('../../', import.meta.url).pathname;

/** A private temp dir (0700 by mkdtemp) with a short path: QEMU's unix sockets live under it. */
export async function privateTmp(prefix: string): Promise<{ dir: string; remove(): Promise<void> }> {
  const dir = await mkdtemp(join('/tmp', prefix));
  return { dir, remove: () => rm(dir, { recursive: true, force: true }) };
}

/** A private temp dir for one test file: made before its tests, removed after them. */
export function privateTmpForFile(prefix: string): { readonly dir: string } {
  const box = { dir: '' };
  let remove = async () => undefined as void;
  beforeAll(async () => {
    const t = await privateTmp(prefix);
    box.dir = t.dir;
    remove = t.remove;
  });
  afterAll(() => remove());
  return box;
}

/** Spawns `vmconform ARGS` with TMPDIR=tmp; the caller awaits or signals it. */
export function spawnCli(args: readonly string[], tmp: string, timeoutMs: number): ResultPromise<{ reject: false; all: true }> {
  return execa('node', ['bin/vmconform.js', ...args], {
    cwd: ROOT,
    env: { TMPDIR: tmp },
    reject: false,
    all: true,
    timeout: timeoutMs,
    forceKillAfterDelay: 5000,
  });
}

/**
 * Pids of live qemu-system processes whose command line mentions `dir` (their
 * sockets are under it); `guests`: only guests (`-name guest=...`), not the
 * backend's version probe.
 */
export async function qemuProcessesUnder(dir: string, guests = false): Promise<number[]> {
  const pids: number[] = [];
  for (const entry of await readdir('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const cmd = await readFile(join('/proc', entry, 'cmdline'), 'utf8').catch(() => '');
    if (cmd.includes('qemu-system') && cmd.includes(dir) && (!guests || cmd.includes('guest='))) pids.push(Number(entry));
  }
  return pids;
}

/** Every file and directory left under `dir`, but tsx's transform cache (TMPDIR/tsx-UID), which is not the run's. */
export async function filesUnder(dir: string): Promise<string[]> {
  return (await readdir(dir, { recursive: true })).map(String).filter((f) => !/^tsx-\d+(\/|$)/.test(f));
}

/** Polls `check` every 200 ms until it is true; throws after `timeoutMs` naming `what`. */
export async function until(what: string, check: () => Promise<boolean>, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}
