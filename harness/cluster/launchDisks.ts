/**
 * The disks of a launch spec from a VMI spec (docs/spec.md R-S1..R-S6): a pure
 * function of the spec and the objects it refers to. Internal to the
 * cluster core (public for its tests).
 */
import type { ConfigMap, Secret, VirtualMachineInstanceSpec, Volume } from '../api/index.ts';
import { findImage, parseQuantity } from '../api/index.ts';
import type { LaunchDisk } from './agent.ts';
import { NAMESPACE } from './store/Store.ts';
import { createHash } from 'node:crypto';

/** Where the referenced objects come from. */
export interface DiskLookups {
  pvc(claim: string): { storage: 'local' | 'shared' | null; node: string | null; sizeBytes: number } | undefined;
  configMap(name: string): ConfigMap | undefined;
  secret(name: string): Secret | undefined;
}

/** The VMI's identity as cloud-init meta-data carries it. */
export interface Identity {
  name: string;
  hostname: string;
  /** spec.domain.firmware.uuid, when given. */
  firmwareUuid?: string;
}

/** KubeVirt's namespace for firmware UUIDs (pkg/virt-controller/watch/vm/firmware.go `magicUUID`). */
const FIRMWARE_UUID_NS = Buffer.from('6a1a24a1406146078bf4a3963d0c5895', 'hex');

/**
 * The firmware UUID KubeVirt gives a VM without one: a name-based (SHA-1,
 * version 5) UUID of its name (firmware.go `CalculateLegacyUUID`). The
 * harness gives a standalone VMI the same, where KubeVirt draws a random one.
 */
