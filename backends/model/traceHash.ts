/**
 * The model's trace hash: fixed seeds × generated commands (commandMix.ts)
 * on the synchronous driver, hashing every answer, effect, event and
 * observation. A refactoring of the core that keeps behaviour keeps the
 * hashes; one that changes them names each difference. Internal (tool):
 *
 *   node --import tsx backends/model/traceHash.ts [seeds=40] [commands=250]
 *
 * Prints one sha256 per stream and one over all of them.
 */
import { createHash, type Hash } from 'node:crypto';
import type { AgentEvent, Effect } from '../../harness/cluster/agent.ts';
import type { EventSink } from './SimAgent.ts';
import { SimCluster } from './SimCluster.ts';
import { baseObjects, mixCommands, runMixCommand } from './commandMix.ts';

export interface TraceHashes {
  answers: string;
  effects: string;
  events: string;
  observations: string;
  all: string;
}

/** Hashes of `seeds` runs of `commands` commands each. */
export function traceHashes(seeds: number, commands: number): TraceHashes {
  const h = { answers: createHash('sha256'), effects: createHash('sha256'), events: createHash('sha256'), observations: createHash('sha256') };
  const all = createHash('sha256');
  const put = (stream: Hash, x: unknown) => {
    const s = JSON.stringify(x) + '\n';
    stream.update(s);
    all.update(s);
  };
  for (let seed = 1; seed <= seeds; seed++) {
    const c = new SimCluster({ core: { seed } });
    // every effect the core hands the agent and every event the agent answers with, in order
    const performInto = c.agent.performInto.bind(c.agent);
    c.agent.performInto = (e: Effect, out: EventSink) => {
      put(h.effects, e);
      performInto(e, { push: (ev: AgentEvent) => (put(h.events, ev), out.push(ev)) });
    };
    for (const o of baseObjects()) put(h.answers, c.apply(o));
    c.settle();
    for (const cmd of mixCommands(seed, commands)) {
      put(h.answers, runMixCommand(c, cmd));
      c.settle();
      put(h.observations, c.observe());
    }
  }
  return {
    answers: h.answers.digest('hex'),
    effects: h.effects.digest('hex'),
    events: h.events.digest('hex'),
    observations: h.observations.digest('hex'),
    all: all.digest('hex'),
  };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const seeds = Number(process.argv[2] ?? 40);
  const commands = Number(process.argv[3] ?? 250);
  const t0 = performance.now();
  const hashes = traceHashes(seeds, commands);
  for (const [k, v] of Object.entries(hashes)) console.log(`${k.padEnd(12)} ${v}`);
  console.log(`(${seeds} seeds × ${commands} commands, ${((performance.now() - t0) / 1000).toFixed(1)} s)`);
}
