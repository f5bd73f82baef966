/**
 * What a harness run left behind under a directory (its TMPDIR): live
 * processes that mention it, unix sockets bound under it, TCP ports those
 * processes listen on, and files. Internal (test/cleanup and the soak bench).
 * Read from /proc, never from the harness's own record.
 */
import { readdir, readFile, readlink, lstat } from 'node:fs/promises';
import { join } from 'node:path';

/** A live process: its pid and command line (NULs as spaces). */
export interface ProcessSeen {
  pid: number;
  cmdline: string;
}

/** Live processes whose command line mentions `dir` (a zombie's is empty: it does not count). */
export async function processesMentioning(dir: string): Promise<ProcessSeen[]> {
  const out: ProcessSeen[] = [];
  for (const entry of await readdir('/proc')) {
    if (!/^\d+$/.test(entry) || Number(entry) === process.pid) continue;
    const cmdline = (await readFile(join('/proc', entry, 'cmdline'), 'utf8').catch(() => '')).replaceAll('\0', ' ');
    if (cmdline.includes(dir)) out.push({ pid: Number(entry), cmdline });
  }
  return out;
}

/** Live qemu-system processes whose command line mentions `dir` (their sockets are under it). */
export async function qemusUnder(dir: string): Promise<ProcessSeen[]> {
  return (await processesMentioning(dir)).filter((p) => p.cmdline.includes('qemu-system'));
}

/** Guests (`-name guest=…`), not the version probe. */
export const isGuest = (q: ProcessSeen): boolean => q.cmdline.includes('guest=');
/** Migration targets (`-incoming`). */
export const isMigrationTarget = (q: ProcessSeen): boolean => q.cmdline.includes('-incoming');

/** Unix sockets still bound to a path under `dir` by some process (/proc/net/unix). */
export async function boundSocketsUnder(dir: string): Promise<string[]> {
  const table = await readFile('/proc/net/unix', 'utf8').catch(() => '');
  return table.split('\n').slice(1).map((l) => l.trim().split(/\s+/)[7] ?? '').filter((p) => p.startsWith(`${dir}/`));
}

/** TCP ports (v4 and v6) that the given processes listen on. */
export async function listeningPorts(pids: readonly number[]): Promise<number[]> {
  const inodes = new Set<string>();
  for (const pid of pids) {
    for (const fd of await readdir(`/proc/${pid}/fd`).catch(() => [] as string[])) {
      const m = /^socket:\[(\d+)\]$/.exec(await readlink(`/proc/${pid}/fd/${fd}`).catch(() => ''));
      if (m) inodes.add(m[1]!);
    }
  }
  const ports: number[] = [];
  for (const table of ['/proc/net/tcp', '/proc/net/tcp6']) {
    for (const line of (await readFile(table, 'utf8').catch(() => '')).split('\n').slice(1)) {
      const f = line.trim().split(/\s+/);
      if (f[3] === '0A' && inodes.has(f[9] ?? '')) ports.push(parseInt(f[1]!.split(':')[1]!, 16)); // 0A: LISTEN
    }
  }
  return ports;
}

/** Files and directories under `dir` (relative), but those under `ignore` (relative prefixes); sockets are files too. */
export async function filesUnder(dir: string, ignore: readonly RegExp[] = []): Promise<string[]> {
  const all = (await readdir(dir, { recursive: true }).catch(() => [] as string[])).map(String);
  return all.filter((f) => !ignore.some((re) => re.test(f)));
}

/** The socket files among `files` (relative to `dir`). */
export async function socketFiles(dir: string, files: readonly string[]): Promise<string[]> {
  const out: string[] = [];
  for (const f of files) if ((await lstat(join(dir, f)).catch(() => null))?.isSocket()) out.push(f);
  return out;
}
