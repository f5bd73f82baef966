/**
 * The rules of the cluster core as data (docs/spec.md §2, §4, §6, §7). Public:
 * the core reads every decision below from a `Rules` object, so the engine's
 * tests can build deviant models (e.g. RerunOnFailure restarting after
 * Succeeded, reset creating a new VMI, migration keeping the old node) by
 * overriding one entry of `DEFAULT_RULES`.
 */
import type { RunStrategy } from '../api/index.ts';
import type { ExitReason } from './agent.ts';
import type { PrintableStatus } from './store/objects.ts';

/** What the VM controller sees when it looks at a VM (docs/spec.md R-RS1..R-RS5). */
export type Situation = 'noVmi' | 'active' | 'succeeded' | 'failed';

/**
 * How the VM controller reacts:
 * - create: create a VMI (unless crash-loop backoff holds it, R-RS6)
 * - createOnRequest: only when a Start request is queued
 * - createOnRequestOrSwitch: on a Start request, or when status.runStrategy differs (first start / strategy switch)
 * - keep: leave the VMI alone
 * - delete: delete the VMI; the `noVmi` row decides what follows
 * - deleteRecreate: delete and create again once it is gone (backoff if it never ran)
 * - deleteRequestStart: delete and queue a Start request (backoff if it never ran)
 */
export type Reaction = 'create' | 'createOnRequest' | 'createOnRequestOrSwitch' | 'keep' | 'delete' | 'deleteRecreate' | 'deleteRequestStart';

export type RunStrategyTable = Record<RunStrategy, Record<Situation, Reaction>>;

/** R-RS1..R-RS5 (docs/kubevirt-reference.md §1.2). A stop request always deletes the VMI; the `noVmi` row then decides. */
export const RUN_STRATEGY_TABLE: RunStrategyTable = {
  Always: { noVmi: 'create', active: 'keep', succeeded: 'deleteRecreate', failed: 'deleteRecreate' },
  RerunOnFailure: { noVmi: 'createOnRequestOrSwitch', active: 'keep', succeeded: 'delete', failed: 'deleteRequestStart' },
  Manual: { noVmi: 'createOnRequest', active: 'keep', succeeded: 'keep', failed: 'keep' },
  Halted: { noVmi: 'keep', active: 'delete', succeeded: 'delete', failed: 'delete' },
  Once: { noVmi: 'create', active: 'keep', succeeded: 'keep', failed: 'keep' },
};

/** Strategies under which a start failure puts the VM into crash-loop backoff (docs/kubevirt-reference.md §2.1 #14; vm.go `shouldClearStartFailure`). */
export const BACKOFF_STRATEGIES: readonly RunStrategy[] = ['Always', 'RerunOnFailure', 'Once'];

/** Strategies whose VMI creation waits for the backoff to expire (vm.go `syncRunStrategy`: Once creates at once). */
export const BACKOFF_DELAYS_START: readonly RunStrategy[] = ['Always', 'RerunOnFailure'];

/** KubeVirt's cap on the crash-loop delay (vm.go `defaultMaxCrashLoopBackoffDelaySeconds`). */
export const MAX_CRASH_LOOP_DELAY_SECONDS = 300;

/**
 * R-RS6, vm.go `calculateStartBackoffTime`: 10·n² s (the interval is
 * max(10, maxDelay/30)) plus a jitter in [0, delay/2], at most maxDelay.
 * `jitter01` in [0, 1) stands for Go's rand.Intn.
 */
export function crashLoopDelaySeconds(failCount: number, jitter01: number, maxDelay = MAX_CRASH_LOOP_DELAY_SECONDS): number {
  const n = Math.max(1, failCount);
  const delay = Math.max(10, Math.floor(maxDelay / 30)) * n * n;
  return Math.min(maxDelay, delay + Math.floor(jitter01 * (Math.floor(delay / 2) + 1)));
}

/** R-G1, R-G3, R-G4: how a launcher's end maps to a VMI phase (agent.ts ExitReason). */
export const EXIT_PHASE: Record<ExitReason, 'Succeeded' | 'Failed'> = {
  guestShutdown: 'Succeeded',
  destroyed: 'Succeeded',
  graceExpired: 'Failed',
  crashed: 'Failed',
  panicked: 'Failed',
  killed: 'Failed',
};

/**
 * R-G4, handler vm.go `calculateVmPhaseForStatusReason`: a domain destroyed
 * after the grace period (graceExpired) is Failed only when ACPI is enabled
 * (`isACPIEnabled`); without ACPI a destroyed domain is ok, as `destroyed`.
 */
