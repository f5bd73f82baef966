/**
 * Public API of harness/cluster: the cluster core (KubeVirt's control plane
 * over a store of API objects), its rule tables, the API objects' status
 * types and the node protocol (agent.ts). Everything else in this folder is
 * internal.
 */
export { ClusterCore, DEFAULT_CLUSTER, type ClusterDefaults, type CoreOptions } from './ClusterCore.ts';
export type { StoreJson } from './store/Store.ts';
export { NAMESPACE } from './store/Store.ts';
export { copyJson } from './store/json.ts';
export {
  condition,
  FINAL,
  SELECTED_NODE,
  VFS_IN_USE,
  type ApiObject,
  type Condition,
  type ConditionStatus,
  type DvPhase,
  type MigrationPhase,
  type MigrationState,
  type OwnerReference,
  type PrintableStatus,
  type PvcPhase,
  type StateChangeRequest,
  type StoredMeta,
  type VmiInterfaceStatus,
  type VmimStatus,
  type VmiPhase,
  type VmiStatus,
  type VmStatus,
  type WorkloadStatus,
} from './store/objects.ts';
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
export { ChurnMap, ChurnSet } from './ChurnMap.ts';
export type * from './agent.ts';
export { emptyDiskImageBytes, emptyDiskTooSmall } from './agent.ts';
