/**
 * VolumeStore.prepare + diskArgs with a real guest: firmware (SeaBIOS) boot
 * from the catalogue ISO on a cdrom, a containerDisk, a PVC clone of a golden
 * image, an emptyDisk and a cloud-init ISO, all seen by the guest with
 * KubeVirt serials and their real sizes; a guest write to the containerDisk
 * never reaches the read-only base.
 */
import { execa, type ResultPromise } from 'execa';
import { mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { LaunchSpec } from '../../../harness/cluster/agent.ts';
import { BOOT_DISK_BYTES } from '../../../harness/api/images.ts';
import { GUEST_TOOLS, guestArtefacts } from '../../../guest/artefacts.ts';
import { QgaClient } from '../qga/QgaClient.ts';
import { QmpClient } from '../qmp/QmpClient.ts';
import { retryUntil } from '../retryUntil.ts';
import { privateDir } from '../testing/privateDir.ts';
import { diskArgs } from './diskArgs.ts';
import { VolumeStore } from './VolumeStore.ts';
import { digest, launchDisk } from './testImages.ts';

const QEMU = process.env['VMCONFORM_QEMU'] ?? 'qemu-system-x86_64';
const MiB = 1024 * 1024;

const disk = launchDisk;

interface GuestDisk {
  dev: string;
  serial: string | null;
  sizeBytes: number;
  fstype?: string;
  label?: string;
}

describe('prepared disks in a real guest (QEMU q35, TCG, SeaBIOS)', () => {
  let dir: string;
  let cleanupDir: () => Promise<void>;
  let proc: ResultPromise | null = null;
  let qmp: QmpClient | null = null;
  let qga: QgaClient | null = null;

  beforeEach(async () => ({ dir, cleanup: cleanupDir } = await privateDir('vq-disk')));
  afterEach(async () => {
    await qga?.close();
    await qmp?.close();
    if (proc?.pid && proc.exitCode === null) process.kill(-proc.pid, 'SIGKILL');
    await proc;
    [proc, qmp, qga] = [null, null, null];
    await cleanupDir();
  });

  it('boots the ISO from a cdrom and shows every disk with its serial and size; the containerDisk base stays untouched', { timeout: 240_000 }, async () => {
    const artefacts = guestArtefacts();
    const baseBefore = await digest(artefacts.diskQcow2);
    const store = new VolumeStore({ stateDir: join(dir, 'state'), artefacts });
    expect((await store.provision({ type: 'provisionVolume', pvc: 'golden', storage: 'shared', node: null, sizeBytes: BOOT_DISK_BYTES, source: { kind: 'image', image: 'vmconform/guest', format: 'qcow2' } })).ok).toBe(true);
    expect((await store.provision({ type: 'provisionVolume', pvc: 'root', storage: 'local', node: 'node01', sizeBytes: 96 * MiB, source: { kind: 'clone', fromPvc: 'golden' } })).ok).toBe(true);

    const disks = [
      disk('boot', { kind: 'containerDisk', image: 'vmconform/guest-iso', format: 'iso' }, { cdrom: true, bus: 'sata', bootOrder: 1 }),
      disk('cdisk', { kind: 'containerDisk', image: 'vmconform/guest', format: 'qcow2' }, { serial: 'CD-SERIAL' }),
      disk('root', { kind: 'pvc', claim: 'root', storage: 'local', node: 'node01', sizeBytes: 96 * MiB }, { serial: 'ROOT1' }),
      disk('scratch', { kind: 'emptyDisk', sizeBytes: 8 * MiB }),
      disk('cloudinit', { kind: 'configIso', label: 'cidata', files: { 'meta-data': 'instance-id: vm1\n' } }),
    ];
    const spec: LaunchSpec = {
      uid: 'u1', name: 'vm1', node: 'node01', vcpus: 1, cpu: { sockets: 1, cores: 1, threads: 1 }, memoryMiB: 256, hostname: 'vm1', boot: { kind: 'firmware' },
      disks, nics: [], startPaused: false, terminationGracePeriodSeconds: 0, acpi: true,
    };
    const vmiDir = join(dir, 'vmi');
    const prepared = await store.prepare(spec, vmiDir);

    const run = join(dir, 'run');
    await mkdir(run, { mode: 0o700 });
    const args = [
      '-accel', 'tcg', '-machine', 'q35', '-m', '256', '-smp', '1', '-nodefaults', '-no-user-config', '-display', 'none',
      '-qmp', `unix:${join(run, 'qmp')},server=on,wait=off`,
      '-serial', `file:${join(run, 'console.log')}`,
      '-chardev', `socket,id=qga0,path=${join(run, 'qga')},server=on,wait=off`,
      // SeaBIOS logs to the debug port: says which device it booted from.
      '-chardev', `file,id=bios,path=${join(run, 'bios.log')}`, '-device', 'isa-debugcon,iobase=0x402,chardev=bios',
    ];
    disks.forEach((d, i) => args.push('-device', `pcie-root-port,id=rp${i},chassis=${i + 1}`, ...diskArgs(d, prepared[i]!, `rp${i}`)));
    args.push(
      '-device', `pcie-root-port,id=rp-serial,chassis=${disks.length + 1}`,
      '-device', 'virtio-serial-pci,id=vser0,bus=rp-serial',
      '-device', 'virtserialport,bus=vser0.0,chardev=qga0,name=org.qemu.guest_agent.0',
    );
    proc = execa(QEMU, args, { reject: false, detached: true, stdin: 'ignore' });
    const giveUp = (): string | null => (proc?.exitCode != null ? `QEMU exited: ${String(proc.stderr ?? '')}` : null);
    qmp = await retryUntil(() => QmpClient.connect(join(run, 'qmp'), { timeoutMs: 1000 }), { timeoutMs: 10_000, what: 'QMP', giveUp });
    qga = await QgaClient.connect(join(run, 'qga'));
    await qga.ping(120_000);

    expect(await readFile(join(run, 'bios.log'), 'utf8')).toMatch(/Booting from DVD\/CD/);
    const facts = JSON.parse((await qga.exec(GUEST_TOOLS.facts, [], 20_000)).stdout) as { disks: GuestDisk[] };
    const bySerial = Object.fromEntries(facts.disks.filter((d) => d.serial).map((d) => [d.serial, d.sizeBytes]));
    expect(bySerial).toEqual({ 'CD-SERIAL': BOOT_DISK_BYTES, ROOT1: 96 * MiB });
    expect(facts.disks.filter((d) => !d.serial && d.sizeBytes === 8 * MiB)).toHaveLength(1);
    expect(facts.disks.find((d) => d.label === 'cidata')).toMatchObject({ fstype: 'iso9660' });

    // Write through the containerDisk from inside the guest: the overlay takes it, the base does not.
    const cd = facts.disks.find((d) => d.serial === 'CD-SERIAL')!;
    const w = await qga.exec('/bin/sh', ['-c', 'dd if=/dev/zero of="/dev/$1" bs=4096 count=16 conv=fsync 2>/dev/null', 'sh', cd.dev], 20_000);
    expect(w.exitCode).toBe(0);
    expect(await digest(artefacts.diskQcow2)).toBe(baseBefore);
  });
});