export function exitPhaseOf(rules: Rules, reason: ExitReason, acpi: boolean): 'Succeeded' | 'Failed' {
  return reason === 'graceExpired' && !acpi ? rules.exitPhase.destroyed : rules.exitPhase[reason];
}

/** What `isSetToStart` looks at. */
export interface SetToStartFacts {
  /** The VM's VMI phase, null without one. */
  vmiPhase: string | null;
  /** The first state-change request is a Start. */
  startRequest: boolean;
  /** The first state-change request is a Stop for this VMI. */
  stopRequestForVmi: boolean;
  /** status.runStrategy differs from the spec's (RerunOnFailure's first start or a switch). */
  strategySwitched: boolean;
}

/** R-PS, vm.go `isSetToStart`: whether the VM is meant to run, per strategy (WaitingForVolumeBinding needs it). */
export const SET_TO_START: Record<RunStrategy, (f: SetToStartFacts) => boolean> = {
  Always: () => true,
  Halted: () => false,
  Manual: (f) => (f.vmiPhase !== null ? !f.stopRequestForVmi : f.startRequest),
  RerunOnFailure: (f) => (f.vmiPhase !== null ? f.vmiPhase !== 'Succeeded' : f.startRequest || f.strategySwitched),
  Once: (f) => f.vmiPhase === null,
};

/** The facts printableStatus is computed from (docs/kubevirt-reference.md §2.1 predicates). */
export interface VmStatusFacts {
  deleting: boolean;
  /** null when no VMI exists. */
  vmiPhase: 'Pending' | 'Scheduling' | 'Scheduled' | 'Running' | 'Succeeded' | 'Failed' | null;
  vmiFinal: boolean;
  vmiDeleting: boolean;
  expectDelete: boolean;
  migrating: boolean;
  paused: boolean;
  syncReason: string | null;
  unschedulable: boolean;
  dvError: boolean;
  dvProvisioning: boolean;
  setToStart: boolean;
  pvcUnbound: boolean;
  expectCreate: boolean;
  startFailures: number;
  strategy: RunStrategy;
}

export interface PrintableStatusRule {
  status: PrintableStatus;
  when: (f: VmStatusFacts) => boolean;
}

const vmiActive = (f: VmStatusFacts): boolean => f.vmiPhase !== null && !f.vmiFinal;

/** R-PS: first match wins; nothing matching → Unknown. */
export const PRINTABLE_STATUS_RULES: readonly PrintableStatusRule[] = [
  { status: 'Terminating', when: (f) => f.deleting },
  { status: 'Stopping', when: (f) => vmiActive(f) && (f.vmiDeleting || f.expectDelete) },
  { status: 'Migrating', when: (f) => f.migrating },
  { status: 'Paused', when: (f) => f.vmiPhase === 'Running' && f.paused },
  { status: 'Running', when: (f) => f.vmiPhase === 'Running' && !f.paused },
  { status: 'ErrorPvcNotFound', when: (f) => f.syncReason === 'FailedPvcNotFound' },
  { status: 'DataVolumeError', when: (f) => f.dvError },
  { status: 'ErrorUnschedulable', when: (f) => f.unschedulable },
  { status: 'Provisioning', when: (f) => f.dvProvisioning },
  { status: 'WaitingForVolumeBinding', when: (f) => f.setToStart && f.pvcUnbound },
  { status: 'ErrImagePull', when: (f) => f.syncReason === 'ErrImagePull' },
  { status: 'ImagePullBackOff', when: (f) => f.syncReason === 'ImagePullBackOff' },
  {
    status: 'Starting',
    when: (f) => (f.vmiPhase === null && f.expectCreate) || f.vmiPhase === 'Pending' || f.vmiPhase === 'Scheduling' || f.vmiPhase === 'Scheduled',
  },
  {
    status: 'CrashLoopBackOff',
    when: (f) => (f.vmiPhase === null || f.vmiFinal) && !f.expectCreate && f.startFailures > 0 && BACKOFF_STRATEGIES.includes(f.strategy),
  },
  { status: 'Stopped', when: (f) => f.vmiFinal || (f.vmiPhase === null && !f.expectCreate) },
];

/** Evaluates a printableStatus table. Internal. */
export function printableStatus(rules: readonly PrintableStatusRule[], f: VmStatusFacts): PrintableStatus {
  // an index loop: this runs at every VM status write
  for (let i = 0; i < rules.length; i++) if (rules[i]!.when(f)) return rules[i]!.status;
  return 'Unknown';
}

