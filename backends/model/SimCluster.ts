/**
 * The cluster core and the simulated agent wired together synchronously.
 * Public (internal to the model backend): the bench and the property tests
 * drive it directly; `createModelBackend` wraps the same pair in a
 * ClusterBackend. Both settle with the same loop (backends/cluster/settle.ts):
 * a command's effects are performed at once, then settle feeds the events
 * batch by batch.
 */
import { OK, type Fault, type GuestAction, type KubeObject, type ObjectRef, type Observation, type Result, type VmAction } from '../contract.ts';
import { ClusterCore, type ApiObject, type CoreOptions, type Effect, type StoreJson } from '../../harness/cluster/index.ts';
import { buildObservation } from '../../harness/observe/observation.ts';
import { settle } from '../cluster/index.ts';
import { SimAgent, type SimAgentOptions } from './SimAgent.ts';

/** The synchronous driver has no budget: the simulated agent answers at once. */
const NO_BUDGET = (): void => {};

export interface SimClusterOptions {
  core?: CoreOptions;
  agent?: SimAgentOptions;
}

export class SimCluster {
  private coreNow: ClusterCore;
  readonly agent: SimAgent;
  private readonly perform: (e: Effect) => void;

  constructor(private readonly opts: SimClusterOptions = {}) {
    this.coreNow = new ClusterCore(opts.core);
    this.agent = new SimAgent(opts.agent);
    this.perform = (e) => this.agent.perform(e);
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

  /** Feeds the agent's events until nothing is in flight: the backends' one settle loop (backends/cluster/settle.ts), synchronously. */
  settle(): void {
    void settle({ core: this.coreNow, agent: this.agent, perform: this.perform, next: this.takeEvents, check: NO_BUDGET, advance: this.advance });
  }

  /** Due timers: the core's clock moves to them (this driver has no other clock). */
  private readonly advance = (dueMs: number) => this.coreNow.setTime(Math.max(dueMs, this.coreNow.time()));

  private readonly takeEvents = () => this.agent.takeEvents();

  observe(): Observation {
    return buildObservation((kind) => this.core.objects(kind), this.agent.guestFacts(this.core.runningLaunchSpecs()), { backend: 'model' });
  }

  /** API objects of a kind with their status, in name order (the store's own: read-only). */
  list(kind: string): ApiObject[] {
    return this.core.objects(kind);
  }
}
