/**
 * The cluster core's state: every object it tracks and every queue and
 * counter, in one plain record that the core's modules (harness/cluster/core)
 * read and change. Internal to the cluster core; ClusterCore re-exports the
 * object types for tests and the observation builder.
 *
 * The outbox (effects for the node agent) and the id counters live here too:
 * every module emits effects and draws uids the same way.
 */
import type {
  ConfigMap,
  DataVolumeSpec,
  EvictionStrategy,
  KubeObject,
  PersistentVolumeClaim,
  RunStrategy,
  Secret,
  VirtualMachine,
  VirtualMachineInstanceReplicaSet,
  VirtualMachineInstanceSpec,
  VirtualMachinePool,
} from '../../api/types.ts';
import type { Effect, LaunchDisk, LaunchSpec, VolumeSource } from '../agent.ts';
import type { ObservedCondition, ObservedMigrationState, VmiPhase } from '../../observe/types.ts';
import { makeRules, type RuleOverrides, type Rules } from '../rules.ts';
import type { DiskLookups } from '../launchDisks.ts';
import type { Ipv4Pool } from '../ipam.ts';
import type { NodeState, Request } from '../scheduler.ts';
import { ChurnMap, ChurnSet } from '../ChurnMap.ts';

/** Cluster defaults (SPEC §12), overridable by a ClusterConfig object. */
export interface ClusterDefaults {
  defaultNetworkInterface: 'masquerade' | 'bridge';
  evictionStrategy: EvictionStrategy;
  terminationGracePeriodSeconds: number;
  parallelMigrationsPerCluster: number;
  parallelOutboundMigrationsPerNode: number;
}

export const DEFAULT_CLUSTER: ClusterDefaults = {
  defaultNetworkInterface: 'masquerade',
  evictionStrategy: 'LiveMigrate',
  terminationGracePeriodSeconds: 30,
  parallelMigrationsPerCluster: 5,
  parallelOutboundMigrationsPerNode: 2,
};

export interface CoreOptions {
  rules?: RuleOverrides;
  cluster?: Partial<ClusterDefaults>;
  /** Offsets generated MACs and uids: same seed ⇒ same trace. */
  seed?: number;
}

/** Bytes in a MiB. Internal. */
export const MiB = 1024 * 1024;

/** Whether a VMI phase is final (Succeeded or Failed). Internal. */
export const FINAL = (p: VmiPhase): boolean => p === 'Succeeded' || p === 'Failed';

/** A start or stop request queued on a VM (status.stateChangeRequests). Internal. */
export type StateRequest = { action: 'Start'; paused: boolean } | { action: 'Stop'; uid: string };

/** The plain start request, shared (read-only). Internal. */
export const START: StateRequest = Object.freeze({ action: 'Start', paused: false });

/** A VirtualMachine as the VM controller tracks it. Internal. */
export interface VmState {
  name: string;
  obj: VirtualMachine;
  strategy: RunStrategy;
  /** status.runStrategy: null until a VMI was first created. */
  lastStrategy: RunStrategy | null;
  requests: StateRequest[];
  startFailures: number;
  backoff: boolean;
  /** deleteRecreate: create again once the old VMI is gone. */
  recreate: boolean;
  startPaused: boolean;
  deleting: boolean;
  /** Queued for the controller. */
  dirty: boolean;
  vmi: VmiState | null;
  /** Resolved VMI spec (instancetype applied), refreshed on apply. */
  spec: VirtualMachineInstanceSpec;
  tmpl: VmiTemplate | null;
  dvNames: string[];
}

/** A VMI network interface as placed on its node. Internal. */
export interface Nic {
  name: string;
  kind: 'pod' | 'bridge' | 'sriov';
  podBinding: 'masquerade' | 'bridge' | null;
  network: string | null;
  mac: string;
  macSource: 'spec' | 'generated';
  ipv4Cidr: string | null;
  vf: { resource: string; index: number } | null;
}

