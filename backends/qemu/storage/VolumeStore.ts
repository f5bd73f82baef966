/**
 * The volumes of a qemu cluster: PersistentVolumeClaims provisioned as image
 * files, and the per-VMI disks prepared at launch. Public (internal to the
 * qemu backend: the node agent performs provisionVolume / deleteVolume with
 * it and the launcher calls prepare before building the command line).
 *
 * StorageClasses (two provisioners):
 * - node-local (RWO, binds on first consumer): `<stateDir>/nodes/<node>/pvc/<name>.qcow2`;
 * - shared (RWX): `<stateDir>/shared/pvc/<name>.qcow2`; during a migration
 *   both QEMUs open the same file, so nothing is copied.
 *
 * Every PVC is a qcow2 file whose virtual size is the PVC size (blank: a new
 * qcow2; image: a copy-free overlay on the read-only catalogue artefact;
 * clone: an overlay whose backing file is the source PVC's file). qcow2 rather
 * than sparse raw so that all three kinds share one format and the guest sees
 * exactly the requested size. A PVC that still backs a clone is hidden on
 * deletion and its file kept until the last clone over it is deleted.
 *
 * Per-VMI disks (prepare): containerDisk = a qcow2 overlay in the VMI dir on
 * the read-only catalogue artefact (writes die with the VMI dir); emptyDisk =
 * a blank qcow2 in the VMI dir; configMap/secret/cloud-init = an ISO built in
 * the VMI dir; pvc = the PVC's file. prepare is idempotent per VMI dir:
 * an existing overlay or blank disk is reused, never re-created.
 */
