/**
 * Answers shrink candidates without a replay where the outcome is already
 * known (docs/harness-choices.md §8). Internal (property.ts).
 *
 * A generated run is a pure function of the commands its choices resolve to,
 * and they resolve against the reference alone (runner.ts): so when the
 * reference is in memory (the model, milliseconds a run), each candidate is
 * first resolved against it alone, and its command list decides:
 * - its first k commands (after the same setup) are those of a run that
 *   failed at step k: it fails there the same way (a run stops at its first
 *   failing step, so what follows is never used);
 * - its whole list is one a run passed (or a prefix of one): it passes;
 * - it no longer holds the step the first failure failed at (same command
 *   kind, same answer of the reference): it is not that counterexample any
 *   more, and counts as passing without a replay.
 * Everything else is replayed on every backend. Only what really ran is
 * learnt, so a replay always decides over a guess.
 */
import { createHash } from 'node:crypto';
import { answerKey } from '../contract/index.ts';
import type { StepRecord } from './runResults.ts';
import { runSequence, type BackendFactory, type SequenceInput, type SequenceOutcome } from './runner.ts';

export type Verdict = { kind: 'pass' } | { kind: 'fail'; out: SequenceOutcome } | { kind: 'replay' };

const isSetup = (r: StepRecord) => (r.command.args as { setup?: boolean }).setup === true;

/** Keys of the setup plus each prefix of the steps: keys[j] names setup + the first j steps. */
function prefixKeys(steps: readonly StepRecord[]): string[] {
  const hash = (text: string) => createHash('sha256').update(text).digest('base64url');
  const cmd = (r: StepRecord) => JSON.stringify([r.command.kind, r.command.args]);
  let key = hash(JSON.stringify(steps.filter(isSetup).map(cmd)));
  const keys = [key];
  for (const r of steps.filter((s) => !isSetup(s))) keys.push((key = hash(key + cmd(r))));
  return keys;
}

/** What a step is, for "the candidate still holds the failing step": command kind, its verb/action/fault/object kind, the reference's answer code. */
function markOf(r: StepRecord, reference: string): string {
  const a = r.command.args as { verb?: string; action?: string; fault?: string; kind?: string; object?: { kind: string } };
  const answer = r.results[reference];
  return [r.command.kind, a.verb ?? a.action ?? a.fault ?? a.object?.kind ?? a.kind ?? '', answer ? (answerKey(answer).code ?? 'ok') : 'none'].join(' ');
}

export class ShrinkOracle {
  private readonly failed = new Map<string, SequenceOutcome>();
  private readonly passed = new Set<string>();
  /** The mark of the step the first failure failed at (none when it failed in setup). */
  private target: string | undefined;

  constructor(
    private readonly reference: BackendFactory,
    private readonly settleBudgetMs: number,
  ) {}

  /** Records what a real run showed (every backend). */
  learn(out: SequenceOutcome): void {
    if (out.aborted) return;
    const keys = prefixKeys(out.steps);
    const ran = out.ok ? keys : keys.slice(0, -1);
    for (const k of ran) this.passed.add(k);
    if (out.ok) return;
    this.failed.set(keys.at(-1) as string, out);
    const last = out.steps.at(-1);
    if (this.failed.size === 1 && last && !isSetup(last)) this.target = markOf(last, this.reference.name);
  }

  /** Resolves the candidate against the reference alone and says whether a replay is needed. */
  async judge(input: SequenceInput, signal?: AbortSignal): Promise<Verdict> {
    const alone = await runSequence(input, [this.reference], { settleBudgetMs: this.settleBudgetMs, ...(signal ? { signal } : {}) });
    if (alone.aborted) return { kind: 'replay' };
    const keys = prefixKeys(alone.steps);
    for (const k of keys) {
      const out = this.failed.get(k);
      if (out) return { kind: 'fail', out };
    }
    // The reference alone stopped early (an error): what follows is unknown, replay it.
    if (!alone.ok) return { kind: 'replay' };
    if (this.passed.has(keys.at(-1) as string)) return { kind: 'pass' };
    const target = this.target;
    if (target !== undefined && !alone.steps.some((r) => !isSetup(r) && markOf(r, this.reference.name) === target)) return { kind: 'pass' };
    return { kind: 'replay' };
  }
}
