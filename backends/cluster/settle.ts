/**
 * The settle loop, once for every backend over the cluster core: hand the
 * core's effects to the agent, feed the agent's events back, until the agent
 * is idle and the core asks for nothing more. Public (to backends).
 *
 * `next` gives the agent's next events: at once from a synchronous agent
 * (the simulated one: the loop then runs without a single await, which the
 * model's throughput needs), as a promise from a real one.
 */
import type { AgentEvent, ClusterCore, Effect, NodeAgent } from '../../harness/cluster/index.ts';

export interface SettleSides {
  core: ClusterCore;
  agent: Pick<NodeAgent, 'idle' | 'releaseHeld'>;
  /** Carries out one effect (the agent's perform). */
  perform: (e: Effect) => void;
  /** The events the agent has for the core, or a promise of them. */
  next: () => readonly AgentEvent[] | Promise<readonly AgentEvent[]>;
  /** Called before each wait for events: throws when the budget is spent. */
  check: () => void;
}

/**
 * Settles; synchronous when `next` is. The held migrations of the last
 * settle are released first, so this one waits for them (a migration is in
 * flight at one settled state at most: docs/harness-choices.md §2).
 */
export function settle(s: SettleSides): void | Promise<void> {
  s.agent.releaseHeld?.();
  return loop(s);
}

function loop(s: SettleSides): void | Promise<void> {
  const { core, agent, perform, next, check } = s;
  for (let rounds = 0; ; rounds++) {
    if (rounds > 10_000_000) throw new Error('settle: events keep coming (a loop between core and agent)');
    if (core.hasEffects()) core.drainEffects(perform);
    if (agent.idle() && !core.hasEffects()) return;
    check();
    const events = next();
    if (!Array.isArray(events)) return (events as Promise<readonly AgentEvent[]>).then((evs) => (feed(core, evs), loop(s)));
    feed(core, events as readonly AgentEvent[]);
  }
}

function feed(core: ClusterCore, events: readonly AgentEvent[]): void {
  for (let i = 0; i < events.length; i++) core.onEvent(events[i]!);
}
