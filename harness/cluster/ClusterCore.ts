/**
 * The cluster core: KubeVirt's control plane as a pure, synchronous,
 * deterministic state machine (SPEC.md §2–§12). Public (internal to
 * backends): the model backend drives it with a simulated node agent, the
 * qemu backend with a real one.
 *
 * Commands (apply, delete, vm verbs, guest actions, faults) and agent events
 * go in; effects for the node agent come out of `takeEffects()`. The core
 * never assumes an effect has completed: a VMI is Running only once the agent
 * says `running`, gone only once the agent says `exited`, and so on.
 *
 * No I/O, no clock, no randomness: uids and MACs come from counters (MACs
 * offset by the seed). Every decision comes from a `Rules` table (rules.ts).
 *
 * This class is a thin facade over the modules in ./core, one per resource
 * or action (object store, nodes, networking, placement, storage, VM
 * controller, VMI template and lifecycle, migrations, verbs, guest actions,
 * faults, replica sets, pools), which all work on one explicit state record
 * (core/CoreState.ts). Replica sets and pools (R-I3) keep their own harness
 * choices in their modules.
 *
 * Harness choices where KubeVirt leaves room (documented here once):
 * - Crash-loop backoff (R-RS6): the backoff timer never fires by itself; a
 *   VM in backoff stays CrashLoopBackOff (no VMI) until a start, stop or
 *   restart request clears the failure count. A VMI deleted by the
 *   controller (stop, restart) does not count as a start failure.
 * - A missing NetworkAttachmentDefinition keeps the VMI Pending with
 *   Synchronized=False/FailedCreate (the launcher pod cannot be rendered);
 *   the VM shows Starting. It proceeds once the NAD is applied.
 * - A PVC without a known StorageClass stays Pending. Immediate PVCs are
 *   bound when provisioned (node-local ones to the node the scheduling rule
 *   picks, ignoring capacity); WaitForFirstConsumer PVCs bind to the node of
 *   their first VMI. DataVolume PVCs bind immediately whatever the class.
 * - A registry image not in the catalogue fails its DataVolume at once
 *   (DataVolumeError) without asking the agent.
 * - In-guest actions (poweroff, reboot, panic, writeData) on a paused guest
 *   answer 409 `VMI is paused`; host-side acpiShutdown and reset are allowed.
 * - pause / unpause / soft-reboot of a VM without a VMI answer 409 as for a
 *   VMI that is not running (SPEC R-V5..R-V7); an unknown name is 404.
 * - Only the 5 newest finished migrations of a VMI are kept (KubeVirt's
 *   garbage-collection buffer); older ones leave the observation.
 * - A NotReady Node applied by manifest changes nothing for running VMIs
 *   (unreachable, not fenced: REFERENCE §12.9 (b)); only the nodeLoss fault
 *   fails them. New VMIs never land on it.
 * - Node drain: LiveMigrate(+IfPossible) migratable VMIs get a migration
 *   named like the verb's; LiveMigrate non-migratable ones block (stay);
 *   None and LiveMigrateIfPossible non-migratable ones are shut down
 *   (graceful, VMI kept, owner reacts per its strategy). No retry of failed
 *   evacuations.
 */
import type { KubeObject, ObjectRef } from '../api/types.ts';
import type { Fault, GuestAction, Result, VmAction } from '../contract/index.ts';
import type { AgentEvent, Effect, ExitReason, LaunchSpec } from './agent.ts';
import type { ObservedCondition } from '../observe/types.ts';
import { printableStatus, type VmStatusFacts } from './rules.ts';
import {
  createCoreState,
  type CoreOptions,
  type CoreState,
  type PoolState,
  type ReplicaSetState,
  type VmiState,
  type VmState,
  type WorkloadStatus,
} from './core/CoreState.ts';
import { applyObject, deleteObject } from './core/objectStore.ts';
import { drain, uncordon } from './core/nodes.ts';
import { onVolumeEvent } from './core/storage.ts';
import { reconcileAll, statusFacts } from './core/vmController.ts';
import { onVmiEvent, vmiConditions } from './core/vmiLifecycle.ts';
import { migrationsInFlight } from './core/migrations.ts';
import { verb } from './core/verbs.ts';
import { guestAction } from './core/guestActions.ts';
import { faultAction } from './core/faults.ts';
import { reconcileReplicaSets, replicaSetStatus } from './core/replicaSets.ts';
import { poolStatus, reconcilePools } from './core/pools.ts';

export {
  DEFAULT_CLUSTER,
  type ClusterDefaults,
  type CoreOptions,
  type VmState,
  type VmiState,
  type MigrationState,
  type PvcState,
  type DvState,
  type ReplicaSetState,
  type PoolState,
  type WorkloadStatus,
} from './core/CoreState.ts';

/** The parts of the state that backends, the model's driver and tests read directly. */
const STATE_VIEW = ['rules', 'cluster', 'vms', 'vmis', 'byUid', 'migrations', 'pvcs', 'dvs', 'nodes', 'nodeVmis', 'store', 'replicaSets', 'vmPools'] as const satisfies ReadonlyArray<keyof CoreState>;

