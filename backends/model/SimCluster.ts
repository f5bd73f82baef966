/**
 * The cluster core and the simulated agent wired together synchronously.
 * Public (internal to the model backend): the bench and the property tests
 * drive it directly; `createModelBackend` wraps the same pair in a
 * ClusterBackend. The event order is the one ClusterBackend.settle produces:
 * a command's effects are performed at once, then settle feeds the events
 * batch by batch.
 */
import { OK, type Fault, type GuestAction, type KubeObject, type ObjectRef, type Observation, type Result, type VmAction } from '../contract.ts';
import { ClusterCore, type AgentEvent, type ApiObject, type CoreOptions, type Effect, type StoreJson } from '../../harness/cluster/index.ts';
import { buildObservation } from '../../harness/observe/observation.ts';
import { SimAgent, type EventSink, type SimAgentOptions } from './SimAgent.ts';

export interface SimClusterOptions {
  core?: CoreOptions;
  agent?: SimAgentOptions;
}

/**
 * The events not yet fed to the core: a buffer reused from one settle to the
 * next. A plain array emptied with `length = 0` loses its backing store and
 * regrows it on the next pushes, and one cut back only now and then keeps the
 * fed events alive meanwhile; here `len` goes back to 0 and fed slots are
 * cleared, so the buffer is allocated once and holds nothing stale.
 */
class EventQueue implements EventSink {
  readonly buf: (AgentEvent | undefined)[] = [];
  len = 0;

  push(ev: AgentEvent): void {
    this.buf[this.len++] = ev;
  }
}

export class SimCluster {
  private coreNow: ClusterCore;
  readonly agent: SimAgent;
  private readonly events = new EventQueue();
  private readonly perform: (e: Effect) => void;

  constructor(private readonly opts: SimClusterOptions = {}) {
    this.coreNow = new ClusterCore(opts.core);
    this.agent = new SimAgent(opts.agent);
    this.perform = (e) => this.agent.performInto(e, this.events);
  }

  get core(): ClusterCore {
    return this.coreNow;
  }

  /** The core's whole state as JSON (between commands). */
  save(): StoreJson {
    return this.coreNow.save();
  }

  /** Continues on a core restored from `save()`'s JSON; the agent (the node side) carries on as it is. */
  restore(json: StoreJson): void {
    this.coreNow = ClusterCore.restore(json, this.opts.core);
  }

  private dispatch(r: Result): Result {
    if (this.core.hasEffects()) this.core.drainEffects(this.perform);
    return r;
  }

  apply(o: KubeObject): Result {
    return this.dispatch(this.core.apply(o));
  }
  delete(ref: ObjectRef): Result {
    return this.dispatch(this.core.delete(ref));
  }
  vm(a: VmAction): Result {
    return this.dispatch(this.core.vm(a));
  }
  guest(a: GuestAction): Result {
    return this.dispatch(this.core.guest(a));
  }
  fault(f: Fault): Result {
    return this.dispatch(this.core.fault(f));
  }
  drain(node: string): Result {
    return this.dispatch(this.core.drain(node));
  }
  uncordon(node: string): Result {
    return this.dispatch(this.core.uncordon(node));
  }

  /**
   * Feeds events until nothing is in flight. One event at a time, its effects
   * performed at once: the agent's events come in the same order as under
   * ClusterBackend's batches, since the core never reads the agent's state.
   */
  settle(): void {
    const q = this.events;
    const buf = q.buf;
    // q.len grows while events are fed (their effects' events are appended)
    for (let i = 0; i < q.len; i++) {
      if (i > 10_000_000) throw new Error('SimCluster: events keep coming (a loop between core and agent)');
      const ev = buf[i]!;
      buf[i] = undefined;
      this.core.onEvent(ev);
      this.dispatch(OK);
    }
    q.len = 0;
  }

  observe(): Observation {
    return buildObservation((kind) => this.core.objects(kind), this.agent.guestFacts(this.core.runningLaunchSpecs()), { backend: 'model' });
  }

  /** API objects of a kind with their status, in name order (the store's own: read-only). */
  list(kind: string): ApiObject[] {
    return this.core.objects(kind);
  }
}
