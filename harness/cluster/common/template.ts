/**
 * The spec-derived part of a VMI (cluster defaults applied, cpu, memory,
 * NICs, claims, image check), built once per VMI spec and store
 * configVersion and cached in memory (a cache of a pure function of the
 * store: a restored store rebuilds it). Internal to the cluster core.
 */
import type { VirtualMachineInstanceSpec } from '../../api/index.ts';
import { findImage, parseQuantity, applyClusterDefaults } from '../../api/index.ts';
import type { CpuTopology, LaunchDisk } from '../agent.ts';
import type { Request } from '../scheduler.ts';
import type { Store } from '../store/Store.ts';
import type { Migratability, Nic, PodRequests, SyncBlocker } from '../store/records.ts';
import { clusterDefaults, clusterSpec } from './cluster.ts';
import { launcherPodRequests } from './podRequests.ts';

/** Bytes in a MiB. */
export const MiB = 1024 * 1024;

/** A NIC as the spec asks for it, before a MAC, IP or VF is given. */
export type SpecNic = Pick<Nic, 'name' | 'kind' | 'podBinding' | 'network' | 'model'>;

export interface VmiTemplate {
  /** Store configVersion it was built at. */
  version: number;
  spec: VirtualMachineInstanceSpec;
  cpu: number;
  memMiB: number;
  claims: string[];
  nics: SpecNic[];
  specMacs: (string | null)[];
  imageBlocker: SyncBlocker | null;
  /** No claims, DataVolumes, Multus or SR-IOV NICs: the hot path skips those checks. */
  simple: boolean;
  /** The launcher pod's requests (shared, read-only). */
  pod: PodRequests;
  /** The request of a simple VMI (shared, read-only). */
  request: Request;
}

/** Launch disks and LiveMigratable of a VMI spec, cached per configVersion (and VMI name, which cloud-init meta-data carries). */
export interface SpecCache {
  disks: LaunchDisk[] | null;
  disksFor: string | null;
  disksVersion: number;
  migratable: Migratability | null;
  migratableVersion: number;
}

/** Per store (a manifest's spec may be applied to several cores), per raw spec. */
const templates = new WeakMap<Store, WeakMap<VirtualMachineInstanceSpec, VmiTemplate>>();
const specCaches = new WeakMap<Store, WeakMap<VirtualMachineInstanceSpec, SpecCache>>();

/** The template of a raw (VM, replica set or standalone) VMI spec at the store's configVersion. */
export function template(s: Store, rawSpec: VirtualMachineInstanceSpec): VmiTemplate {
  let mine = templates.get(s);
  if (!mine) templates.set(s, (mine = new WeakMap()));
  const t = mine.get(rawSpec);
  if (t && t.version === s.counters.configVersion) return t;
  const fresh = build(s, rawSpec);
  mine.set(rawSpec, fresh);
  return fresh;
}

/** The derived-data cache of a VMI spec (a template's `spec`) in one store. */
export function specCache(s: Store, spec: VirtualMachineInstanceSpec): SpecCache {
  let mine = specCaches.get(s);
  if (!mine) specCaches.set(s, (mine = new WeakMap()));
  let c = mine.get(spec);
  if (!c) mine.set(spec, (c = { disks: null, disksFor: null, disksVersion: -1, migratable: null, migratableVersion: -1 }));
  return c;
}

