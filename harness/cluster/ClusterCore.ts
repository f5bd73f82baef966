/**
 * The cluster core: KubeVirt's control plane as a deterministic state
 * machine over a store of API objects (docs/architecture.md, the control
 * plane; docs/spec.md §2–§12). Public (internal to backends): the model backend
 * drives it with a simulated node agent, the qemu backend with a real one.
 *
 * Commands (apply, delete, vm verbs, guest actions, faults) and agent events
 * write the store (store/); every write queues keys for the controllers that
 * watch its kind (controllers/), and the core drains the queues in a fixed
 * order, one key at a time from the first controller with work, until all
 * are empty; timers (entries due at a time) join their queue once the clock
 * reaches them. Effects for the node agent come out of `takeEffects()`. The
 * core never assumes an effect has completed: a VMI is Running only once the
 * agent says `running`, gone only once the agent says `exited`, and so on.
 *
 * No I/O and no randomness: uids and MACs come from counters (MACs offset by
 * the seed); time is an input (`setTime`). Every decision comes from a
 * `Rules` table (rules.ts). The whole state is plain JSON: `save()` after a
 * command, `ClusterCore.restore(json, options)` and continue.
 *
 * Harness choices where KubeVirt leaves room (documented here once; the
 * controllers document their own):
 * - Timers (crash-loop backoff, R-RS6) are due at a time on the core's
 *   clock; the settle loop (backends/cluster/settle.ts) moves the clock to
 *   the next due timer when nothing else is in flight, so a settled state is
 *   KubeVirt's state after the delays (docs/harness-choices.md §2).
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
 *   VMI that is not running (docs/spec.md R-V5..R-V7); an unknown name is 404.
 * - Only the 5 newest finished migrations of a VMI are kept (KubeVirt's
 *   garbage-collection buffer); older ones leave the observation.
 * - A NotReady Node applied by manifest changes nothing for running VMIs
 *   (unreachable, not fenced: docs/kubevirt-reference.md §12.9 (b)); only the nodeLoss fault
 *   fails them. New VMIs never land on it.
 * - A VM does not take over a VMI of its name that it does not control
 *   (standalone or a replica set's): it creates none while that one exists.
 */
import type { KubeObject, ObjectRef } from '../api/index.ts';
import type { Fault, GuestAction, Result, VmAction } from '../contract/index.ts';
import type { AgentEvent, Effect, LaunchSpec } from './agent.ts';
import { makeRules, type RuleOverrides, type Rules } from './rules.ts';
import type { ApiObject } from './store/objects.ts';
import { Store, type Change, type Entry, type StoreJson } from './store/Store.ts';
import { DEFAULT_CLUSTER, type ClusterDefaults } from './common/cluster.ts';
import type { MigrationBook } from './common/migrations.ts';
import type { VmiEntry } from './common/placement.ts';
import { applyObject, deleteObject } from './commands/objects.ts';
import { verb, type VerbEnv } from './commands/verbs.ts';
import { guestAction } from './commands/guest.ts';
import { drain, faultAction, uncordon } from './commands/faults.ts';
import { onAgentEvent } from './node/events.ts';
import type { Controller, Ctx, Watch } from './controllers/Controller.ts';
import { WorkQueue } from './WorkQueue.ts';
import { ChurnMap } from './ChurnMap.ts';
import { networkController } from './controllers/network.ts';
import { evacuationController } from './controllers/evacuation.ts';
import { storageController } from './controllers/storage.ts';
import { migrationController } from './controllers/migration.ts';
import { vmiController } from './controllers/vmi.ts';
import { vmController } from './controllers/vm.ts';
import { replicaSetController } from './controllers/replicaset.ts';
import { poolController } from './controllers/pool.ts';

export { DEFAULT_CLUSTER, type ClusterDefaults };

export interface CoreOptions {
  rules?: RuleOverrides;
  cluster?: Partial<ClusterDefaults>;
  /** Offsets generated MACs and uids: same seed ⇒ same trace. */
  seed?: number;
}

/**
 * The controllers in drain order: each one's writes are worked off by the
 * ones before it first (networks and nodes before what schedules on them,
 * storage and migrations before the VMIs that wait for them, VMIs before
 * the VMs that own them, VMs before replica sets and pools).
 */
const CONTROLLERS: readonly Controller[] = [
  networkController,
  evacuationController,
  storageController,
  migrationController,
  vmiController,
  vmController,
  replicaSetController,
  poolController,
];

/** A timer: `key` joins `controller`'s queue once the clock reaches `due` (ms). */
interface Timer {
  due: number;
  controller: string;
  key: string;
}

/** The books each controller (and the core) keeps in the store, fresh. */
function freshBooks(cluster: Partial<ClusterDefaults> | undefined): Record<string, unknown> {
  return {
    cluster: { ...DEFAULT_CLUSTER, ...cluster },
    vmi: { waiting: [], nodes: {} },
    migration: { pending: [], running: 0, outbound: {}, finished: {}, names: {} } satisfies MigrationBook,
    network: { pools: {} },
    storage: { nodeGenerations: {} },
    timers: [] as Timer[],
    clock: 0,
  };
}

