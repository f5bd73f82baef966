import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { execa } from 'execa';
import { join } from 'node:path';
import type { LaunchDisk } from '../../../harness/cluster/agent.ts';
import { privateDir } from '../testing/privateDir.ts';
import { diskNodeNames } from '../devices.ts';
import { diskArgs, type PreparedDisk } from './diskArgs.ts';
import { qemuImgCreate } from './qemuImg.ts';

const disk = (over: Partial<LaunchDisk>): LaunchDisk => ({
  name: 'root',
  serial: null,
  bus: 'virtio',
  cdrom: false,
  readonly: false,
  bootOrder: null,
  source: { kind: 'emptyDisk', sizeBytes: 1 },
  ...over,
});

const prepared = (over: Partial<PreparedDisk>): PreparedDisk => ({
  name: 'root',
  file: '/s/root.qcow2',
  format: 'qcow2',
  readonly: false,
  cdrom: false,
  ...over,
});

describe('diskArgs', () => {
  it('every device of every bus, disk or cdrom, has KubeVirt\'s default error policy stop (werror/rerror=stop → Paused PausedIOError)', () => {
    for (const bus of ['virtio', 'sata', 'scsi', 'usb'] as const) {
      for (const cdrom of [false, true]) {
        const args = diskArgs(disk({ bus, cdrom }), prepared({ cdrom }), 'p');
        const device = args[args.lastIndexOf('-device') + 1]!;
        expect(device, `${bus} cdrom=${cdrom}`).toMatch(/,werror=stop,rerror=stop$/);
      }
    }
  });

  it('containerDisk: read-only base nodes under the overlay via backing, virtio-blk on the port, serial and bootindex', () => {
    const args = diskArgs(
      disk({ serial: 'ROOT-1', bootOrder: 1 }),
      prepared({ file: '/v/cd-root.qcow2', backing: { file: '/a/disk.qcow2', format: 'qcow2' } }),
      'rp-d-root',
    );
    expect(args).toEqual([
      '-blockdev', 'file,filename=/a/disk.qcow2,node-name=bf-root,read-only=on',
      '-blockdev', 'qcow2,file=bf-root,node-name=b-root,read-only=on',
      '-blockdev', 'file,filename=/v/cd-root.qcow2,node-name=f-root',
      '-blockdev', 'qcow2,file=f-root,backing=b-root,node-name=d-root',
      '-device', 'virtio-blk-pci,drive=d-root,id=disk-root,serial=ROOT-1,bootindex=1,bus=rp-d-root,werror=stop,rerror=stop',
    ]);
  });

  it('KubeVirt serials: none when the spec gives none; read-only disks open read-only nodes', () => {
    const args = diskArgs(disk({ name: 'data', readonly: true }), prepared({ name: 'data', file: '/p/data.qcow2' }), 'p1');
    expect(args).toEqual([
      '-blockdev', 'file,filename=/p/data.qcow2,node-name=f-data,read-only=on',
      '-blockdev', 'qcow2,file=f-data,node-name=d-data,read-only=on',
      '-device', 'virtio-blk-pci,drive=d-data,id=disk-data,bus=p1,werror=stop,rerror=stop',
    ]);
    expect(args.join(' ')).not.toContain('serial=');
  });

  it('cdrom: ide-cd on its own AHCI controller on the port; scsi cdrom: scsi-cd on its own virtio-scsi', () => {
    const iso = prepared({ name: 'cfg', file: '/v/config-cfg.iso', format: 'raw', cdrom: true });
    expect(diskArgs(disk({ name: 'cfg', cdrom: true, bus: 'sata', bootOrder: 2 }), iso, 'p2').slice(4)).toEqual([
      '-device', 'ich9-ahci,id=sata-cfg,bus=p2',
      '-device', 'ide-cd,drive=d-cfg,id=disk-cfg,bootindex=2,bus=sata-cfg.0,werror=stop,rerror=stop',
    ]);
    expect(diskArgs(disk({ name: 'cfg', cdrom: true, bus: 'scsi' }), iso, 'p2').slice(4)).toEqual([
      '-device', 'virtio-scsi-pci,id=scsi-cfg,bus=p2',
      '-device', 'scsi-cd,drive=d-cfg,id=disk-cfg,bus=scsi-cfg.0,werror=stop,rerror=stop',
    ]);
  });

  it('escapes commas in paths and serials; long or odd names get short, unique node names', () => {
    const args = diskArgs(disk({ name: 'a', serial: 'x,y' }), prepared({ name: 'a', file: '/t/a,b.qcow2' }), 'p');
    expect(args[1]).toBe('file,filename=/t/a,,b.qcow2,node-name=f-a');
    expect(args[5]).toContain('serial=x,,y');
    const long = diskNodeNames('a-very-long-volume-name-for-the-database.disk');
    const other = diskNodeNames('a-very-long-volume-name-for-the-database-disk');
    for (const n of Object.values(long)) expect(n).toMatch(/^[a-z][A-Za-z0-9_-]{0,30}$/);
    expect(long.format).not.toBe(other.format);
  });
});