function build(s: Store, rawSpec: VirtualMachineInstanceSpec): VmiTemplate {
  const defaults = clusterDefaults(s);
  const spec = applyClusterDefaults(rawSpec, clusterSpec(defaults));
  const cpuSpec = spec.domain.cpu;
  let cpu = (cpuSpec?.sockets ?? 1) * (cpuSpec?.cores ?? 1) * (cpuSpec?.threads ?? 1);
  if (!cpuSpec) {
    const req = spec.domain.resources?.requests?.cpu;
    if (req !== undefined) cpu = Math.max(1, Math.ceil(parseQuantity(req) ?? 1));
  }
  const memQ = spec.domain.memory?.guest ?? spec.domain.resources?.requests?.memory ?? spec.domain.resources?.limits?.memory;
  const memMiB = memQ === undefined ? 128 : Math.ceil((parseQuantity(memQ) ?? 0) / MiB);
  const { nics, specMacs } = resolveNics(spec, defaults.defaultNetworkInterface);
  const claims = claimsOf(spec);
  const simple = claims.length === 0 && nics.every((n) => n.network === null);
  const pod = launcherPodRequests(spec, defaults.cpuAllocationRatio);
  return {
    simple,
    pod,
    request: { ...pod, vfs: null, pinned: null },
    version: s.counters.configVersion,
    spec,
    cpu,
    memMiB,
    claims,
    nics,
    specMacs,
    imageBlocker: imageBlocker(spec),
  };
}

/** KubeVirt's interface model when the spec names none (pkg/virt-launcher/virtwrap/converter: virtio). */
const DEFAULT_NIC_MODEL = 'virtio';

/**
 * The guest CPU topology of a VMI spec with `vcpus` vCPUs, as KubeVirt's
 * getCPUTopology (pkg/virt-launcher/virtwrap/converter/converter.go): the
 * counts the spec gives (1 for the others); with none, the vCPU count (from
 * resources) as sockets.
 */
export function cpuTopology(spec: VirtualMachineInstanceSpec, vcpus: number): CpuTopology {
  const c = spec.domain.cpu;
  if (c && (c.sockets || c.cores || c.threads)) return { sockets: c.sockets || 1, cores: c.cores || 1, threads: c.threads || 1 };
  return { sockets: vcpus, cores: 1, threads: 1 };
}

/** The VMI's NICs from its spec (R-N1..R-N4); MACs are given per VMI. */
function resolveNics(spec: VirtualMachineInstanceSpec, podDefault: 'masquerade' | 'bridge'): { nics: SpecNic[]; specMacs: (string | null)[] } {
  let ifaces = spec.domain.devices.interfaces ?? [];
  let nets = spec.networks ?? [];
  if (ifaces.length === 0 && nets.length === 0 && spec.domain.devices.autoattachPodInterface !== false) {
    nets = [{ name: 'default', pod: {} }];
    ifaces = [{ name: 'default', [podDefault]: {} }];
  }
  const nics: SpecNic[] = [];
  const specMacs: (string | null)[] = [];
  for (const i of ifaces) {
    const net = nets.find((n) => n.name === i.name);
    const multus = net?.multus?.networkName ?? null;
    const kind: Nic['kind'] = i.sriov ? 'sriov' : multus ? 'bridge' : 'pod';
    nics.push({ name: i.name, kind, podBinding: kind === 'pod' ? (i.bridge ? 'bridge' : 'masquerade') : null, network: multus, model: i.model ?? DEFAULT_NIC_MODEL });
    specMacs.push(i.macAddress ?? null);
  }
  return { nics, specMacs };
}

/** Claim names behind a VMI spec's volumes. */
export function claimsOf(spec: VirtualMachineInstanceSpec): string[] {
  const out: string[] = [];
  for (const v of spec.volumes ?? []) {
    if (v.persistentVolumeClaim) out.push(v.persistentVolumeClaim.claimName);
    else if (v.dataVolume) out.push(v.dataVolume.name);
    else if (v.ephemeral) out.push(v.ephemeral.persistentVolumeClaim.claimName);
  }
  return out;
}

/** ErrImagePull for a containerDisk or kernelBoot image missing from the catalogue. */
function imageBlocker(spec: VirtualMachineInstanceSpec): SyncBlocker | null {
  const images = (spec.volumes ?? []).flatMap((v) => (v.containerDisk ? [v.containerDisk.image] : []));
  const kb = spec.domain.firmware?.kernelBoot;
  if (kb) images.push(kb.container.image);
  for (const image of images) {
    if (!findImage(image)) return { reason: 'ErrImagePull', message: `rpc error: code = NotFound desc = failed to pull image "${image}"` };
  }
  return null;
}
