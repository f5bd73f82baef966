/**
 * TAP 14 writer (public: harness/report/index.ts writes its output to
 * reports/<run-id>/results.tap).
 *
 * Real TAP 14 (testanything.org/tap-version-14-specification): `TAP version 14`,
 * a plan, one test point per property; a failing property carries a
 * `# Subtest:` block whose lines are indented 4 spaces (one point per step of
 * the counterexample) and a YAML diagnostic block (`  ---` / `  ...`) built
 * with the `yaml` package. vitest's tap reporter writes TAP 13 with brace
 * nesting and node-tap's generator is a whole test runner, so the points are
 * written here; only YAML, the part with real escaping rules, uses a library.
 *
 * Choices:
 * - A known deviation (Failure.known) is `not ok ... # TODO known deviation: <reason>`:
 *   TAP consumers do not count a TODO as a failure, and the details stay visible.
 * - A flaky failure (classification `flaky`) is `ok` with its diagnostic and
 *   subtest (the failing step is `not ok # TODO`), like JUnit's flakyFailure.
 * - A step is `not ok` when the backends disagreed after it (its diff), or when
 *   it is the last step of a failure none of whose steps has a diff.
 */
import { stringify } from 'yaml';
import type { Failure, RunResults, StepRecord } from './types.ts';
import {
  failingStepIndex,
  failureKind,
  failureMessage,
  formatResult,
  propertyOutcomes,
  replayCommand,
  type FailureKind,
  type OutcomeStatus,
  type PropertyOutcome,
} from './outcomes.ts';

/** A test point before rendering. Internal. */
interface Point {
  ok: boolean;
  name: string;
  directive?: string;
  diag?: Record<string, unknown>;
  subtest?: Point[];
}

const INDENT = '    ';

/** One line of TAP: line breaks become spaces, other control characters print as `\xNN`. */
function oneLine(s: string): string {
  return s
    .replace(/[\r\n]+/g, ' ')
    .replace(/[\u0000-\u001f\u007f]/g, (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`);
}

/** TAP descriptions end at `#`: escape it (and so the escape character). */
function description(s: string): string {
  return oneLine(s.replace(/\\/g, '\\\\').replace(/#/g, '\\#'));
}

/** Directive text cannot contain `#` (nothing unescapes it there). */
function directiveText(s: string): string {
  return oneLine(s).replace(/#/g, '');
}

/** YAML cannot hold `undefined`: a path absent on one side prints as `(absent)`. */
function yamlSafe(v: unknown): unknown {
  return v === undefined ? '(absent)' : v;
}

function comment(s: string): string {
  return `# ${oneLine(s)}`;
}

function renderPoint(p: Point, n: number, indent: string): string[] {
  const lines: string[] = [];
  if (p.subtest && p.subtest.length > 0) {
    lines.push(indent + comment(`Subtest: ${p.name}`));
    lines.push(...renderPoints(p.subtest, indent + INDENT));
  }
  const directive = p.directive ? ` # ${directiveText(p.directive)}` : '';
  lines.push(`${indent}${p.ok ? 'ok' : 'not ok'} ${n} - ${description(p.name)}${directive}`);
  if (p.diag) {
    const yaml = stringify(p.diag, { lineWidth: 0, doubleQuotedAsJSON: true }).replace(/\n$/, '');
    lines.push(`${indent}  ---`, ...yaml.split('\n').map((l) => `${indent}  ${l}`), `${indent}  ...`);
  }
  return lines;
}

function renderPoints(points: Point[], indent: string): string[] {
  return [`${indent}1..${points.length}`, ...points.flatMap((p, i) => renderPoint(p, i + 1, indent))];
}

// Per failure kind: whether its points count as passed, and the directive they carry.
const KIND_STYLE: Record<FailureKind, { ok: boolean; directive: (f: Failure) => string | undefined }> = {
  counterexample: { ok: false, directive: () => undefined },
  error: { ok: false, directive: () => undefined },
  flaky: { ok: true, directive: () => undefined },
  known: { ok: false, directive: (f) => `TODO known deviation: ${f.known?.reason ?? ''}` },
};

function failureDiag(f: Failure): Record<string, unknown> {
  const diag: Record<string, unknown> = {
    message: failureMessage(f),
    diff: f.diff.map((d) => ({ path: d.path, expected: yamlSafe(d.expected), actual: yamlSafe(d.actual), backend: d.backend })),
    token: f.token,
    replay: replayCommand(f.token),
    seed: f.seed,
    path: f.path,
    shrunkFrom: f.shrunkFrom,
    classification: f.classification ?? 'unconfirmed',
  };
  if (f.partiallyShrunk) diag.partiallyShrunk = true;
  if (f.known) diag.known = f.known;
  if (f.error !== undefined) diag.error = f.error;
  return diag;
}

function stepPoint(f: Failure, step: StepRecord, i: number): Point {
  const failing = (step.diff?.length ?? 0) > 0 || i === failingStepIndex(f);
  const name = `step ${i + 1}: ${step.command.text}`;
  if (!failing) return { ok: true, name };
  const kind = failureKind(f);
  const directive = kind === 'known' ? KIND_STYLE.known.directive(f) : kind === 'flaky' ? 'TODO did not reproduce on re-run' : undefined;
  const results = Object.fromEntries(Object.entries(step.results).map(([b, r]) => [b, formatResult(r)]));
  const diff = (step.diff ?? []).map((d) => ({ path: d.path, expected: yamlSafe(d.expected), actual: yamlSafe(d.actual), backend: d.backend }));
  return { ok: false, name, ...(directive ? { directive } : {}), diag: { results, diff } };
}

function failurePoint(f: Failure, name: string): Point {
  const style = KIND_STYLE[failureKind(f)];
  const directive = style.directive(f);
  return {
    ok: style.ok,
    name,
    ...(directive ? { directive } : {}),
    diag: failureDiag(f),
    subtest: f.steps.map((s, i) => stepPoint(f, s, i)),
  };
}

const PASSING: ReadonlySet<OutcomeStatus> = new Set(['pass', 'flaky']);

function outcomePoint(o: PropertyOutcome): Point {
  const [only, ...more] = o.failures;
  if (!only) {
    return PASSING.has(o.status)
      ? { ok: true, name: o.name }
      : { ok: false, name: o.name, diag: { message: 'property failed without a recorded counterexample' } };
  }
  if (more.length === 0) return failurePoint(only, o.name);
  // Several counterexamples for one property: one nested point each.
  const children = o.failures.map((f, i) => failurePoint(f, `counterexample ${i + 1}`));
  const known = o.status === 'known';
  return {
    ok: PASSING.has(o.status),
    name: o.name,
    ...(known ? { directive: 'TODO known deviations' } : {}),
    diag: { message: `${o.failures.length} counterexamples` },
    subtest: children,
  };
}

/** Public: the run as a TAP 14 document. Pure. */
export function toTap14(results: RunResults): string {
  const outcomes = propertyOutcomes(results);
  const header = ['TAP version 14', comment(`vmconform run ${results.runId}: backends ${results.backends.join(', ')}, seed ${results.seed}`)];
  if (results.interrupted) header.push(comment(`interrupted: ${results.sequences} of ${results.runs} sequences executed`));
  if (results.budgetExhausted) header.push(comment(`time budget of ${results.budgetSeconds ?? '?'} s reached: ${results.sequences} of ${results.runs} sequences executed`));
  return [...header, ...renderPoints(outcomes.map(outcomePoint), ''), ''].join('\n');
}
