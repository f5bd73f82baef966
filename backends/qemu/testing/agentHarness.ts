/**
 * Test helper (internal): a QemuAgent in a private temp state dir, and a
 * way to wait for its events. dispose() kills every QEMU and removes the dir.
 */
import type { AgentEvent } from '../../../harness/cluster/index.ts';
import { guestArtefacts } from '../../../guest/artefacts.ts';
import { QemuAgent, type QemuAgentOptions } from '../QemuAgent.ts';
import { QEMU_BINARY } from './bootGuest.ts';
import { privateDir } from './privateDir.ts';

export interface AgentHarness {
  agent: QemuAgent;
  stateDir: string;
  /** Every event taken so far, in order. */
  events: AgentEvent[];
  /** Takes events until one matches (returns it) or the timeout passes (throws, listing what came). */
  waitFor(match: (e: AgentEvent) => boolean, timeoutMs?: number): Promise<AgentEvent>;
  /** Takes events until the agent is idle; returns the events taken by this call. */
  settle(timeoutMs?: number): Promise<AgentEvent[]>;
  dispose(): Promise<void>;
}

export async function agentHarness(over: Partial<QemuAgentOptions> = {}): Promise<AgentHarness> {
  const tmp = await privateDir();
  const agent = await QemuAgent.create({
    stateDir: tmp.dir, binary: QEMU_BINARY, accel: 'tcg', accelProbe: 'test: tcg', artefacts: guestArtefacts(), ...over,
  });
  const events: AgentEvent[] = [];
  let seen = 0;
  const h: AgentHarness = {
    agent, stateDir: tmp.dir, events,
    async waitFor(match, timeoutMs = 45_000) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        for (; seen < events.length; seen++) if (match(events[seen]!)) return events[seen++]!;
        if (Date.now() > deadline) throw new Error(`no matching event within ${timeoutMs} ms; got ${JSON.stringify(events)}; in flight: ${agent.inFlight()}`);
        const got = await agent.next(Math.min(deadline, Date.now() + 1000));
        events.push(...got);
      }
    },
    async settle(timeoutMs = 45_000) {
      const deadline = Date.now() + timeoutMs;
      const start = events.length;
      while (!agent.idle()) {
        if (Date.now() > deadline) throw new Error(`not idle after ${timeoutMs} ms: ${agent.inFlight()}`);
        events.push(...(await agent.next(deadline)));
      }
      seen = events.length;
      return events.slice(start);
    },
    async dispose() {
      await agent.dispose();
      await tmp.cleanup();
    },
  };
  return h;
}