import { access, mkdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { createHash } from 'node:crypto';
import { emptyDiskImageBytes, emptyDiskTooSmall, type Effect, type LaunchDisk, type LaunchSpec } from '../../../harness/cluster/index.ts';
import { findImage, type CatalogueImage } from '../../../harness/api/index.ts';
import { buildConfigIso, type GuestArtefacts } from '../../../guest/artefacts.ts';
import type { PreparedDisk } from './PreparedDisk.ts';
import { qemuImgCreate, qemuImgInfo, type ImgFormat } from './qemuImg.ts';
import { VOLUME_MS } from '../budgets.ts';

/** What VolumeStore reads of `guestArtefacts()`: the directory holding the catalogue's artefacts. Public. */
export type ArtefactDir = Pick<GuestArtefacts, 'dir'>;

export type { PreparedDisk } from './PreparedDisk.ts';

/** The provisionVolume effect. Public. */
export type ProvisionVolume = Extract<Effect, { type: 'provisionVolume' }>;

/** Outcome of provision: maps to the volumeReady / volumeFailed agent events. Public. */
export type ProvisionResult = { ok: true; path: string } | { ok: false; message: string };

/** A per-disk failure of prepare (missing PVC, unknown image, qemu-img error). Public. */
export class PrepareError extends Error {
  constructor(
    readonly disk: string,
    message: string,
  ) {
    super(`disk ${disk}: ${message}`);
    this.name = 'PrepareError';
  }
}

export interface VolumeStoreOptions {
  stateDir: string;
  /** The guest pipeline's artefacts (guest `guestArtefacts()`). */
  artefacts: ArtefactDir;
  /** Budget of one qemu-img / ISO build run. */
  timeoutMs?: number;
}

interface Volume {
  path: string;
  /** PVC whose file backs this one (clone), or null. */
  backingPvc: string | null;
  /** Deleted from the API but kept because a clone still reads through it. */
  hidden: boolean;
}

/** Catalogue format → format of the artefact file as QEMU opens it. */
const ARTEFACT_FORMAT: Record<CatalogueImage['format'], ImgFormat | null> = {
  qcow2: 'qcow2',
  raw: 'raw',
  iso: 'raw',
  kernel: null,
};

/** A file-name-safe form of a spec name (DNS labels pass unchanged). */
function fileKey(name: string): string {
  if (/^[A-Za-z0-9][A-Za-z0-9._-]{0,62}$/.test(name)) return name;
  return `x-${createHash('sha256').update(name).digest('hex').slice(0, 16)}`;
}

const message = (e: unknown): string => (e instanceof Error ? e.message : String(e));
const exists = (path: string): Promise<boolean> =>
  access(path).then(
    () => true,
    () => false,
  );

/** PVC files and per-VMI disks of one state dir. Public. */
export class VolumeStore {
  private readonly stateDir: string;
  private readonly artefacts: ArtefactDir;
  private readonly timeoutMs: number;
  private readonly volumes = new Map<string, Volume>();
  /** PVCs whose provisioning is under way: a second effect for one of them is refused, not raced. */
  private readonly provisioning = new Set<string>();

  constructor(options: VolumeStoreOptions) {
    this.stateDir = options.stateDir;
    this.artefacts = options.artefacts;
    this.timeoutMs = options.timeoutMs ?? VOLUME_MS;
  }

  /** Where a PVC's file lives for its storage class. */
  private locate(pvc: string, storage: 'local' | 'shared', node: string | null): string | { error: string } {
    if (storage === 'shared') return join(this.stateDir, 'shared', 'pvc', `${fileKey(pvc)}.qcow2`);
    if (!node) return { error: 'a node-local volume needs the node of its first consumer' };
    return join(this.stateDir, 'nodes', fileKey(node), 'pvc', `${fileKey(pvc)}.qcow2`);
  }

  /** Read-only catalogue artefact of an image reference, or an error message. */
  private artefact(ref: string): { file: string; format: ImgFormat; image: CatalogueImage } | { error: string } {
    const image = findImage(ref);
    if (!image) return { error: `image ${ref} is not in the catalogue` };
    const format = ARTEFACT_FORMAT[image.format];
    if (!format) return { error: `image ${ref} is a ${image.format} image, not a disk` };
    return { file: join(this.artefacts.dir, image.artefact), format, image };
  }

  /** Performs a provisionVolume effect. Never throws: failures come back as values. */
  async provision(e: ProvisionVolume): Promise<ProvisionResult> {
    if (this.provisioning.has(e.pvc)) return { ok: false, message: `PVC ${e.pvc}: already being provisioned` };
    this.provisioning.add(e.pvc);
    try {
      return await this.create(e);
    } finally {
      this.provisioning.delete(e.pvc);
    }
  }

  private async create(e: ProvisionVolume): Promise<ProvisionResult> {
    const fail = (why: string): ProvisionResult => ({ ok: false, message: `PVC ${e.pvc}: ${why}` });
    const path = this.locate(e.pvc, e.storage, e.node);
    if (typeof path !== 'string') return fail(path.error);
    const known = this.volumes.get(e.pvc);
    if (known && !known.hidden) return fail(`already provisioned at ${known.path}`);
    if (known?.hidden) return fail(`the deleted volume of this name still backs a clone, its file ${path} stays until the clone is deleted`);
    if (await exists(path)) return fail(`${path} already exists`);
    if (!Number.isSafeInteger(e.sizeBytes) || e.sizeBytes <= 0) return fail(`size ${e.sizeBytes} is not a positive byte count`);

    let backing: { file: string; format: ImgFormat } | undefined;
    let backingPvc: string | null = null;
    if (e.source.kind === 'image') {
      const a = this.artefact(e.source.image);
      if ('error' in a) return fail(a.error);
      if (a.image.sizeBytes > e.sizeBytes) return fail(`size ${e.sizeBytes} is smaller than image ${e.source.image} (${a.image.sizeBytes} bytes)`);
      backing = { file: a.file, format: a.format };
    } else if (e.source.kind === 'clone') {
      const src = this.volumes.get(e.source.fromPvc);
      if (!src || src.hidden) return fail(`clone source PVC ${e.source.fromPvc} has no volume`);
      const srcSize = await qemuImgInfo(src.path, this.timeoutMs).then((i) => i.virtualSize, (err: unknown) => err);
      if (typeof srcSize !== 'number') return fail(`clone source PVC ${e.source.fromPvc}: ${message(srcSize)}`);
      if (srcSize > e.sizeBytes) return fail(`size ${e.sizeBytes} is smaller than clone source PVC ${e.source.fromPvc} (${srcSize} bytes)`);
      backing = { file: src.path, format: 'qcow2' };
      backingPvc = e.source.fromPvc;
    }
    try {
      await mkdir(join(path, '..'), { recursive: true, mode: 0o700 });
      await qemuImgCreate(path, { format: 'qcow2', sizeBytes: e.sizeBytes, backing, timeoutMs: this.timeoutMs });
    } catch (err) {
      return fail(message(err));
    }
    this.volumes.set(e.pvc, { path, backingPvc, hidden: false });
    return { ok: true, path };
  }

  /** Path of a provisioned PVC's file, or null when there is none. */
  pvcPath(claim: string): string | null {
    const v = this.volumes.get(claim);
    return v && !v.hidden ? v.path : null;
  }

  /**
   * Deletes a PVC's file (deleteVolume). Idempotent. A volume that backs a
   * live clone is only hidden; its file goes with the last clone over it.
   */
  async remove(pvc: string): Promise<void> {
    const v = this.volumes.get(pvc);
    if (!v) return;
    v.hidden = true;
    const backsOthers = [...this.volumes.values()].some((o) => o.backingPvc === pvc);
    if (backsOthers) return;
    await rm(v.path, { force: true });
    this.volumes.delete(pvc);
    if (v.backingPvc && this.volumes.get(v.backingPvc)?.hidden) await this.remove(v.backingPvc);
  }

  /**
   * Resolves every disk of a launch to a file, creating per-VMI overlays,
   * blank disks and ISOs in `vmiDir` (created 0700 if missing). Rejects with
   * a PrepareError naming the disk when one cannot be prepared.
   */
  async prepare(spec: LaunchSpec, vmiDir: string): Promise<PreparedDisk[]> {
    await mkdir(vmiDir, { recursive: true, mode: 0o700 });
    const out: PreparedDisk[] = [];
    for (const disk of spec.disks) {
      try {
        out.push(await this.prepareDisk(disk, vmiDir));
      } catch (err) {
        throw err instanceof PrepareError ? err : new PrepareError(disk.name, message(err));
      }
    }
    return out;
  }

  private async prepareDisk(disk: LaunchDisk, vmiDir: string): Promise<PreparedDisk> {
    const base = { name: disk.name, readonly: disk.readonly, cdrom: disk.cdrom };
    const src = disk.source;
    const key = fileKey(disk.name);
    switch (src.kind) {
      case 'containerDisk': {
        const a = this.artefact(src.image);
        if ('error' in a) throw new PrepareError(disk.name, a.error);
        const file = join(vmiDir, `cd-${key}.qcow2`);
        const backing = { file: a.file, format: a.format };
        if (!(await exists(file))) await qemuImgCreate(file, { format: 'qcow2', backing, timeoutMs: this.timeoutMs });
        return { ...base, file, format: 'qcow2', backing };
      }
      case 'emptyDisk': {
        const file = join(vmiDir, `empty-${key}.qcow2`);
        const sizeBytes = emptyDiskImageBytes(src.sizeBytes); // aligned down to 1 MiB, as KubeVirt creates it
        if (sizeBytes === 0) throw new PrepareError(disk.name, emptyDiskTooSmall(disk.name));
        if (!(await exists(file))) await qemuImgCreate(file, { format: 'qcow2', sizeBytes, timeoutMs: this.timeoutMs });
        return { ...base, file, format: 'qcow2' };
      }
      case 'configIso': {
        const file = join(vmiDir, `config-${key}.iso`);
        await buildConfigIso({ label: src.label, files: src.files, out: file, timeoutMs: this.timeoutMs });
        return { ...base, file, format: 'raw' };
      }
      case 'pvc':
      case 'ephemeral': {
        const located = this.locate(src.claim, src.storage, src.node);
        const pvcFile = this.pvcPath(src.claim) ?? (typeof located === 'string' ? located : null);
        if (!pvcFile || !(await exists(pvcFile))) throw new PrepareError(disk.name, `PVC ${src.claim} has no volume${pvcFile ? ` at ${pvcFile}` : ''}`);
        if (src.kind === 'pvc') return { ...base, file: pvcFile, format: 'qcow2' };
        // ephemeral (pkg/ephemeral-disk/ephemeral-disk.go): a per-VMI overlay, the PVC read-only below it
        const file = join(vmiDir, `eph-${key}.qcow2`);
        const backing = { file: pvcFile, format: 'qcow2' as const };
        if (!(await exists(file))) await qemuImgCreate(file, { format: 'qcow2', backing, timeoutMs: this.timeoutMs });
        return { ...base, file, format: 'qcow2', backing };
      }
    }
  }
}
