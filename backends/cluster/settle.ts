/**
 * The settle loop, once for every backend over the cluster core: hand the
 * core's effects to the agent, feed the agent's events back, until the agent
 * is idle and the core asks for nothing more. Public (to backends).
 *
 * Timers (crash-loop backoff): when nothing is in flight and the core has a
 * timer, `advance` moves the core's clock to it (both backends: the model's
 * virtual clock, qemu's wall clock plus an offset), so the settled state is
 * the one after KubeVirt's delays, not a frozen intermediate one. Only the
 * timers due up to the latest one pending at the first quiet moment fire in
 * one settle: a VM that fails to start for ever retries once per settle
 * instead of looping (docs/harness-choices.md §2).
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
  /** Moves the core's clock to `dueMs` (a timer's time); without it, timers wait for the clock. */
  advance?: (dueMs: number) => void;
}

/**
 * Settles; synchronous when `next` is. The held migrations of the last
 * settle are released first, so this one waits for them (a migration is in
 * flight at one settled state at most: docs/harness-choices.md §2).
 */
export function settle(s: SettleSides): void | Promise<void> {
  s.agent.releaseHeld?.();
  return loop(s, { horizon: null, rounds: 0 });
}

interface SettleState {
  /** The latest timer due at the first quiet moment: later timers wait for the next settle. */
  horizon: number | null;
  rounds: number;
}

function loop(s: SettleSides, st: SettleState): void | Promise<void> {
  const { core, agent, perform, next, check } = s;
  for (;;) {
    if (++st.rounds > 10_000_000) throw new Error('settle: events keep coming (a loop between core and agent)');
    if (core.hasEffects()) core.drainEffects(perform);
    if (agent.idle() && !core.hasEffects()) {
      if (!advanceTimers(s, st)) return;
      continue;
    }
    check();
    const events = next();
    if (!Array.isArray(events)) return (events as Promise<readonly AgentEvent[]>).then((evs) => (feed(core, evs), loop(s, st)));
    feed(core, events as readonly AgentEvent[]);
  }
}

/** At a quiet moment: moves the clock to the next timer within the horizon; false when there is none. */
function advanceTimers(s: SettleSides, st: SettleState): boolean {
  const due = s.core.nextTimerDue();
  if (due === null || !s.advance) return false;
  st.horizon ??= s.core.lastTimerDue();
  if (due > st.horizon!) return false;
  s.advance(due);
  return true;
}

function feed(core: ClusterCore, events: readonly AgentEvent[]): void {
  for (let i = 0; i < events.length; i++) core.onEvent(events[i]!);
}
