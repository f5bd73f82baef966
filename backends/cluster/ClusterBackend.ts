/**
 * A Backend (backends/contract.ts) over the cluster core and a node agent.
 * Public (to backends): the model backend is `new ClusterBackend('model',
 * core, simAgent)`, the qemu backend the same with its real agent. It lives
 * in the backends layer, beside them, because it implements the Backend
 * contract and answers with an Observation (harness/observe), both above the
 * core; it never knows which agent it drives.
 *
 * Every command goes to the core (which validates it and answers with
 * KubeVirt's code), the core's effects go to `agent.perform`, and `settle`
 * feeds the agent's events back until the agent is idle and the core has
 * nothing more to ask (settle.ts, the one settle loop). Reads (`list`, `observe`) are functions of the
 * store's API objects (docs/architecture.md, one read path).
 */
import { SettleTimeout, type Backend, type LauncherAccess, type BackendFingerprint, type Fault, type GuestAction, type KubeObject, type ObjectRef, type Observation, type Result, type VmAction } from '../contract.ts';
import type { AgentEvent, ApiObject, ClusterCore, Effect, NodeAgent } from '../../harness/cluster/index.ts';
import { settle } from './settle.ts';
import { buildObservation } from '../../harness/observe/observation.ts';

export interface ClusterBackendOptions {
  /** Clock for settle budgets (epoch ms); the default is Date.now. */
  now?: () => number;
  /** Console, VNC and virsh on the agent's launchers, when the agent has them. */
  launcher?: LauncherAccess;
  /** The timers' skew of a saved backend this one continues (`skew`). */
  skewMs?: number;
}

export class ClusterBackend implements Backend {
  private readonly now: () => number;
  private disposed = false;
  readonly launcher?: LauncherAccess;

  constructor(
    readonly name: string,
    readonly core: ClusterCore,
    readonly agent: NodeAgent,
    opts: ClusterBackendOptions = {},
  ) {
    this.now = opts.now ?? Date.now;
    if (opts.launcher) this.launcher = opts.launcher;
    this.skewMs = opts.skewMs ?? 0;
    this.perform = agent.perform.bind(agent);
  }

  /** How far settle moved the core's clock past the agent's (or the wall) clock, to due timers (settle.ts). */
  private skewMs: number;

  /** That skew (ms): part of a saved backend's state. */
  get skew(): number {
    return this.skewMs;
  }

  /** The time the core runs on (ms): the agent's virtual clock, else the wall clock, plus the timers' skew. Public (AGE columns). */
  clock(): number {
    return (this.agent.virtualClockMs?.() ?? this.now()) + this.skewMs;
  }

  /** Moves the core's clock to a due timer (settle.ts): the same final state on the virtual and the wall clock. */
  private moveToTimer(dueMs: number): void {
    this.skewMs += Math.max(0, dueMs - this.clock());
    this.tick();
  }

  // Bound methods, not arrows (a backend is made per sequence: see ClusterCore's constructor).
  private readonly advance: (dueMs: number) => void = this.moveToTimer.bind(this);
  private readonly perform: (e: Effect) => void;

  private dispatch(r: Result): Result {
    if (this.core.hasEffects()) this.core.drainEffects(this.perform);
    return r;
  }

  /** Brings the core's clock to the agent's (or the wall clock) before it acts. */
  private tick(): void {
    this.core.setTime(this.clock());
  }

  async apply(obj: KubeObject): Promise<Result> {
    this.tick();
    return this.dispatch(this.core.apply(obj));
  }

  async delete(ref: ObjectRef): Promise<Result> {
    this.tick();
    return this.dispatch(this.core.delete(ref));
  }

  async vm(action: VmAction): Promise<Result> {
    this.tick();
    return this.dispatch(this.core.vm(action));
  }

  async guest(action: GuestAction): Promise<Result> {
    this.tick();
    return this.dispatch(this.core.guest(action));
  }

  async fault(f: Fault): Promise<Result> {
    this.tick();
    return this.dispatch(this.core.fault(f));
  }

  /** API objects of a kind with their status, in name order (copies: the caller's to keep). */
  async list(kind: string, namespace?: string): Promise<ApiObject[]> {
    const objs = this.core.objects(kind).filter((o) => namespace === undefined || o.metadata.namespace === undefined || o.metadata.namespace === namespace);
    return JSON.parse(JSON.stringify(objs)) as ApiObject[];
  }

  /** A synchronous agent's events, taken at once (settle.ts then loops without an await per round). */
  private takeEventsNow(): readonly AgentEvent[] {
    const events = this.agent.takeEvents!();
    this.tick();
    return events;
  }

  private readonly takeNow: () => readonly AgentEvent[] = this.takeEventsNow.bind(this);

  async settle(budgetMs: number): Promise<void> {
    const deadline = this.now() + budgetMs;
    await settle({
      core: this.core,
      agent: this.agent,
      perform: this.perform,
      advance: this.advance,
      next: this.agent.takeEvents ? this.takeNow : () => this.agent.next(deadline).then((events) => (this.tick(), events)),
      check: () => {
        if (this.now() > deadline) throw new SettleTimeout(this.name, budgetMs, this.agent.inFlight());
      },
    });
  }

  async observe(): Promise<Observation> {
    const guests = await this.agent.observeGuests(this.core.runningLaunchSpecs());
    const fp = this.agent.fingerprint();
    const header: Observation['header'] = { backend: this.name };
    if (fp.accel) header.accel = fp.accel;
    if (fp.accelProbe) header.accelProbe = fp.accelProbe;
    if (fp.qemuVersion) header.qemuVersion = fp.qemuVersion;
    if (fp.machine) header.machine = fp.machine;
    if (fp.guestImageDigest) header.guestImageDigest = fp.guestImageDigest;
    return buildObservation((kind) => this.core.objects(kind), guests, header);
  }

  fingerprint(): BackendFingerprint {
    return this.agent.fingerprint();
  }

  async dispose(): Promise<void> {
    if (this.disposed) return;
    this.disposed = true;
    await this.agent.dispose();
  }
}
