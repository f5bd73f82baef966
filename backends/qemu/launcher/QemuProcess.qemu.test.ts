import { mkdir, readdir, readFile } from 'node:fs/promises';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { QEMU_BINARY } from '../testing/bootGuest.ts';
import { privateDir } from '../testing/privateDir.ts';
import { QemuProcess } from './QemuProcess.ts';
import { runPaths, type RunPaths } from './RunPaths.ts';

let tmp: { dir: string; cleanup: () => Promise<void> };
let paths: RunPaths;
beforeEach(async () => {
  tmp = await privateDir();
  paths = runPaths(tmp.dir, 'node01', 'u');
  await mkdir(paths.dir, { recursive: true, mode: 0o700 });
});
afterEach(async () => tmp.cleanup());

/** Pids whose command line mentions `text`. */
async function processesUsing(text: string): Promise<number[]> {
  const pids = (await readdir('/proc')).filter((d) => /^\d+$/.test(d));
  const out: number[] = [];
  for (const pid of pids) {
    const cmd = await readFile(`/proc/${pid}/cmdline`, 'utf8').catch(() => '');
    if (cmd.includes(text)) out.push(Number(pid));
  }
  return out;
}

/** A QEMU with QMP and a QGA chardev but no guest: enough for the launcher's own contract. */
const args = (p: RunPaths): string[] => [
  '-machine', 'none', '-nodefaults', '-no-user-config', '-display', 'none', '-S',
  '-chardev', `socket,id=qmp,path=${p.qmp},server=on,wait=off`, '-mon', 'chardev=qmp,mode=control',
  '-chardev', `socket,id=qga0,path=${p.qga},server=on,wait=off`,
];

describe('QemuProcess (launcher process contract)', () => {
  it('starts QEMU in its own process group with QMP and QGA connected, and stop() ends it via quit', async () => {
    const r = await QemuProcess.start({ binary: QEMU_BINARY, args: args(paths), paths, label: 'vm1' });
    if ('error' in r) throw new Error(r.error);
    const { proc } = r;
    expect(proc.qmp.version?.qemu.major).toBeGreaterThanOrEqual(7);
    const pgid = Number((await import('node:fs')).readFileSync(`/proc/${proc.pid}/stat`, 'utf8').split(') ')[1]!.split(' ')[2]);
    expect(pgid).toBe(proc.pid); // detached: its own process group
    expect(await proc.stop()).toMatchObject({ exitCode: 0, spawnError: null });
  });

  it('QEMU that rejects its command line: an error naming the VMI and quoting QEMU\'s stderr, nothing running', async () => {
    const r = await QemuProcess.start({ binary: QEMU_BINARY, args: [...args(paths), '-device', 'no-such-device'], paths, label: 'vm1' });
    expect('error' in r && r.error).toMatch(/^vmi vm1: QEMU \(.+\) failed to start: \S+: -device no-such-device: 'no-such-device' is not a valid device model name$/);
    expect(await processesUsing(paths.dir)).toEqual([]); // the caller (QemuAgent) then removes the run dir
  });
});