/** The parts of a VMI that follow from its spec and the cluster's objects, cached per VM. Internal. */
export interface VmiTemplate {
  /** Store version it was built at: any apply/delete of another kind or volume change makes it stale. */
  version: number;
  spec: VirtualMachineInstanceSpec;
  cpu: number;
  memMiB: number;
  claims: string[];
  nics: Omit<Nic, 'mac' | 'macSource' | 'ipv4Cidr' | 'vf'>[];
  specMacs: (string | null)[];
  imageBlocker: VmiState['sync'];
  disks: LaunchDisk[] | null;
  disksVersion: number;
  migratable: VmiState['migratable'] | null;
  migratableVersion: number;
  /** No claims, DataVolumes, Multus or SR-IOV NICs: the hot path skips those checks. */
  simple: boolean;
  /** The request of a simple VMI (shared, read-only). */
  request: Request;
}

/** A VirtualMachineInstance. Internal. */
export interface VmiState {
  name: string;
  uid: string;
  seq: number;
  owner: VmState | null;
  tmpl: VmiTemplate;
  spec: VirtualMachineInstanceSpec;
  cpu: number;
  memMiB: number;
  phase: VmiPhase;
  node: string | null;
  everRunning: boolean;
  launched: boolean;
  paused: boolean;
  /** Why QEMU paused it when not asked to (agent event `paused.reason`); unset = by the user. */
  pauseReason?: 'user' | 'ioError';
  agent: boolean;
  startPaused: boolean;
  /** Deleted from the API: removed once its launcher exited. */
  deleting: boolean;
  /** A shutdown was asked of the agent. */
  shuttingDown: boolean;
  grace: number;
  sync: { reason: string; message: string } | null;
  unschedulable: string | null;
  nics: Nic[];
  claims: string[];
  migratable: ObservedCondition & { message?: string };
  migration: ObservedMigrationState | null;
  activeMigration: MigrationState | null;
  launch: LaunchSpec | null;
  waitingVolumes: boolean;
}

/** A VirtualMachineInstanceMigration. Internal. */
export interface MigrationState {
  name: string;
  uid: string;
  vmiName: string;
  /** Null once final: a finished migration keeps no VMI alive (core/migrations.ts afterMigration). */
  vmi: VmiState | null;
  phase: 'Pending' | 'Running' | 'Succeeded' | 'Failed';
  source: string | null;
  target: string | null;
  targetNics: Nic[] | null;
  removeWhenFinal: boolean;
}

/** A PersistentVolumeClaim. Internal. */
export interface PvcState {
  name: string;
  obj: PersistentVolumeClaim;
  phase: 'Pending' | 'Bound' | 'Lost';
  node: string | null;
  storage: 'local' | 'shared' | null;
  wffc: boolean;
  sizeBytes: number;
  rwx: boolean;
  provisioning: boolean;
  source: VolumeSource;
  dv: string | null;
  deleting: boolean;
}

/** A DataVolume (standalone or from dataVolumeTemplates). Internal. */
export interface DvState {
  name: string;
  spec: DataVolumeSpec;
  phase: 'Pending' | 'ImportInProgress' | 'CloneInProgress' | 'Succeeded' | 'Failed';
  ownerVm: string | null;
}

/** A VirtualMachineInstanceReplicaSet and the VMIs it created (R-I3). Internal. */
/** spec.replicas, status.replicas and status.readyReplicas of a replica set or pool (R-I3, R-CLI). Public. */
export interface WorkloadStatus {
  desired: number;
  current: number;
  ready: number;
}

export interface ReplicaSetState {
  name: string;
  obj: VirtualMachineInstanceReplicaSet;
  /** Its VMIs, oldest first; ones removed from the API are pruned on reconcile. */
  owned: VmiState[];
  tmpl: VmiTemplate | null;
}

/** A VirtualMachinePool and its VMs by index (R-I3). Internal. */
export interface PoolState {
  name: string;
  obj: VirtualMachinePool;
  /** index → the VM it created under `<pool>-<index>`; VMs gone from the API are pruned on reconcile. */
  owned: Map<number, VmState>;
}