export function firmwareUuid(name: string): string {
  let u = uuids.get(name);
  if (u !== undefined) return u;
  const b = createHash('sha1').update(FIRMWARE_UUID_NS).update(name).digest().subarray(0, 16);
  b[6] = (b[6]! & 0x0f) | 0x50;
  b[8] = (b[8]! & 0x3f) | 0x80;
  const h = b.toString('hex');
  u = `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
  if (uuids.size >= UUIDS_KEPT) uuids.clear();
  uuids.set(name, u);
  return u;
}

/** UUIDs already hashed, by name: generated sequences reuse a few VM names, and a SHA-1 costs more than the rest of a launch's disks. */
const uuids = new Map<string, string>();
const UUIDS_KEPT = 1024;

/**
 * One LaunchDisk per spec disk with a volume, in spec order. Config volumes
 * become read-only ISOs (cidata / config-2 / cfgdata labels, R-S5); cdroms
 * are read-only unless `readonly: false`; the bus defaults to virtio (sata
 * for cdroms); serial and bootOrder are kept as given (R-S6). Callers only
 * pass specs whose images and claims admission and scheduling checked.
 */
export function launchDisks(spec: VirtualMachineInstanceSpec, id: Identity, lookups: DiskLookups): LaunchDisk[] {
  const volumes = new Map((spec.volumes ?? []).map((v) => [v.name, v]));
  const disks: LaunchDisk[] = [];
  for (const d of spec.domain.devices.disks ?? []) {
    const v = volumes.get(d.name);
    if (!v) continue;
    let source: LaunchDisk['source'];
    let readonly = false;
    if (v.containerDisk) {
      const img = findImage(v.containerDisk.image)!;
      source = { kind: 'containerDisk', image: img.ref, format: img.format };
    } else if (v.persistentVolumeClaim || v.dataVolume) {
      const claim = v.persistentVolumeClaim?.claimName ?? v.dataVolume!.name;
      const p = lookups.pvc(claim)!;
      source = { kind: 'pvc', claim, storage: p.storage ?? 'shared', node: p.node, sizeBytes: p.sizeBytes };
      readonly = v.persistentVolumeClaim?.readOnly ?? false;
    } else if (v.ephemeral) {
      // pkg/ephemeral-disk/ephemeral-disk.go CreateBackedImageForVolume: a qcow2 overlay backed by the PVC
      const claim = v.ephemeral.persistentVolumeClaim.claimName;
      const p = lookups.pvc(claim)!;
      source = { kind: 'ephemeral', claim, storage: p.storage ?? 'shared', node: p.node, sizeBytes: p.sizeBytes };
    } else if (v.emptyDisk) {
      source = { kind: 'emptyDisk', sizeBytes: parseQuantity(v.emptyDisk.capacity) ?? 0 };
    } else {
      source = configIso(v, id, lookups);
      readonly = true;
    }
    const cdrom = d.cdrom !== undefined;
    if (cdrom && d.cdrom!.readonly !== false) readonly = true;
    disks.push({
      name: d.name,
      serial: d.serial ?? null,
      bus: d.disk?.bus ?? d.cdrom?.bus ?? d.lun?.bus ?? (cdrom ? 'sata' : 'virtio'),
      cdrom,
      readonly,
      bootOrder: d.bootOrder ?? null,
      source,
    });
  }
  return disks;
}

const decode = (b64: string): string => Buffer.from(b64, 'base64').toString('utf8');

/** The ISO of a config volume, regenerated at every VMI start (R-S5). */
function configIso(v: Volume, id: Identity, lookups: DiskLookups): LaunchDisk['source'] {
  const ci = v.cloudInitNoCloud ?? v.cloudInitConfigDrive;
  if (ci) {
    const userData = ci.userData ?? (ci.userDataBase64 !== undefined ? decode(ci.userDataBase64) : '');
    // pkg/cloud-init/cloud-init.go readCloudInitNoCloudMetaData / readCloudInitConfigDriveMetaData: NoCloud's
    // instance-id is the firmware UUID; ConfigDrive's instance_id is <name>.<namespace>, its uuid the firmware UUID
    const uuid = id.firmwareUuid ?? firmwareUuid(id.name);
    if (v.cloudInitNoCloud) {
      const files: Record<string, string> = {
        'user-data': userData,
        'meta-data': `instance-id: ${uuid}\nlocal-hostname: ${id.hostname}\n`,
      };
      if (ci.networkData !== undefined) files['network-config'] = ci.networkData;
      return { kind: 'configIso', label: 'cidata', files };
    }
    const files: Record<string, string> = {
      'openstack/latest/user_data': userData,
      'openstack/latest/meta_data.json': JSON.stringify({ instance_id: `${id.name}.${NAMESPACE}`, uuid, hostname: id.hostname }),
    };
    if (ci.networkData !== undefined) files['openstack/latest/network_data.json'] = ci.networkData;
    return { kind: 'configIso', label: 'config-2', files };
  }
  if (v.configMap) {
    const cm = lookups.configMap(v.configMap.name);
    return { kind: 'configIso', label: v.configMap.volumeLabel ?? 'cfgdata', files: { ...cm?.data } };
  }
  if (v.secret) {
    const s = lookups.secret(v.secret.secretName);
    const files: Record<string, string> = {};
    for (const [k, val] of Object.entries(s?.data ?? {})) files[k] = decode(val);
    Object.assign(files, s?.stringData);
    return { kind: 'configIso', label: v.secret.volumeLabel ?? 'cfgdata', files };
  }
  if (v.serviceAccount) return { kind: 'configIso', label: 'cfgdata', files: serviceAccountFiles(v.serviceAccount.serviceAccountName ?? '') };
  return { kind: 'configIso', label: 'cfgdata', files: {} };
}

const base64url = (o: object): string => Buffer.from(JSON.stringify(o)).toString('base64url');

/**
 * What the launcher pod's /var/run/secrets/kubernetes.io/serviceaccount holds,
 * which pkg/config/service-account.go `CreateServiceAccountDisk` copies into
 * the ISO (label empty, so xorrisofs' `cfgdata`): `token`, `namespace` and
 * `ca.crt`. The harness has no token issuer and no cluster CA: the token is
 * an unsigned JWT naming the account, the same for every start, and ca.crt
 * is empty (docs/harness-choices.md §4).
 */
export function serviceAccountFiles(name: string): Record<string, string> {
  const claims = {
    iss: 'kubernetes/serviceaccount',
    'kubernetes.io/serviceaccount/namespace': NAMESPACE,
    'kubernetes.io/serviceaccount/service-account.name': name,
    sub: `system:serviceaccount:${NAMESPACE}:${name}`,
  };
  return { 'ca.crt': '', namespace: NAMESPACE, token: `${base64url({ alg: 'none', typ: 'JWT' })}.${base64url(claims)}.` };
}
