/**
 * Public API of harness/cluster: the cluster core (KubeVirt's control plane
 * as a pure state machine), its rule tables, the observation builder and the
 * Backend over (core, node agent). Everything else in this folder is internal.
 */
export { ClusterCore, DEFAULT_CLUSTER, type ClusterDefaults, type CoreOptions } from './ClusterCore.ts';
export { ClusterBackend, type ClusterBackendOptions } from './ClusterBackend.ts';
export { buildObservation } from './buildObservation.ts';
export {
  DEFAULT_RULES,
  RUN_STRATEGY_TABLE,
  PRINTABLE_STATUS_RULES,
  LIVE_MIGRATABLE_RULES,
  EXIT_PHASE,
  BACKOFF_STRATEGIES,
  makeRules,
  printableStatus,
  type Rules,
  type RuleOverrides,
  type Reaction,
  type Situation,
  type VmStatusFacts,
  type PrintableStatusRule,
  type LiveMigratableRule,
  type BehaviourRules,
} from './rules.ts';
export { ERR } from './messages.ts';
export type * from './agent.ts';
