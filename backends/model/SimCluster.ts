/**
 * The cluster core and the simulated agent wired together synchronously.
 * Public (internal to the model backend): the bench and the property tests
 * drive it directly; `createModelBackend` wraps the same pair in a
 * ClusterBackend. The event order is the one ClusterBackend.settle produces:
 * a command's effects are performed at once, then settle feeds the events
 * batch by batch.
 */
import { OK, type Fault, type GuestAction, type KubeObject, type ObjectRef, type Observation, type Result, type VmAction } from '../contract.ts';
import type { AgentEvent, Effect } from '../../harness/cluster/agent.ts';
import { ClusterCore, type CoreOptions } from '../../harness/cluster/ClusterCore.ts';
import { buildObservation } from '../../harness/cluster/buildObservation.ts';
import { SimAgent, type SimAgentOptions } from './SimAgent.ts';

export interface SimClusterOptions {
  core?: CoreOptions;
  agent?: SimAgentOptions;
}

export class SimCluster {
  readonly core: ClusterCore;
  readonly agent: SimAgent;
  /** Events not yet fed to the core, from index `next` on. */
  private readonly events: AgentEvent[] = [];
  private next = 0;
  private readonly perform: (e: Effect) => void;

  constructor(opts: SimClusterOptions = {}) {
    this.core = new ClusterCore(opts.core);
    this.agent = new SimAgent(opts.agent);
    this.perform = (e) => this.agent.performInto(e, this.events);
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
    const events = this.events;
    while (this.next < events.length) {
      if (this.next > 10_000_000) throw new Error('SimCluster: events keep coming (a loop between core and agent)');
      this.core.onEvent(events[this.next++]!);
      this.dispatch(OK);
    }
    // only a long queue is cut back; a short one is kept to spare reallocations
    // (and assigning `length` costs a runtime call, so it is done only then)
    if (events.length > 1024) events.length = 0;
    this.next = events.length;
  }

  observe(): Observation {
    return buildObservation(this.core, this.agent.guestFacts(this.core.runningLaunchSpecs()), { backend: 'model' });
  }
}
