/**
 * MigrationPolicy (migrations.kubevirt.io/v1alpha1): per-VMI overrides of the
 * cluster's migration configuration, for the VMIs its selectors match
 * (docs/spec.md R-M9). Public.
 */
import { z } from 'zod';
import { head, quantity, stringMap, typed } from './common.ts';
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
 * negative. Internal.
 */
export function checkMigrationPolicy(p: MigrationPolicy): FieldIssue[] {
  const spec = p.spec as MigrationPolicy['spec'] & { completionTimeoutPerGiB?: number };
  const issues: FieldIssue[] = [];
  if (spec.completionTimeoutPerGiB !== undefined && spec.completionTimeoutPerGiB < 0) {
    issues.push({ path: 'spec.completionTimeoutPerGiB', message: 'must not be negative' });
  }
  if (spec.bandwidthPerMigration !== undefined && (parseQuantity(String(spec.bandwidthPerMigration)) ?? 0) < 0) {
    issues.push({ path: 'spec.bandwidthPerMigration', message: 'must not be negative' });
  }
  return issues;
}
