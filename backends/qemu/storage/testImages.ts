/**
 * Test helper (internal to backends/qemu/storage tests): a stand-in guest
 * artefact directory of real images with a known pattern, and qemu-io
 * probes that read a pattern back through the whole backing chain.
 */
import { execa } from 'execa';
import { createHash } from 'node:crypto';
import { mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { BOOT_DISK_BYTES } from '../../../harness/api/index.ts';
import type { LaunchDisk } from '../../../harness/cluster/index.ts';

/** Byte the golden images hold in their first 4 KiB. */
export const GOLDEN_PATTERN = 0xab;

/** Creates disk.qcow2 and disk.raw (BOOT_DISK_BYTES, GOLDEN_PATTERN at offset 0) in `dir`. */
export async function makeArtefacts(dir: string): Promise<{ dir: string }> {
  await mkdir(dir, { recursive: true });
  for (const [file, format] of [['disk.qcow2', 'qcow2'], ['disk.raw', 'raw']] as const) {
    await execa('qemu-img', ['create', '-q', '-f', format, join(dir, file), String(BOOT_DISK_BYTES)]);
    await qemuIo(join(dir, file), format, `write -P ${GOLDEN_PATTERN} 0 4k`);
  }
  return { dir };
}

/** Runs one qemu-io command; resolves true when it succeeded (a pattern read matched). */
export async function qemuIo(file: string, format: 'raw' | 'qcow2', command: string, readOnly = false): Promise<boolean> {
  const r = await execa('qemu-io', [...(readOnly ? ['-r'] : []), '-f', format, '-c', command, file], { reject: false });
  return r.exitCode === 0 && !/fail/i.test(r.stdout + r.stderr);
}

/** SHA-256 of a file: proves a read-only base was not written. */
export async function digest(file: string): Promise<string> {
  return createHash('sha256').update(await readFile(file)).digest('hex');
}

/** A LaunchDisk on the virtio bus with no serial or boot order unless `over` says otherwise. */
export function launchDisk(name: string, source: LaunchDisk['source'], over: Partial<LaunchDisk> = {}): LaunchDisk {
  return { name, serial: null, bus: 'virtio', cdrom: false, readonly: false, bootOrder: null, source, ...over };
}
