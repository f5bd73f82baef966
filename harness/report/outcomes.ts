/**
 * What the three report writers (tap.ts, junit.ts, html.ts) agree on: how a
 * run splits into per-property outcomes, how a failure is classified, and how
 * values and answers print. Internal to harness/report.
 */
import type { Result } from '../contract/index.ts';
import type { Failure, RunResults } from './types.ts';

/**
 * How a failure counts, most forgiving first:
 * - `known`: matched the baseline of known deviations: reported, never fails the run;
 * - `flaky`: did not reproduce on --confirm re-runs (Surefire's flakyFailure: counts as passed);
 * - `error`: an unexpected error and no diff;
 * - `counterexample`: a reproducible (or unconfirmed) divergence between backends.
 */
export type FailureKind = 'known' | 'flaky' | 'error' | 'counterexample';

/** Internal. */
export function failureKind(f: Failure): FailureKind {
  if (f.known) return 'known';
  if (f.classification === 'flaky') return 'flaky';
  if (f.error !== undefined && f.diff.length === 0) return 'error';
  return 'counterexample';
}

/** Outcome of one property: `fail` and `error` fail the run, the others do not. */
export type OutcomeStatus = 'pass' | 'known' | 'flaky' | 'error' | 'fail';

/** Internal: one test point / testcase of a report. */
export interface PropertyOutcome {
  /** Unique among the outcomes of a run (suffixed ` (2)` ... when needed). */
  name: string;
  status: OutcomeStatus;
  failures: Failure[];
  sequences?: number;
  steps?: number;
  durationMs?: number;
}

// The worst kind decides a property's status; a table keeps the order in one place.
const STATUS_BY_SEVERITY: ReadonlyArray<[FailureKind, OutcomeStatus]> = [
  ['counterexample', 'fail'],
  ['error', 'error'],
  ['flaky', 'flaky'],
  ['known', 'known'],
];

function statusOf(failures: Failure[], passed: boolean): OutcomeStatus {
  const kinds = new Set(failures.map(failureKind));
  for (const [kind, status] of STATUS_BY_SEVERITY) if (kinds.has(kind)) return status;
  return passed ? 'pass' : 'fail';
}

/** Internal: `a`, `a (2)`, `a (3)` for repeated names, so every report entry is addressable. */
export function uniqueNames(names: readonly string[]): string[] {
  const seen = new Map<string, number>();
  const taken = new Set(names);
  return names.map((name) => {
    const n = (seen.get(name) ?? 0) + 1;
    seen.set(name, n);
    if (n === 1) return name;
    let candidate = `${name} (${n})`;
    while (taken.has(candidate)) candidate = `${candidate}'`;
    taken.add(candidate);
    return candidate;
  });
}

/** Name of the passing point when results.json lists no properties. */
export const ALL_SEQUENCES = 'all sequences';

/**
 * Internal: one outcome per property of the run. Without `properties`, one
 * outcome per failure plus one passing `all sequences` outcome. Failures
 * naming a property that is not listed get an outcome of their own, so none
 * is lost.
 */
export function propertyOutcomes(r: RunResults): PropertyOutcome[] {
  const raw: Array<Omit<PropertyOutcome, 'name'> & { name: string }> = [];
  if (r.properties) {
    const listed = new Set(r.properties.map((p) => p.name));
    for (const p of r.properties) {
      const failures = r.failures.filter((f) => f.property === p.name);
      raw.push({ ...p, status: statusOf(failures, p.passed), failures });
    }
    for (const f of r.failures.filter((x) => !listed.has(x.property))) {
      raw.push({ name: f.property, status: statusOf([f], false), failures: [f] });
    }
  } else {
    for (const f of r.failures) raw.push({ name: f.property, status: statusOf([f], false), failures: [f] });
    raw.push({ name: ALL_SEQUENCES, status: 'pass', failures: [], sequences: r.sequences, steps: r.steps, durationMs: r.durationMs });
  }
  const names = uniqueNames(raw.map((o) => o.name));
  return raw.map((o, i) => ({ ...o, name: names[i] ?? o.name }));
}

/** Internal: index of the step whose diff made the failure (last step with a diff, else the last step). */
export function failingStepIndex(f: Failure): number {
  for (let i = f.steps.length - 1; i >= 0; i--) if ((f.steps[i]?.diff?.length ?? 0) > 0) return i;
  return f.steps.length - 1;
}

/** Internal: one line saying what went wrong, per failure kind. */
export function failureMessage(f: Failure): string {
  const at = failingStepIndex(f) + 1;
  const byKind: Record<FailureKind, () => string> = {
    counterexample: () => `backends diverge after step ${at} (${f.diff.length} differing path(s))`,
    error: () => `error at step ${at}: ${f.error ?? ''}`,
    flaky: () => `backends diverged after step ${at}, but the counterexample did not reproduce on re-run (flaky)`,
    known: () => `known deviation: ${f.known?.reason ?? ''}`,
  };
  return byKind[failureKind(f)]();
}

/** Internal: compact JSON for a diff value; `(absent)` when the path does not exist on that side. */
export function formatValue(v: unknown): string {
  if (v === undefined) return '(absent)';
  try {
    return JSON.stringify(v) ?? String(v);
  } catch {
    return String(v);
  }
}

/** Internal: `ok`, or `409 <message>`; `-` when the backend has no answer for the step. */
export function formatResult(r: Result | undefined): string {
  if (!r) return '-';
  return r.ok ? 'ok' : `${r.code} ${r.message}`;
}

/** Internal: the command that replays a counterexample. */
export function replayCommand(token: string): string {
  return `vmconform replay --token ${token}`;
}
