/**
 * MigrationPolicy (migrations.kubevirt.io/v1alpha1): per-VMI overrides of the
 * cluster's migration configuration, for the VMIs its selectors match
 * (docs/spec.md R-M9). Public.
 */
import { z } from 'zod';
import { head, quantity, stringMap, typed } from './common.ts';
import { isFeatureGateEnabled, type FeatureGateConfig } from './featuregates.ts';
import type { FieldIssue } from './issues.ts';
import { parseQuantity } from './quantity.ts';
import type { MigrationPolicy } from './types.ts';

/** The simulated subset: the selectors and the bandwidth cap. */
export const migrationPolicySchema = typed<MigrationPolicy>()(
  z.strictObject({
    ...head('migrations.kubevirt.io/v1alpha1', 'MigrationPolicy'),
    spec: z.strictObject({
      selectors: z.strictObject({ namespaceSelector: stringMap.optional(), virtualMachineInstanceSelector: stringMap.optional() }),
      bandwidthPerMigration: quantity.optional(),
    }),
  }),
);

/**
 * MigrationPolicyAdmitter.Admit (migrationpolicy-admitter.go) for a new
 * policy: completionTimeoutPerGiB and bandwidthPerMigration must not be
 * negative; maxDowntimeMs and experimental.stallDetector need the
 * MigrationStallDetection gate (KubeVirt lets an update keep an unchanged
 * value; admission here judges every apply as a create). Internal.
 */
export function checkMigrationPolicy(p: MigrationPolicy, gates?: FeatureGateConfig): FieldIssue[] {
  const spec = p.spec as MigrationPolicy['spec'] & { completionTimeoutPerGiB?: number; maxDowntimeMs?: number; experimental?: { stallDetector?: unknown } };
  const issues: FieldIssue[] = [];
  if (spec.completionTimeoutPerGiB !== undefined && spec.completionTimeoutPerGiB < 0) {
    issues.push({ path: 'spec.completionTimeoutPerGiB', message: 'must not be negative' });
  }
  const stall = isFeatureGateEnabled('MigrationStallDetection', gates);
  if (spec.maxDowntimeMs !== undefined && !stall) {
    issues.push({ path: 'spec.maxDowntimeMs', message: 'maxDowntimeMs cannot be modified without enabling the MigrationStallDetection feature gate' });
  }
  if (spec.experimental?.stallDetector !== undefined && !stall) {
    issues.push({ path: 'spec.experimental.stallDetector', message: 'experimental.stallDetector cannot be modified without enabling the MigrationStallDetection feature gate' });
  }
  if (spec.bandwidthPerMigration !== undefined && (parseQuantity(String(spec.bandwidthPerMigration)) ?? 0) < 0) {
    issues.push({ path: 'spec.bandwidthPerMigration', message: 'must not be negative' });
  }
  return issues;
}
