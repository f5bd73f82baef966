import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { execa } from 'execa';
import { existsSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { LaunchDisk, LaunchSpec } from '../../../harness/cluster/agent.ts';
import { BOOT_DISK_BYTES } from '../../../harness/api/images.ts';
import { privateDir } from '../testing/privateDir.ts';
import { PrepareError, VolumeStore, type ProvisionVolume } from './VolumeStore.ts';
import { qemuImgInfo } from './qemuImg.ts';
import { GOLDEN_PATTERN, digest, launchDisk, makeArtefacts, qemuIo } from './testImages.ts';

const MiB = 1024 * 1024;
const GOLDEN = 'vmconform/guest:latest';

const provision = (over: Partial<ProvisionVolume>): ProvisionVolume => ({
  type: 'provisionVolume',
  pvc: 'data',
  storage: 'shared',
  node: null,
  sizeBytes: 8 * MiB,
  source: { kind: 'blank' },
  ...over,
});

const disk = launchDisk;

const spec = (disks: LaunchDisk[]): LaunchSpec => ({
  uid: 'uid-1',
  name: 'vm1',
  node: 'node01',
  vcpus: 1,
  cpu: { sockets: 1, cores: 1, threads: 1 },
  memoryMiB: 256,
  hostname: 'vm1',
  boot: { kind: 'firmware' },
  disks,
  nics: [],
  startPaused: false,
  terminationGracePeriodSeconds: 0,
  acpi: true,
});

describe('VolumeStore', () => {
  let dir: string;
  let cleanup: () => Promise<void>;
  let store: VolumeStore;
  let artefactDir: string;
  let removeArtefacts: () => Promise<void>;

  // The golden images are shared by all tests: every test that writes through them checks they stay untouched.
  beforeAll(async () => {
    const a = await privateDir('vmc-art');
    [artefactDir, removeArtefacts] = [a.dir, a.cleanup];
    await makeArtefacts(artefactDir);
  });
  afterAll(async () => removeArtefacts());

  beforeEach(async () => {
    ({ dir, cleanup } = await privateDir('vmc-vol'));
    store = new VolumeStore({ stateDir: join(dir, 'state'), artefacts: { dir: artefactDir } });
  });
  afterEach(async () => cleanup());

  describe('provision (StorageClasses)', () => {
    it('node-local blank PVC: a file in the node dir whose virtual size is the PVC size', async () => {
      const r = await store.provision(provision({ pvc: 'scratch', storage: 'local', node: 'node01', sizeBytes: 24 * MiB }));
      expect(r).toEqual({ ok: true, path: join(dir, 'state/nodes/node01/pvc/scratch.qcow2') });
      const info = await qemuImgInfo(join(dir, 'state/nodes/node01/pvc/scratch.qcow2'));
      expect(info).toMatchObject({ format: 'qcow2', virtualSize: 24 * MiB, backingFile: null });
      expect(store.pvcPath('scratch')).toBe(join(dir, 'state/nodes/node01/pvc/scratch.qcow2'));
    });

    it('shared blank PVC lives in the shared dir', async () => {
      const r = await store.provision(provision({ pvc: 'rwx' }));
      expect(r).toEqual({ ok: true, path: join(dir, 'state/shared/pvc/rwx.qcow2') });
      expect((await qemuImgInfo(join(dir, 'state/shared/pvc/rwx.qcow2'))).virtualSize).toBe(8 * MiB);
    });

    it('a node-local PVC without a node (not yet bound to a consumer) is refused with a reason', async () => {
      expect(await store.provision(provision({ pvc: 'wffc', storage: 'local', node: null }))).toEqual({
        ok: false,
        message: 'PVC wffc: a node-local volume needs the node of its first consumer',
      });
    });

    it('image PVC: copy-free overlay on the catalogue artefact, resized, reading the golden content', async () => {
      const base = join(artefactDir, 'disk.qcow2');
      const before = await digest(base);
      const r = await store.provision(provision({ pvc: 'golden', sizeBytes: 96 * MiB, source: { kind: 'image', image: GOLDEN, format: 'qcow2' } }));
      expect(r.ok).toBe(true);
      const path = store.pvcPath('golden')!;
      expect(await qemuImgInfo(path)).toMatchObject({ virtualSize: 96 * MiB, backingFile: base, backingFormat: 'qcow2' });
      expect(await qemuIo(path, 'qcow2', `read -P ${GOLDEN_PATTERN} 0 4k`, true)).toBe(true);
      expect(await qemuIo(path, 'qcow2', 'write -P 0x11 0 4k')).toBe(true);
      expect(await digest(base)).toBe(before);
    });

    it('image PVCs from raw artefacts and refusals for unknown, kernel and too-small images', async () => {
      expect((await store.provision(provision({ pvc: 'r', sizeBytes: BOOT_DISK_BYTES, source: { kind: 'image', image: 'docker://vmconform/guest-raw', format: 'raw' } }))).ok).toBe(true);
      expect(await qemuImgInfo(store.pvcPath('r')!)).toMatchObject({ backingFormat: 'raw' });
      const refusals = await Promise.all([
        store.provision(provision({ pvc: 'a', source: { kind: 'image', image: 'nope/x', format: 'qcow2' } })),
        store.provision(provision({ pvc: 'b', source: { kind: 'image', image: 'vmconform/guest-kernel', format: 'kernel' } })),
        store.provision(provision({ pvc: 'c', sizeBytes: 1 * MiB, source: { kind: 'image', image: GOLDEN, format: 'qcow2' } })),
      ]);
      expect(refusals).toEqual([
        { ok: false, message: 'PVC a: image nope/x is not in the catalogue' },
        { ok: false, message: 'PVC b: image vmconform/guest-kernel is a kernel image, not a disk' },
        { ok: false, message: `PVC c: size ${MiB} is smaller than image ${GOLDEN} (${BOOT_DISK_BYTES} bytes)` },
      ]);
      expect(existsSync(join(dir, 'state/shared/pvc/c.qcow2'))).toBe(false);
    });

    it('clone: overlay whose backing file is the source PVC, reading the golden content; writes stay in the clone', async () => {
      await store.provision(provision({ pvc: 'golden', sizeBytes: BOOT_DISK_BYTES, source: { kind: 'image', image: GOLDEN, format: 'qcow2' } }));
      const r = await store.provision(provision({ pvc: 'vm-root', storage: 'local', node: 'node02', sizeBytes: 80 * MiB, source: { kind: 'clone', fromPvc: 'golden' } }));
      expect(r).toEqual({ ok: true, path: join(dir, 'state/nodes/node02/pvc/vm-root.qcow2') });
      const clone = store.pvcPath('vm-root')!;
      expect(await qemuImgInfo(clone)).toMatchObject({ virtualSize: 80 * MiB, backingFile: store.pvcPath('golden') });
      expect(await qemuIo(clone, 'qcow2', `read -P ${GOLDEN_PATTERN} 0 4k`, true)).toBe(true);
      expect(await qemuIo(clone, 'qcow2', 'write -P 0x22 0 4k')).toBe(true);
      expect(await qemuIo(store.pvcPath('golden')!, 'qcow2', `read -P ${GOLDEN_PATTERN} 0 4k`, true)).toBe(true);
    });

    // KubeVirt pkg/ephemeral-disk/ephemeral-disk.go CreateBackedImageForVolume: a qcow2 overlay backed by the PVC
    it('ephemeral: a per-VMI overlay backed by the PVC, reading its content; writes stay in the overlay', async () => {
      await store.provision(provision({ pvc: 'golden', sizeBytes: BOOT_DISK_BYTES, source: { kind: 'image', image: GOLDEN, format: 'qcow2' } }));
      const vmiDir = join(dir, 'vmi-eph');
      const [eph] = await store.prepare(spec([disk('e', { kind: 'ephemeral', claim: 'golden', storage: 'shared', node: null, sizeBytes: BOOT_DISK_BYTES })]), vmiDir);
      expect(eph).toMatchObject({ file: join(vmiDir, 'eph-e.qcow2'), format: 'qcow2', backing: { file: store.pvcPath('golden'), format: 'qcow2' } });
      expect(await qemuIo(eph!.file, 'qcow2', `read -P ${GOLDEN_PATTERN} 0 4k`, true)).toBe(true);
      expect(await qemuIo(eph!.file, 'qcow2', 'write -P 0x33 0 4k')).toBe(true);
      expect(await qemuIo(store.pvcPath('golden')!, 'qcow2', `read -P ${GOLDEN_PATTERN} 0 4k`, true)).toBe(true);
    });

    it('clone refusals: unknown source, smaller than the source; a second PVC of the same name', async () => {
      await store.provision(provision({ pvc: 'src', sizeBytes: 16 * MiB }));
      expect(await store.provision(provision({ pvc: 'x', source: { kind: 'clone', fromPvc: 'missing' } }))).toEqual({
        ok: false,
        message: 'PVC x: clone source PVC missing has no volume',
      });
      expect(await store.provision(provision({ pvc: 'y', sizeBytes: 8 * MiB, source: { kind: 'clone', fromPvc: 'src' } }))).toEqual({
        ok: false,
        message: `PVC y: size ${8 * MiB} is smaller than clone source PVC src (${16 * MiB} bytes)`,
      });
      expect(await store.provision(provision({ pvc: 'src' }))).toMatchObject({ ok: false, message: expect.stringMatching(/^PVC src: already provisioned/) });
    });

    it('remove: a source that backs a clone is hidden until its last clone goes; then both files are gone', async () => {
      await store.provision(provision({ pvc: 'golden', sizeBytes: BOOT_DISK_BYTES, source: { kind: 'image', image: GOLDEN, format: 'qcow2' } }));
      await store.provision(provision({ pvc: 'clone', sizeBytes: BOOT_DISK_BYTES, source: { kind: 'clone', fromPvc: 'golden' } }));
      const [golden, clone] = [store.pvcPath('golden')!, store.pvcPath('clone')!];
      await store.remove('golden');
      expect(store.pvcPath('golden')).toBeNull();
      expect(await qemuIo(clone, 'qcow2', `read -P ${GOLDEN_PATTERN} 0 4k`, true)).toBe(true);
      expect(await store.provision(provision({ pvc: 'golden' }))).toMatchObject({ ok: false, message: expect.stringMatching(/^PVC golden: the deleted volume of this name still backs a clone/) });
      await store.remove('clone');
      expect([existsSync(golden), existsSync(clone)]).toEqual([false, false]);
      await store.remove('clone'); // idempotent
      expect((await store.provision(provision({ pvc: 'golden' }))).ok).toBe(true);
    });
  });

  describe('prepare (per-VMI disks)', () => {
    it('containerDisk: per-VMI overlay on the read-only base; writes are lost with the VMI dir', async () => {
      const base = join(artefactDir, 'disk.qcow2');
      const before = await digest(base);
      const vmiDir = join(dir, 'vmi1');
      const s = spec([disk('root', { kind: 'containerDisk', image: GOLDEN, format: 'qcow2' }, { bootOrder: 1 })]);
      const [prepared] = await store.prepare(s, vmiDir);
      expect(prepared).toEqual({
        name: 'root',
        file: join(vmiDir, 'cd-root.qcow2'),
        format: 'qcow2',
        readonly: false,
        cdrom: false,
        backing: { file: base, format: 'qcow2' },
      });
      expect(await qemuImgInfo(prepared!.file)).toMatchObject({ virtualSize: BOOT_DISK_BYTES, backingFile: base });
      expect(await qemuIo(prepared!.file, 'qcow2', 'write -P 0x33 0 4k')).toBe(true);
      expect(await digest(base)).toBe(before);
      // prepare again for the same VMI reuses the overlay: the write survives.
      await store.prepare(s, vmiDir);
      expect(await qemuIo(prepared!.file, 'qcow2', 'read -P 0x33 0 4k', true)).toBe(true);
      // the VMI ends (its dir is removed): a new VMI sees the golden content again.
      await rm(vmiDir, { recursive: true });
      const [fresh] = await store.prepare(s, vmiDir);
      expect(await qemuIo(fresh!.file, 'qcow2', `read -P ${GOLDEN_PATTERN} 0 4k`, true)).toBe(true);
    });

    it('emptyDisk: a blank disk of the requested size in the VMI dir; pvc: the PVC file', async () => {
      await store.provision(provision({ pvc: 'data', storage: 'local', node: 'node01', sizeBytes: 16 * MiB }));
      const vmiDir = join(dir, 'vmi2');
      const prepared = await store.prepare(
        spec([
          disk('scratch', { kind: 'emptyDisk', sizeBytes: 4 * MiB }, { serial: 'S1' }),
          disk('data', { kind: 'pvc', claim: 'data', storage: 'local', node: 'node01', sizeBytes: 16 * MiB }, { readonly: true }),
        ]),
        vmiDir,
      );
      expect(prepared).toEqual([
        { name: 'scratch', file: join(vmiDir, 'empty-scratch.qcow2'), format: 'qcow2', readonly: false, cdrom: false },
        { name: 'data', file: store.pvcPath('data'), format: 'qcow2', readonly: true, cdrom: false },
      ]);
      expect((await qemuImgInfo(prepared[0]!.file)).virtualSize).toBe(4 * MiB);
    });

    // KubeVirt pkg/emptydisk/emptydisk.go CreateTemporaryDisks: the capacity aligned down to 1 MiB (AlignImageSizeTo1MiB);
    // an image that would be empty fails ("the size for volume … is too low")
    it('emptyDisk: the image size is aligned down to 1 MiB; below 1 MiB the disk cannot be prepared', async () => {
      const vmiDir = join(dir, 'vmi-align');
      const [odd] = await store.prepare(spec([disk('odd', { kind: 'emptyDisk', sizeBytes: 4 * MiB + 1000 })]), vmiDir);
      expect((await qemuImgInfo(odd!.file)).virtualSize).toBe(4 * MiB);
      await expect(store.prepare(spec([disk('tiny', { kind: 'emptyDisk', sizeBytes: 1000 })]), join(dir, 'vmi-tiny'))).rejects.toThrow('disk tiny: the size for volume tiny is too low');
    });

    it('configMap / cloud-init: an ISO with the label and files, built in the VMI dir', async () => {
      const vmiDir = join(dir, 'vmi4');
      const files = { 'meta-data': 'instance-id: vm1\n', 'user-data': '#cloud-config\n' };
      const [iso] = await store.prepare(spec([disk('cloudinit', { kind: 'configIso', label: 'cidata', files }, { cdrom: true, bus: 'sata' })]), vmiDir);
      expect(iso).toEqual({ name: 'cloudinit', file: join(vmiDir, 'config-cloudinit.iso'), format: 'raw', readonly: false, cdrom: true });
      const info = await execa('isoinfo', ['-d', '-i', iso!.file]);
      expect(info.stdout).toMatch(/^Volume id: cidata$/m);
      const userData = await execa('isoinfo', ['-R', '-i', iso!.file, '-x', '/user-data']);
      expect(userData.stdout).toBe('#cloud-config');
    });

    it('a missing PVC or image fails with an error naming the disk', async () => {
      const missingPvc = store.prepare(spec([disk('d1', { kind: 'pvc', claim: 'ghost', storage: 'shared', node: null, sizeBytes: MiB })]), join(dir, 'v3'));
      await expect(missingPvc).rejects.toThrow(PrepareError);
      await expect(missingPvc).rejects.toThrow(/^disk d1: PVC ghost has no volume at .*ghost\.qcow2$/);
      await expect(
        store.prepare(spec([disk('d2', { kind: 'containerDisk', image: 'quay.io/nope', format: 'qcow2' })]), join(dir, 'v3')),
      ).rejects.toThrow('disk d2: image quay.io/nope is not in the catalogue');
    });
  });
});
