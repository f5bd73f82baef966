/**
 * The spec-derived part of a VMI (cluster defaults applied, cpu, memory,
 * NICs, claims, image check), built once per VM spec and store version.
 * Internal to the cluster core.
 */
import type { VirtualMachineInstanceSpec, ClusterConfig } from '../../api/types.ts';
import { findImage } from '../../api/images.ts';
import { parseQuantity } from '../../api/quantity.ts';
import { applyClusterDefaults } from '../../api/index.ts';
import { MiB, type CoreState, type VmiState, type VmiTemplate } from './CoreState.ts';
import { resolveNics } from './networking.ts';
import { claimsOf } from './storage.ts';

/** Builds the cached, spec-derived part of a VMI. */
export function template(s: CoreState, rawSpec: VirtualMachineInstanceSpec): VmiTemplate {
  const spec = applyClusterDefaults(rawSpec, clusterSpec(s));
  const cpuSpec = spec.domain.cpu;
  let cpu = (cpuSpec?.sockets ?? 1) * (cpuSpec?.cores ?? 1) * (cpuSpec?.threads ?? 1);
  if (!cpuSpec) {
    const req = spec.domain.resources?.requests?.cpu;
    if (req !== undefined) cpu = Math.max(1, Math.ceil(parseQuantity(req) ?? 1));
  }
  const memQ = spec.domain.memory?.guest ?? spec.domain.resources?.requests?.memory ?? spec.domain.resources?.limits?.memory;
  const memMiB = memQ === undefined ? 128 : Math.ceil((parseQuantity(memQ) ?? 0) / MiB);
  const nics = resolveNics(s, spec);
  const claims = claimsOf(spec);
  const simple = claims.length === 0 && nics.every((n) => n.network === null);
  return {
    simple,
    request: { cpu, memMiB, vfs: null, pinned: null },
    version: s.version,
    spec,
    cpu,
    memMiB,
    claims,
    nics: nics.map((n) => ({ name: n.name, kind: n.kind, podBinding: n.podBinding, network: n.network })),
    specMacs: nics.map((n) => n.specMac),
    imageBlocker: imageBlocker(spec),
    disks: null,
    disksVersion: -1,
    migratable: null,
    migratableVersion: -1,
  };
}

/** ErrImagePull for a containerDisk or kernelBoot image missing from the catalogue. */
export function imageBlocker(spec: VirtualMachineInstanceSpec): VmiState['sync'] {
  const images = (spec.volumes ?? []).flatMap((v) => (v.containerDisk ? [v.containerDisk.image] : []));
  const kb = spec.domain.firmware?.kernelBoot;
  if (kb) images.push(kb.container.image);
  for (const image of images) {
    if (!findImage(image)) return { reason: 'ErrImagePull', message: `rpc error: code = NotFound desc = failed to pull image "${image}"` };
  }
  return null;
}

/** The cluster defaults in ClusterConfig form (for harness/api's defaulting). */
function clusterSpec(s: CoreState): ClusterConfig['spec'] {
  const c = s.cluster;
  return {
    defaultNetworkInterface: c.defaultNetworkInterface,
    evictionStrategy: c.evictionStrategy,
    defaultTerminationGracePeriodSeconds: c.terminationGracePeriodSeconds,
    parallelMigrationsPerCluster: c.parallelMigrationsPerCluster,
    parallelOutboundMigrationsPerNode: c.parallelOutboundMigrationsPerNode,
  };
}
