/** ClusterConfig (vmconform.io/v1): the harness's cluster defaults (docs/spec.md §12). Public. */
import { z } from 'zod';
import { head, nonNegativeInt, nonNegativeQuantity, positiveInt, typed } from './common.ts';
import type { ClusterConfig } from './types.ts';

export const clusterConfigSchema = typed<ClusterConfig>()(
  z.strictObject({
    ...head('vmconform.io/v1', 'ClusterConfig'),
    spec: z.strictObject({
      defaultNetworkInterface: z.enum(['masquerade', 'bridge']).optional(),
      evictionStrategy: z.enum(['None', 'LiveMigrate', 'LiveMigrateIfPossible', 'External']).optional(),
      defaultTerminationGracePeriodSeconds: nonNegativeInt.optional(),
      parallelMigrationsPerCluster: positiveInt.optional(),
      parallelOutboundMigrationsPerNode: positiveInt.optional(),
      configuration: z
        .strictObject({
          developerConfiguration: z
            .strictObject({
              featureGates: z.array(z.string()).optional(),
              disabledFeatureGates: z.array(z.string()).optional(),
              // vCPUs per node cpu in a launcher pod's cpu request (KubeVirt default 10)
              cpuAllocationRatio: z.number().int().optional(),
            })
            .optional(),
          // The KubeVirt CR's spec.configuration.migrations: bytes per second per migration ("0" = no cap).
          migrations: z.strictObject({ bandwidthPerMigration: nonNegativeQuantity.optional() }).optional(),
        })
        .optional(),
    }),
  }),
);

/** The defaults of docs/spec.md §12, used when no ClusterConfig is applied. Public. */
export const DEFAULT_CLUSTER_CONFIG: Required<ClusterConfig['spec']> = {
  defaultNetworkInterface: 'masquerade',
  evictionStrategy: 'LiveMigrate',
  defaultTerminationGracePeriodSeconds: 30,
  parallelMigrationsPerCluster: 5,
  parallelOutboundMigrationsPerNode: 2,
  // A fresh KubeVirt: no gate enabled beyond the defaults (featuregates.ts).
  configuration: { developerConfiguration: { featureGates: [], disabledFeatureGates: [] } },
};
