/**
 * Which MigrationPolicy applies to a VMI's migration, and the migration
 * configuration that results (docs/spec.md R-M9; KubeVirt
 * pkg/virt-controller/watch/migration/migrationpolicy.go `matchPolicy`,
 * `countMatchingLabels`, `applyMigrationPolicySpec`; migration.go
 * `resolveMigrationConfig`). Pure. Internal to the cluster core.
 */
import type { MigrationPolicySelectors } from '../../api/index.ts';

/** What matching reads of a policy. */
export interface PolicyCandidate {
  name: string;
  selectors?: MigrationPolicySelectors;
}

/** Labels of a VMI or namespace; null as Go's nil map. */
export type Labels = Readonly<Record<string, string>> | null;

/** The label KubeVirt puts on a scheduled VMI (pkg/virt-controller/watch/vmi/lifecycle.go). */
export const NODE_NAME_LABEL = 'kubevirt.io/nodeName';
/** The label migration.go puts on a VMI when its migration is handed off, before the policy is matched. */
export const MIGRATION_TARGET_LABEL = 'kubevirt.io/migrationTargetNodeName';

/** A namespace's labels: the one the apiserver sets on every namespace (NamespaceDefaultLabelName). */
export const namespaceLabels = (name: string): Record<string, string> => ({ 'kubernetes.io/metadata.name': name });

interface Score {
  vmi: number;
  ns: number;
}

/** `migrationPolicyMatchScore.greaterThan`: more matching labels in total; on a tie, more of them on the VMI. */
const greater = (a: Score, b: Score): boolean => (a.vmi + a.ns === b.vmi + b.ns ? a.vmi > b.vmi : a.vmi + a.ns > b.vmi + b.ns);
const same = (a: Score, b: Score): boolean => a.vmi === b.vmi && a.ns === b.ns;

/** Every selector label present with its value: the count; else null (`countLabelsHelper`). */
function matched(selector: Readonly<Record<string, string>>, labels: Readonly<Record<string, string>>): number | null {
  let n = 0;
  for (const [k, v] of Object.entries(selector)) {
    if (labels[k] !== v) return null;
    n++;
  }
  return n;
}

/**
 * `countMatchingLabels`: null when the policy does not match. As in KubeVirt,
 * a policy without selectors never matches, and a selector is skipped (it
 * matches with no labels) when the VMI has no labels at all — the namespace
 * selector too, since KubeVirt tests the VMI's labels there.
 */
export function policyScore(p: PolicyCandidate, vmiLabels: Labels, nsLabels: Labels): Score | null {
  const sel = p.selectors;
  if (sel === undefined) return null;
  const score: Score = { vmi: 0, ns: 0 };
  if (vmiLabels === null) return score;
  if (sel.virtualMachineInstanceSelector !== undefined) {
    const n = matched(sel.virtualMachineInstanceSelector, vmiLabels);
    if (n === null) return null;
    score.vmi = n;
  }
  if (sel.namespaceSelector !== undefined) {
    const n = matched(sel.namespaceSelector, nsLabels ?? {});
    if (n === null) return null;
    score.ns = n;
  }
  return score;
}

/**
 * `matchPolicy`: the matching policy with the best score; among equals the
 * first name in lexicographic order; null when none matches.
 */
export function matchPolicy<P extends PolicyCandidate>(policies: Iterable<P>, vmiLabels: Labels, nsLabels: Labels): P | null {
  let best: Score = { vmi: 0, ns: 0 };
  let winners: P[] = [];
  for (const p of policies) {
    const score = policyScore(p, vmiLabels, nsLabels);
    if (score === null) continue;
    if (greater(score, best)) {
      best = score;
      winners = [p];
    } else if (same(score, best)) winners.push(p);
  }
  let chosen: P | null = null;
  for (const p of winners) if (chosen === null || p.name < chosen.name) chosen = p;
  return chosen;
}