/** A watch of a kind: which controller (its index in CONTROLLERS), and how it maps an event to keys. */
interface Route {
  index: number;
  controller: string;
  watch: Watch;
}

/** Per kind, the controllers watching it, in drain order: the same for every core, so made once (a core is made per sequence). */
const ROUTES: ReadonlyMap<string, readonly Route[]> = (() => {
  const routes = new Map<string, Route[]>();
  CONTROLLERS.forEach((c, index) => {
    for (const [kind, watch] of Object.entries(c.watches)) {
      let list = routes.get(kind);
      if (!list) routes.set(kind, (list = []));
      list.push({ index, controller: c.name, watch });
    }
  });
  return routes;
})();

/** The cluster core. Public (internal to backends). */
export class ClusterCore {
  private readonly rules: Rules;
  private readonly store: Store;
  private readonly queues: WorkQueue[] = CONTROLLERS.map(() => new WorkQueue());
  /** Per controller, its queue's add (bound, not a closure: see WorkQueue.enqueue). */
  private readonly enqueue: ((key: string) => void)[] = this.queues.map((q) => q.enqueue);
  /** uid → VMI name (events name VMIs by uid); a cache of the store, rebuilt on restore. */
  private readonly vmiByUid = new ChurnMap<string, string>();
  private readonly ctx: Ctx;
  private readonly env: VerbEnv;
  /** Pending effects: the first outboxLen slots (the array is reused, never shrunk). */
  private readonly outbox: (Effect | undefined)[] = [];
  private outboxLen = 0;
  private draining = false;

  constructor(opts: CoreOptions = {}, restored?: Store) {
    this.rules = makeRules(opts.rules);
    this.store = restored ?? new Store(opts.seed ?? 0, undefined, freshBooks(opts.cluster));
    // Methods bound, not arrows: a core is made per sequence, and under tsx (esbuild keepNames) every
    // arrow made at run time is named by Object.defineProperty, which also made the calls through these
    // per-core functions slow (the engine bench: 15.8 → 13.9 s once the store listener and the queues'
    // enqueue were bound).
    const emit = this.emit.bind(this);
    const now = this.time.bind(this);
    this.ctx = { store: this.store, rules: this.rules, emit, now, after: this.after.bind(this) };
    this.env = { store: this.store, rules: this.rules, emit, now };
    this.vmiOfUid = this.vmiOf.bind(this);
    for (const e of this.store.all('VirtualMachineInstance').values()) this.vmiByUid.set(e.obj.metadata.uid, e.obj.metadata.name);
    this.store.listener = this.route.bind(this);
  }

  private emit(e: Effect): void {
    this.outbox[this.outboxLen++] = e;
  }

  private after(due: number, controller: string, key: string): void {
    this.addTimer({ due, controller, key });
  }

  /** A core continuing from `save()`'s JSON; `opts` are the rules and defaults it was made with (rules are code, not state). */
  static restore(json: StoreJson, opts: CoreOptions = {}): ClusterCore {
    return new ClusterCore(opts, Store.restore(json));
  }

  /** The whole state as plain JSON (between commands: the queues are empty then). */
  save(): StoreJson {
    if (this.queues.some((q) => q.size > 0)) throw new Error('ClusterCore.save: controllers still have work');
    return this.store.save();
  }

  private route(kind: string, name: string, e: Entry, change: Change, writer: string | null): void {
    const removed = change === 'removed';
    if (kind === 'VirtualMachineInstance') {
      if (removed) this.vmiByUid.delete(e.obj.metadata.uid);
      else if (change === 'added') this.vmiByUid.inner.set(e.obj.metadata.uid, name);
    }
    const list = ROUTES.get(kind);
    if (!list) return;
    for (let i = 0; i < list.length; i++) {
      const r = list[i]!;
      if (r.controller !== writer) r.watch(this.ctx, e, removed, this.enqueue[r.index]!);
    }
  }

  /** Works off the queues, first controller with work first, until all are empty. */
  private work(): void {
    if (this.draining) return;
    this.draining = true;
    try {
      const qs = this.queues;
      for (let steps = 0; ; steps++) {
        if (steps > 50_000_000) throw new Error('ClusterCore: the controllers do not settle (a loop between them)');
        let i = 0;
        while (i < qs.length && qs[i]!.size === 0) i++;
        if (i === qs.length) {
          if (this.fireTimers()) continue;
          return;
        }
        CONTROLLERS[i]!.reconcile(this.ctx, qs[i]!.take());
      }
    } finally {
      this.draining = false;
    }
  }

  private timers(): Timer[] {
    return this.store.books.timers as Timer[];
  }

  private addTimer(t: Timer): void {
    const ts = this.timers();
    if (ts.some((x) => x.due === t.due && x.controller === t.controller && x.key === t.key)) return;
    let i = ts.length;
    while (i > 0 && ts[i - 1]!.due > t.due) i--;
    ts.splice(i, 0, t);
  }

