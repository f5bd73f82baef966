/**
 * Cluster-wide defaults (docs/spec.md §12) as the store keeps them: the defaults
 * below overridden by options and by applied ClusterConfig objects (whose
 * values stay after the object is deleted, as the harness always did).
 * Internal to the cluster core.
 */
import { parseQuantity, type ClusterConfig, type EvictionStrategy } from '../../api/index.ts';
import type { Store } from '../store/Store.ts';
import { DEFAULT_CPU_ALLOCATION_RATIO } from './podRequests.ts';

/** Cluster defaults (docs/spec.md §12), overridable by a ClusterConfig object. */
export interface ClusterDefaults {
  defaultNetworkInterface: 'masquerade' | 'bridge';
  evictionStrategy: EvictionStrategy;
  terminationGracePeriodSeconds: number;
  parallelMigrationsPerCluster: number;
  parallelOutboundMigrationsPerNode: number;
  /** KubeVirt `migrations.bandwidthPerMigration` in bytes per second; null: no cap. */
  bandwidthPerMigration: number | null;
  /** KubeVirt `developerConfiguration.cpuAllocationRatio`: a vCPU's share of a node cpu in the launcher pod's request (common/podRequests.ts). */
  cpuAllocationRatio: number;
}

export const DEFAULT_CLUSTER: ClusterDefaults = {
  defaultNetworkInterface: 'masquerade',
  evictionStrategy: 'LiveMigrate',
  terminationGracePeriodSeconds: 30,
  parallelMigrationsPerCluster: 5,
  parallelOutboundMigrationsPerNode: 2,
  bandwidthPerMigration: null,
  cpuAllocationRatio: DEFAULT_CPU_ALLOCATION_RATIO,
};

/** The cluster defaults in force. */
export function clusterDefaults(s: Store): ClusterDefaults {
  return s.books.cluster as ClusterDefaults;
}

/** Takes the fields a ClusterConfig sets. */
export function applyClusterConfig(s: Store, spec: ClusterConfig['spec']): void {
  const c = clusterDefaults(s);
  if (spec.defaultNetworkInterface) c.defaultNetworkInterface = spec.defaultNetworkInterface;
  if (spec.evictionStrategy) c.evictionStrategy = spec.evictionStrategy;
  if (spec.defaultTerminationGracePeriodSeconds !== undefined) c.terminationGracePeriodSeconds = spec.defaultTerminationGracePeriodSeconds;
  if (spec.parallelMigrationsPerCluster !== undefined) c.parallelMigrationsPerCluster = spec.parallelMigrationsPerCluster;
  if (spec.parallelOutboundMigrationsPerNode !== undefined) c.parallelOutboundMigrationsPerNode = spec.parallelOutboundMigrationsPerNode;
  const ratio = spec.configuration?.developerConfiguration?.cpuAllocationRatio;
  // pkg/virt-config GetCPUAllocationRatio: unset or not positive → the default
  if (ratio !== undefined) c.cpuAllocationRatio = ratio > 0 ? ratio : DEFAULT_CPU_ALLOCATION_RATIO;
  const bw = spec.configuration?.migrations?.bandwidthPerMigration;
  // "0" (KubeVirt's own default) means no cap.
  if (bw !== undefined) c.bandwidthPerMigration = (parseQuantity(bw) ?? 0) > 0 ? Math.floor(parseQuantity(bw)!) : null;
}

/** The cluster defaults in ClusterConfig form (for harness/api's defaulting). */
export function clusterSpec(c: ClusterDefaults): ClusterConfig['spec'] {
  return {
    defaultNetworkInterface: c.defaultNetworkInterface,
    evictionStrategy: c.evictionStrategy,
    defaultTerminationGracePeriodSeconds: c.terminationGracePeriodSeconds,
    parallelMigrationsPerCluster: c.parallelMigrationsPerCluster,
    parallelOutboundMigrationsPerNode: c.parallelOutboundMigrationsPerNode,
  };
}
