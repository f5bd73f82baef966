/**
 * Label selectors of the workload kinds (ReplicaSet, pool): the schema
 * (`matchLabels` only) and KubeVirt's admission check that the selector
 * matches the template's labels. Internal to harness/api.
 */
import { z } from 'zod';
import { stringMap, typed } from './common.ts';
import type { FieldIssue } from './issues.ts';
import type { LabelSelector } from './types.ts';

export const labelSelectorSchema = typed<LabelSelector>()(z.strictObject({ matchLabels: stringMap.optional() }));

/** True when every matchLabels pair is among `labels` (an empty selector matches all). Internal. */
export function selectorMatches(selector: LabelSelector, labels: Readonly<Record<string, string>> | undefined): boolean {
  for (const [k, v] of Object.entries(selector.matchLabels ?? {})) if (labels?.[k] !== v) return false;
  return true;
}

/**
 * [KV] replicaset-admitter.go / pool-admitter.go: `selector does not match
 * labels.` at spec.selector when the template's labels miss a pair. Internal.
 */
export function checkSelector(selector: LabelSelector, labels: Record<string, string> | undefined): FieldIssue[] {
  return selectorMatches(selector, labels) ? [] : [{ path: 'spec.selector', message: 'selector does not match labels.' }];
}