  /** Queues the keys of the timers that are due; true when any was. */
  private fireTimers(): boolean {
    const ts = this.timers();
    const now = this.store.books.clock as number;
    let fired = false;
    while (ts.length > 0 && ts[0]!.due <= now) {
      const t = ts.shift()!;
      const i = CONTROLLERS.findIndex((c) => c.name === t.controller);
      this.queues[i]!.add(t.key);
      fired = true;
    }
    return fired;
  }

  private settled(r: Result): Result {
    this.work();
    return r;
  }

  // -------------------------------------------------------------------------
  // Driving surface

  /** Effects produced since the last call, in order. */
  takeEffects(): Effect[] {
    const out = this.outbox.slice(0, this.outboxLen) as Effect[];
    this.outbox.fill(undefined, 0, this.outboxLen);
    this.outboxLen = 0;
    return out;
  }

  /**
   * Hands each pending effect to `perform`, in order, and forgets it: the
   * allocation-free form of takeEffects for synchronous drivers. `perform`
   * must not call back into the core.
   */
  drainEffects(perform: (e: Effect) => void): void {
    const box = this.outbox;
    for (let i = 0; i < this.outboxLen; i++) {
      const e = box[i]!;
      box[i] = undefined;
      perform(e);
    }
    this.outboxLen = 0;
  }

  /** True when effects are waiting to be taken. */
  hasEffects(): boolean {
    return this.outboxLen > 0;
  }

  /** When the earliest timer is due (ms on the core's clock), or null without timers. Public (the settle loop). */
  nextTimerDue(): number | null {
    const ts = this.timers();
    return ts.length > 0 ? ts[0]!.due : null;
  }

  /** When the latest timer is due, or null without timers. Public (the settle loop). */
  lastTimerDue(): number | null {
    const ts = this.timers();
    return ts.length > 0 ? ts[ts.length - 1]!.due : null;
  }

  /** The core's clock (ms). */
  time(): number {
    return this.store.books.clock as number;
  }

  /** Sets the clock (ms; virtual in the model, wall clock in qemu): due timers fire. */
  setTime(ms: number): void {
    this.store.books.clock = ms;
    this.work();
  }

  // -------------------------------------------------------------------------
  // Commands: each answers after the controllers reacted to it.

  apply(obj: KubeObject): Result {
    return this.settled(applyObject(this.env, obj));
  }

  delete(ref: ObjectRef): Result {
    return this.settled(deleteObject(this.env, ref));
  }

  /** VM verbs (R-V1..R-V8, R-SA1). */
  vm(a: VmAction): Result {
    return this.settled(verb(this.env, a));
  }

  guest(a: GuestAction): Result {
    return this.settled(guestAction(this.env, a));
  }

  fault(f: Fault): Result {
    return this.settled(faultAction(this.env, f));
  }

  /** Drains a node (R-M6): cordons it and evicts its VMIs per evictionStrategy. Public: the bench and the fault catalogue use it. */
  drain(nodeName: string): Result {
    return this.settled(drain(this.env, nodeName));
  }

  /** Makes a drained node schedulable again. Public. */
  uncordon(nodeName: string): Result {
    return this.settled(uncordon(this.env, nodeName));
  }

  /** Feeds one agent event. Events for unknown uids (already removed) are ignored. */
  onEvent(ev: AgentEvent): void {
    this.record(ev);
    this.work();
  }

  private readonly vmiOfUid: (uid: string) => VmiEntry | undefined;

  private vmiOf(uid: string): VmiEntry | undefined {
    const name = this.vmiByUid.inner.get(uid);
    return name === undefined ? undefined : (this.store.get('VirtualMachineInstance', name) as VmiEntry | undefined);
  }

  private record(ev: AgentEvent): void {
    onAgentEvent(this.store, this.rules, this.vmiOfUid, ev);
  }

  // -------------------------------------------------------------------------
  // Reads

  /** The stored API objects of a kind, in name order (read-only: the store's own objects). Public. */
  objects(kind: string): ApiObject[] {
    return [...this.store.all(kind).values()].map((e) => this.store.read(e)).sort((a, b) => (a.metadata.name < b.metadata.name ? -1 : a.metadata.name > b.metadata.name ? 1 : 0));
  }

  /** One stored API object (read-only: the store's own), or undefined. Public. */
  object(kind: string, name: string): ApiObject | undefined {
    const e = this.store.get(kind, name);
    return e && this.store.read(e);
  }

  /** Launch specs of the VMIs whose guests run (phase Running), for observeGuests. */
  runningLaunchSpecs(): LaunchSpec[] {
    const out: LaunchSpec[] = [];
    for (const e of this.store.all<VmiEntry['obj'], VmiEntry['rec']>('VirtualMachineInstance').values()) if (e.obj.status.phase === 'Running' && e.rec.launch) out.push(e.rec.launch);
    return out;
  }

  /** Count of migrations not yet final (bench, tests). */
  migrationsInFlight(): number {
    const b = this.store.books.migration as MigrationBook;
    return b.pending.length + b.running;
  }
}