/** Read access to the state tables (documented on CoreState); merged into the class below. */
export interface ClusterCore extends Readonly<Pick<CoreState, (typeof STATE_VIEW)[number]>> {}

/** The cluster core. Public (internal to backends). */
export class ClusterCore {
  private readonly s: CoreState;

  constructor(opts: CoreOptions = {}) {
    const s = (this.s = createCoreState(opts));
    // the same objects as the state's, so reads through the facade cost nothing
    const self = this as unknown as Record<string, unknown>;
    for (const k of STATE_VIEW) self[k] = s[k];
  }

  // -------------------------------------------------------------------------
  // Driving surface

  /** Effects produced since the last call, in order. */
  takeEffects(): Effect[] {
    const s = this.s;
    const out = s.outbox.slice(0, s.outboxLen) as Effect[];
    s.outbox.fill(undefined, 0, s.outboxLen);
    s.outboxLen = 0;
    return out;
  }

  /**
   * Hands each pending effect to `perform`, in order, and forgets it: the
   * allocation-free form of takeEffects for synchronous drivers. `perform`
   * must not call back into the core.
   */
  drainEffects(perform: (e: Effect) => void): void {
    const s = this.s;
    const box = s.outbox;
    for (let i = 0; i < s.outboxLen; i++) {
      const e = box[i]!;
      box[i] = undefined;
      perform(e);
    }
    s.outboxLen = 0;
  }

  /** True when effects are waiting to be taken. */
  hasEffects(): boolean {
    return this.s.outboxLen > 0;
  }

  /** Launch specs of the VMIs whose guests run (phase Running), for observeGuests. */
  runningLaunchSpecs(): LaunchSpec[] {
    const out: LaunchSpec[] = [];
    for (const v of this.s.vmis.values()) if (v.phase === 'Running' && v.launch) out.push(v.launch);
    return out;
  }

  // -------------------------------------------------------------------------
  // Commands: each answers after the controllers reacted to it.

  apply(obj: KubeObject): Result {
    return this.settled(applyObject(this.s, obj));
  }

  delete(ref: ObjectRef): Result {
    return this.settled(deleteObject(this.s, ref));
  }

  /** VM verbs (R-V1..R-V8, R-SA1). */
  vm(a: VmAction): Result {
    return this.settled(verb(this.s, a));
  }

  guest(a: GuestAction): Result {
    return this.settled(guestAction(this.s, a));
  }

  fault(f: Fault): Result {
    return this.settled(faultAction(this.s, f));
  }

  /**
   * Drains a node (R-M6): cordons it and evicts its VMIs per evictionStrategy.
   * Public: the bench and the fault catalogue use it.
   */
  drain(nodeName: string): Result {
    return drain(this.s, nodeName);
  }

  /** Makes a drained node schedulable again. Public. */
  uncordon(nodeName: string): Result {
    return uncordon(this.s, nodeName);
  }

  /** Feeds one agent event. Events for unknown uids (already removed) are ignored. */
  onEvent(ev: AgentEvent): void {
    if (ev.type === 'volumeReady' || ev.type === 'volumeFailed') onVolumeEvent(this.s, ev);
    else onVmiEvent(this.s, ev);
    this.reconcile();
  }

  private settled(r: Result): Result {
    this.reconcile();
    return r;
  }

  /**
   * The controllers until nothing changes: VMs, then replica sets and pools
   * (R-I3), whose creations and deletions the VM controller works off again.
   * Without replica sets or pools this is the VM controller alone (the hot path).
   */
  private reconcile(): void {
    const s = this.s;
    reconcileAll(s);
    if (s.replicaSets.size === 0 && s.vmPools.size === 0) return;
    for (let guard = 0; guard < 8; guard++) {
      const rs = reconcileReplicaSets(s);
      const pools = reconcilePools(s);
      if (!rs && !pools) return;
      reconcileAll(s);
    }
  }

  // -------------------------------------------------------------------------
  // Status

  /** Count of migrations not yet final (bench, tests). */
  migrationsInFlight(): number {
    return migrationsInFlight(this.s);
  }

  /** The facts of a VM's printableStatus (R-PS). Internal. */
  statusFacts(vm: VmState): VmStatusFacts {
    return statusFacts(this.s, vm);
  }

  /** printableStatus of a VM (R-PS). Public. */
  printableStatus(vm: VmState): ReturnType<typeof printableStatus> {
    return printableStatus(this.s.rules.printableStatus, statusFacts(this.s, vm));
  }

  /** VMI conditions as compared (R-P2). Public. */
  vmiConditions(v: VmiState): Record<string, ObservedCondition> {
    return vmiConditions(v);
  }

  /** DESIRED / CURRENT / READY of a replica set or pool (R-I3, R-CLI). Public. */
  workloadStatus(w: ReplicaSetState | PoolState): WorkloadStatus {
    return 'tmpl' in w ? replicaSetStatus(this.s, w) : poolStatus(this.s, w);
  }
}

/** Exit reason → phase under the default rules (re-exported for agents' docs/tests). */
export type { ExitReason };