/** What the core knows about a VMI when deciding LiveMigratable (R-M1). */
export interface MigratabilityFacts {
  podBridge: boolean;
  /** Counts of spec.domain.devices.hostDevices and gpus. */
  hostDevices: number;
  gpus: number;
  /** Claims of volumes whose PVC lacks ReadWriteMany. */
  nonSharedClaims: string[];
}

export interface LiveMigratableRule {
  reason: string;
  message: (f: MigratabilityFacts) => string | null;
}

/** R-M1: checked in order, the first blocker wins (KubeVirt calculateLiveMigrationCondition). */
export const LIVE_MIGRATABLE_RULES: readonly LiveMigratableRule[] = [
  {
    reason: 'InterfaceNotLiveMigratable',
    message: (f) => (f.podBridge ? 'cannot migrate VMI which does not use masquerade or a migratable plugin to connect to the pod network' : null),
  },
  // handler vm.go vmiContainsNonMigratablePCIHostDevices (the harness has no VGPULiveMigration gate nor mediated devices)
  {
    reason: 'HostDeviceNotLiveMigratable',
    message: (f) =>
      f.hostDevices > 0
        ? 'VMI specifies non-migratable generic PCI host device'
        : f.gpus > 1
          ? 'VMI specifies too many GPUs'
          : f.gpus === 1
            ? 'VMI specifies a GPU but feature gate VGPULiveMigration is not enabled'
            : null,
  },
  {
    reason: 'DisksNotLiveMigratable',
    message: (f) =>
      f.nonSharedClaims.length > 0
        ? `cannot migrate VMI: PVC ${f.nonSharedClaims[0]} is not shared, live migration requires that all PVCs must be shared (using ReadWriteMany access mode)`
        : null,
  },
];

/**
 * Guest-side behaviour choices: `reset` in place (R-G2) or as a new VMI
 * (deviant); whether a successful migration moves the VMI to the target (R-M4).
 */
export interface BehaviourRules {
  reset: 'inPlace' | 'newVmi';
  migrationMovesNode: boolean;
  /**
   * R-RS6: a crash-loop backoff expires (a timer on the core's clock, KubeVirt), or never
   * (a deviant: the VM stays in CrashLoopBackOff until a request clears the count).
   */
  crashLoopBackoff: 'expires' | 'never';
}

/** The full rule set of the core. Public. */
export interface Rules {
  runStrategy: RunStrategyTable;
  exitPhase: Record<ExitReason, 'Succeeded' | 'Failed'>;
  printableStatus: readonly PrintableStatusRule[];
  liveMigratable: readonly LiveMigratableRule[];
  behaviour: BehaviourRules;
}

export const DEFAULT_RULES: Rules = {
  runStrategy: RUN_STRATEGY_TABLE,
  exitPhase: EXIT_PHASE,
  printableStatus: PRINTABLE_STATUS_RULES,
  liveMigratable: LIVE_MIGRATABLE_RULES,
  behaviour: { reset: 'inPlace', migrationMovesNode: true, crashLoopBackoff: 'expires' },
};

/** Overrides of the default rules: run-strategy rows merge per strategy. Public. */
export interface RuleOverrides {
  runStrategy?: Partial<Record<RunStrategy, Partial<Record<Situation, Reaction>>>>;
  exitPhase?: Partial<Record<ExitReason, 'Succeeded' | 'Failed'>>;
  printableStatus?: readonly PrintableStatusRule[];
  liveMigratable?: readonly LiveMigratableRule[];
  behaviour?: Partial<BehaviourRules>;
}

/** Merges overrides into the default rules. Public. */
export function makeRules(o: RuleOverrides = {}): Rules {
  const runStrategy = { ...RUN_STRATEGY_TABLE };
  for (const [s, row] of Object.entries(o.runStrategy ?? {}) as [RunStrategy, Partial<Record<Situation, Reaction>>][]) {
    runStrategy[s] = { ...runStrategy[s], ...row };
  }
  return {
    runStrategy,
    exitPhase: { ...EXIT_PHASE, ...o.exitPhase },
    printableStatus: o.printableStatus ?? PRINTABLE_STATUS_RULES,
    liveMigratable: o.liveMigratable ?? LIVE_MIGRATABLE_RULES,
    behaviour: { ...DEFAULT_RULES.behaviour, ...o.behaviour },
  };
}
