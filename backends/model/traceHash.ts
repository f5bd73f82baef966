/**
 * The model's trace hash: fixed seeds × generated commands (commandMix.ts)
 * on the synchronous driver, hashing every answer, effect, event and
 * observation. A refactoring of the core that keeps behaviour keeps the
 * hashes; one that changes them names each difference. Run it with
 * scripts/trace-hash.ts. Public (through index.ts).
 */
import { createHash } from 'node:crypto';
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

export type Stream = 'answer' | 'effect' | 'event' | 'observation';

/**
 * Runs one seed: the base objects, then `commands` generated commands, each
 * followed by settle and observe; `record` gets every answer, effect, event
 * and observation in order. `restoreAfter(step)` true: the core is saved to
 * JSON after that step and the run continues on a core restored from it (the
 * save / restore property).
 */
export function runTrace(seed: number, commands: number, record: (stream: Stream, x: unknown, step: number, cmd: unknown) => void, restoreAfter?: (step: number) => boolean): void {
  const c = new SimCluster({ core: { seed } });
  let step = 0;
  let cmd: unknown = 'setup';
  // every effect the core hands the agent and every event the agent answers with, in order
  const performInto = c.agent.performInto.bind(c.agent);
  c.agent.performInto = (e: Effect, out: EventSink) => {
    record('effect', e, step, cmd);
    performInto(e, { push: (ev: AgentEvent) => (record('event', ev, step, cmd), out.push(ev)) });
  };
  for (const o of baseObjects()) record('answer', c.apply(o), step, cmd);
  c.settle();
  for (const x of mixCommands(seed, commands)) {
    step++;
    cmd = x;
    record('answer', runMixCommand(c, x), step, cmd);
    c.settle();
    record('observation', c.observe(), step, cmd);
    if (restoreAfter?.(step)) c.restore(JSON.parse(JSON.stringify(c.save())));
  }
}

/** Hashes of `seeds` runs of `commands` commands each; `line` sees every hashed line. */
export function traceHashes(seeds: number, commands: number, line?: (text: string) => void): TraceHashes {
  const h = { answer: createHash('sha256'), effect: createHash('sha256'), event: createHash('sha256'), observation: createHash('sha256') };
  const all = createHash('sha256');
  for (let seed = 1; seed <= seeds; seed++) {
    runTrace(seed, commands, (stream, x, step, cmd) => {
      const s = JSON.stringify(x) + '\n';
      h[stream].update(s);
      all.update(s);
      if (line) line(`${seed} ${step === 0 ? 'setup' : `${step} ${JSON.stringify(cmd)}`} ${stream} ${s}`);
    });
  }
  return { answers: h.answer.digest('hex'), effects: h.effect.digest('hex'), events: h.event.digest('hex'), observations: h.observation.digest('hex'), all: all.digest('hex') };
}