/** Everything the cluster core knows. Internal. */
export interface CoreState {
  readonly rules: Rules;
  readonly cluster: ClusterDefaults;
  readonly vms: Map<string, VmState>;
  readonly vmis: Map<string, VmiState>;
  readonly byUid: Map<string, VmiState>;
  readonly migrations: Map<string, MigrationState>;
  readonly pvcs: Map<string, PvcState>;
  readonly dvs: Map<string, DvState>;
  readonly nodes: Map<string, NodeState>;
  readonly nodeVmis: Map<string, Set<VmiState>>;
  /** Every other kind, by kind then name. */
  readonly store: Map<string, Map<string, KubeObject>>;
  /** The nodes in name order (the scheduler's tie-break). */
  sortedNodes: NodeState[];
  /** IPv4 pools of the NADs with an ipam range, by NAD name. */
  readonly pools: Map<string, Ipv4Pool>;
  /** Pending effects: the first outboxLen slots (the array is reused, never shrunk). */
  readonly outbox: (Effect | undefined)[];
  outboxLen: number;
  readonly seed: number;
  uidCounter: number;
  macCounter: number;
  vmiSeq: number;
  /** Per VMI name: the last number of a generated migration name. */
  readonly migrationCounters: Map<string, number>;
  readonly pendingMigrations: MigrationState[];
  runningMigrations: number;
  /** Running migrations per source node. */
  readonly outbound: Map<string, number>;
  /** VMIs that could not advance (blocked or unschedulable), retried when something changes. */
  readonly waiting: Set<VmiState>;
  /** VMs the controller must look at; `VmState.dirty` avoids duplicates. */
  readonly dirtyVms: (VmState | null)[];
  dirtyLen: number;
  reconciling: boolean;
  readonly diskLookups: DiskLookups;
  /** Bumped by every change of the objects VMI templates depend on. */
  version: number;
  /** Per VMI name: its finished migrations, oldest first (at most 5 kept). */
  readonly finishedMigrations: Map<string, MigrationState[]>;
  /** VirtualMachineInstanceReplicaSets by name (R-I3). */
  readonly replicaSets: Map<string, ReplicaSetState>;
  /** VirtualMachinePools by name (R-I3); `pools` above are IPv4 pools. */
  readonly vmPools: Map<string, PoolState>;
  /** Counter of generated (generateName) object names: same seed ⇒ same names. */
  generatedNames: number;
}

/** A fresh, empty cluster. Internal. */
export function createCoreState(opts: CoreOptions = {}): CoreState {
  const seed = opts.seed ?? 0;
  const store = new Map<string, Map<string, KubeObject>>();
  const pvcs = new Map<string, PvcState>();
  return {
    rules: makeRules(opts.rules),
    cluster: { ...DEFAULT_CLUSTER, ...opts.cluster },
    vms: new Map(),
    vmis: new ChurnMap(),
    byUid: new ChurnMap(),
    migrations: new ChurnMap(),
    pvcs,
    dvs: new Map(),
    nodes: new Map(),
    nodeVmis: new Map(),
    store,
    sortedNodes: [],
    pools: new Map(),
    outbox: [],
    outboxLen: 0,
    seed,
    uidCounter: 0,
    macCounter: (seed * 7919) & 0xffff,
    vmiSeq: 0,
    migrationCounters: new Map(),
    pendingMigrations: [],
    runningMigrations: 0,
    outbound: new Map(),
    waiting: vmiSet(),
    dirtyVms: [],
    dirtyLen: 0,
    reconciling: false,
    diskLookups: {
      pvc: (claim) => pvcs.get(claim),
      configMap: (name) => store.get('ConfigMap')?.get(name) as ConfigMap | undefined,
      secret: (name) => store.get('Secret')?.get(name) as Secret | undefined,
    },
    version: 0,
    finishedMigrations: new Map(),
    replicaSets: new Map(),
    vmPools: new Map(),
    generatedNames: 0,
  };
}

/** A set of VMIs that churns (node members, waiting VMIs): see ChurnMap.ts. Internal. */
export function vmiSet(): Set<VmiState> {
  return new ChurnSet<VmiState>();
}

/** Queues an effect for the node agent. Internal. */
export function emit(s: CoreState, e: Effect): void {
  s.outbox[s.outboxLen++] = e;
}

/** A new object uid, from the counter and the seed. Internal. */
export function newUid(s: CoreState, prefix: string): string {
  return `${prefix}-${s.seed}-${++s.uidCounter}`;
}


/** Runs `f` on every value in key order (deterministic controller order); true when any call returned true. Internal. */
export function eachByName<T>(m: ReadonlyMap<string, T>, f: (x: T) => boolean): boolean {
  let acted = false;
  for (const k of [...m.keys()].sort()) acted = f(m.get(k)!) || acted;
  return acted;
}