/** Runs QEMU stopped (-S) with `args`, asks QMP for the block nodes, quits; throws with QEMU's stderr on failure. */
async function qemuBlockNodes(args: string[]): Promise<{ 'node-name': string; ro: boolean }[]> {
  const qmp = ['qmp_capabilities', 'query-named-block-nodes', 'quit'].map((execute) => JSON.stringify({ execute })).join('\n');
  const r = await execa(
    'qemu-system-x86_64',
    ['-accel', 'tcg', '-machine', 'q35', '-m', '64', '-nodefaults', '-display', 'none', '-S', '-qmp', 'stdio', ...args],
    { input: `${qmp}\n`, reject: false, timeout: 15_000 },
  );
  if (r.exitCode !== 0) throw new Error(`qemu exited ${r.exitCode}: ${r.stderr}`);
  const replies = r.stdout.split('\n').filter(Boolean).map((l) => JSON.parse(l) as { return?: unknown });
  const nodes = replies.find((m) => Array.isArray(m.return));
  return nodes!.return as { 'node-name': string; ro: boolean }[];
}

describe('diskArgs with real QEMU (q35, every bus)', () => {
  let dir: string;
  let cleanup: () => Promise<void>;
  beforeEach(async () => ({ dir, cleanup } = await privateDir('vmc-da')));
  afterEach(async () => cleanup());

  it('QEMU accepts every bus × disk/cdrom and keeps the containerDisk base read-only', async () => {
    const base = join(dir, 'base.qcow2');
    const overlay = join(dir, 'overlay.qcow2');
    const blank = join(dir, 'blank.qcow2');
    await qemuImgCreate(base, { format: 'qcow2', sizeBytes: 1 << 20 });
    await qemuImgCreate(overlay, { format: 'qcow2', backing: { file: base, format: 'qcow2' } });
    const cases: [LaunchDisk, PreparedDisk][] = [];
    for (const bus of ['virtio', 'sata', 'scsi', 'usb'] as const) {
      for (const cdrom of [false, true]) {
        const name = `${bus}-${cdrom ? 'cd' : 'hd'}`;
        const file = join(dir, `${name}.qcow2`);
        await qemuImgCreate(file, { format: 'qcow2', sizeBytes: 1 << 20 });
        cases.push([disk({ name, bus, cdrom, serial: `S-${name}` }), prepared({ name, file, cdrom })]);
      }
    }
    cases.push([disk({ name: 'cd', bootOrder: 1 }), prepared({ name: 'cd', file: overlay, backing: { file: base, format: 'qcow2' } })]);
    cases.push([disk({ name: 'empty' }), prepared({ name: 'empty', file: blank })]);
    await qemuImgCreate(blank, { format: 'qcow2', sizeBytes: 1 << 20 });

    const args = cases.flatMap(([d, p], i) => [
      '-device', `pcie-root-port,id=p${i},chassis=${i + 1}`,
      ...diskArgs(d, p, `p${i}`),
    ]);
    const nodes = await qemuBlockNodes(args);
    const ro = Object.fromEntries(nodes.map((n) => [n['node-name'], n.ro]));
    expect(ro).toMatchObject({ 'bf-cd': true, 'b-cd': true, 'f-cd': false, 'd-cd': false, 'd-virtio-cd': true, 'd-virtio-hd': false });
  });
});
