/**
 * The model's trace hash: fixed seeds × generated commands (commandMix.ts)
 * on the synchronous driver, hashing every answer, effect, event and
 * observation. A refactoring of the core that keeps behaviour keeps the
 * hashes; one that changes them names each difference. Internal (tool):
 *
 *   node --import tsx backends/model/traceHash.ts [seeds=40] [commands=250] [trace-file]
 *
 * Prints one sha256 per stream and one over all of them; with a trace file,
 * also writes every hashed line there (`seed step stream json`), to find the
 * first difference between two versions with diff.
 */
import { createHash, type Hash } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import type { AgentEvent, Effect } from '../../harness/cluster/index.ts';
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

/** Hashes of `seeds` runs of `commands` commands each; `line` sees every hashed line. */
export function traceHashes(seeds: number, commands: number, line?: (text: string) => void): TraceHashes {
  const h = { answers: createHash('sha256'), effects: createHash('sha256'), events: createHash('sha256'), observations: createHash('sha256') };
  const all = createHash('sha256');
  let where = '';
  const put = (stream: Hash, x: unknown) => {
    const s = JSON.stringify(x) + '\n';
    stream.update(s);
    all.update(s);
    if (line) line(`${where} ${stream === h.answers ? 'answer' : stream === h.effects ? 'effect' : stream === h.events ? 'event' : 'observation'} ${s}`);
  };
  for (let seed = 1; seed <= seeds; seed++) {
    const c = new SimCluster({ core: { seed } });
    // every effect the core hands the agent and every event the agent answers with, in order
    const performInto = c.agent.performInto.bind(c.agent);
    c.agent.performInto = (e: Effect, out: EventSink) => {
      put(h.effects, e);
      performInto(e, { push: (ev: AgentEvent) => (put(h.events, ev), out.push(ev)) });
    };
    where = `${seed} setup`;
    for (const o of baseObjects()) put(h.answers, c.apply(o));
    c.settle();
    let step = 0;
    for (const cmd of mixCommands(seed, commands)) {
      where = `${seed} ${++step} ${JSON.stringify(cmd)}`;
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
  const out = process.argv[4];
  const lines: string[] = [];
  const t0 = performance.now();
  const hashes = traceHashes(seeds, commands, out === undefined ? undefined : (l) => lines.push(l));
  if (out !== undefined) writeFileSync(out, lines.join(''));
  for (const [k, v] of Object.entries(hashes)) console.log(`${k.padEnd(12)} ${v}`);
  console.log(`(${seeds} seeds × ${commands} commands, ${((performance.now() - t0) / 1000).toFixed(1)} s)`);
}
