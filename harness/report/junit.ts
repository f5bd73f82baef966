/**
 * JUnit XML writer (public: harness/report/index.ts writes its output to
 * reports/<run-id>/junit.xml), in the Maven Surefire dialect that Jenkins,
 * GitLab and GitHub test reporters read:
 *
 * - one `<testsuite name="vmconform">` (tests/failures/errors/skipped/time)
 *   whose `<properties>` say seed, accel, backends and fingerprints;
 * - one `<testcase>` per property (unique names), with its replay token(s)
 *   and seed as `<properties>`;
 * - a counterexample is `<failure type="counterexample">` whose body is the
 *   readable counterexample (steps with each backend's answer, then the diff);
 * - a flaky failure (did not reproduce) is Surefire's `<flakyFailure>` with the
 *   body in `<stackTrace>`, and the case counts as passed;
 * - an error without a diff is `<error>`;
 * - a known deviation is `<skipped>` (as pytest reports an xfail), the
 *   counterexample in `<system-out>`.
 *
 * Why no XML library: the document is a fixed two-level shape, and the only
 * delicate part is text that XML 1.0 cannot carry at all (control characters,
 * lone surrogates: invalid even as character references). xmlbuilder2 either
 * rejects those or writes them through, so it would need this same filter; the
 * five entity replacements are all it would add, not worth a runtime
 * dependency. The test checks the output with saxes, a strict XML 1.0 parser.
 */
import type { Failure, RunResults } from './types.ts';
import {
  failingStepIndex,
  failureKind,
  failureMessage,
  formatResult,
  formatValue,
  propertyOutcomes,
  replayCommand,
  type OutcomeStatus,
  type PropertyOutcome,
} from './outcomes.ts';

/** Characters XML 1.0 forbids, even escaped: printed as `\uXXXX` so the text stays readable. */
const NOT_XML = /[^\t\n\r\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/gu;
const ENTITY: Record<string, string> = {
  '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;', '\t': '&#9;', '\n': '&#10;', '\r': '&#13;',
};

function legal(s: string): string {
  return s.replace(NOT_XML, (c) => `\\u${(c.codePointAt(0) ?? 0).toString(16).padStart(4, '0')}`);
}

/** Attribute values also keep their tabs and line breaks (a parser would normalise them to spaces). */
function attr(s: string): string {
  return legal(s).replace(/[&<>"'\t\n\r]/g, (c) => ENTITY[c] ?? c);
}

function text(s: string): string {
  return legal(s).replace(/[&<>\r]/g, (c) => ENTITY[c] ?? c);
}

/** An element before rendering. Internal. */
interface Element {
  name: string;
  attrs?: Record<string, string | number | boolean>;
  children?: Element[];
  text?: string;
}

function render(e: Element, indent: string): string {
  const attrs = Object.entries(e.attrs ?? {})
    .map(([k, v]) => ` ${k}="${attr(String(v))}"`)
    .join('');
  const open = `${indent}<${e.name}${attrs}`;
  if (e.text !== undefined) return `${open}>${text(e.text)}</${e.name}>`;
  if (!e.children || e.children.length === 0) return `${open}/>`;
  return [`${open}>`, ...e.children.map((c) => render(c, `${indent}  `)), `${indent}</${e.name}>`].join('\n');
}

const seconds = (ms: number | undefined): string => ((ms ?? 0) / 1000).toFixed(3);

function properties(entries: Array<[string, unknown]>): Element {
  return {
    name: 'properties',
    children: entries
      .filter(([, v]) => v !== undefined && v !== null)
      .map(([name, value]) => ({ name: 'property', attrs: { name, value: String(value) } })),
  };
}

/** The counterexample as a person reads it: answers per step, then the diff. Internal. */
export function counterexampleText(f: Failure, reference: string): string {
  const failing = failingStepIndex(f);
  const steps = f.steps.map((s, i) => {
    const answers = Object.entries(s.results).map(([b, r]) => `${b}: ${formatResult(r)}`).join(' | ');
    return `${i === failing ? '>' : ' '} ${i + 1}. ${s.command.text}    [${answers}]`;
  });
  const diff = f.diff.map((d) => `  ${d.path}: expected ${formatValue(d.expected)}, actual ${formatValue(d.actual)} (${d.backend})`);
  const lines = [
    `${f.property}: ${failureMessage(f)}`,
    `replay: ${replayCommand(f.token)}`,
    `seed ${f.seed}, path ${f.path}, shrunk from ${f.shrunkFrom} to ${f.steps.length} step(s)${f.partiallyShrunk ? ' (partially)' : ''}, ${f.classification ?? 'unconfirmed'}`,
    ...(f.known ? [`known deviation: ${f.known.reason}${f.known.link ? ` (${f.known.link})` : ''}`] : []),
    ...(f.error !== undefined ? [`error: ${f.error}`] : []),
    '',
    'steps (answer of each backend):',
    ...steps,
    ...(diff.length > 0 ? ['', `diff after step ${failing + 1} (expected = ${reference}):`, ...diff] : []),
  ];
  return lines.join('\n');
}

/** The elements each status puts in its testcase, from the counterexample texts of its failures. */
const VERDICT: Record<OutcomeStatus, (o: PropertyOutcome, texts: string[], message: string) => Element[]> = {
  pass: () => [],
  fail: (_o, texts, message) => [{ name: 'failure', attrs: { message, type: 'counterexample' }, text: texts.join('\n\n') }],
  error: (_o, texts, message) => [{ name: 'error', attrs: { message, type: 'error' }, text: texts.join('\n\n') }],
  flaky: (o, texts) =>
    o.failures.map((f, i) => ({
      name: 'flakyFailure',
      attrs: { message: failureMessage(f), type: 'counterexample' },
      children: [{ name: 'stackTrace', text: texts[i] ?? '' }],
    })),
  known: (_o, texts, message) => [
    { name: 'skipped', attrs: { message } },
    { name: 'system-out', text: texts.join('\n\n') },
  ],
};

function testcase(o: PropertyOutcome, classname: string, reference: string): Element {
  const texts = o.failures.map((f) => counterexampleText(f, reference));
  const tokens = o.failures.map((f, i): [string, unknown] => [i === 0 ? 'token' : `token.${i + 1}`, f.token]);
  const seeds = o.failures.slice(0, 1).flatMap((f): Array<[string, unknown]> => [
    ['seed', f.seed],
    ['path', f.path],
    ['classification', f.classification ?? 'unconfirmed'],
  ]);
  const props = tokens.length > 0 ? [properties([...tokens, ...seeds])] : [];
  // The worst failure gives the message; every failure of the property is in the body.
  const worst = o.failures.find((f) => failureKind(f) === 'counterexample') ?? o.failures[0];
  const message = worst ? failureMessage(worst) : 'property failed without a recorded counterexample';
  const verdict = VERDICT[o.status](o, texts, message);
  return {
    name: 'testcase',
    attrs: { name: o.name, classname, time: seconds(o.durationMs) },
    children: [...props, ...verdict],
  };
}

/** Public: the run as a JUnit XML document (Surefire dialect). Pure. */
export function toJUnit(results: RunResults): string {
  const outcomes = propertyOutcomes(results);
  const count = (s: OutcomeStatus) => outcomes.filter((o) => o.status === s).length;
  const reference = results.backends[0] ?? 'reference';
  const classname = results.suite ? `vmconform.${results.suite}` : 'vmconform';
  const fingerprints = (results.fingerprints ?? []).map((fp): [string, unknown] => {
    const { backend, ...facts } = fp;
    const described = Object.entries(facts).map(([k, v]) => `${k}=${String(v)}`).join('; ');
    return [`fingerprint.${backend}`, described || 'none'];
  });
  const suite: Element = {
    name: 'testsuite',
    attrs: {
      name: 'vmconform',
      tests: outcomes.length,
      failures: count('fail'),
      errors: count('error'),
      skipped: count('known'),
      time: seconds(results.durationMs),
      timestamp: results.startedAt,
    },
    children: [
      properties([
        ['runId', results.runId],
        ['suite', results.suite],
        ['seed', results.seed],
        ['accel', results.accel ?? 'none'],
        ['accelProbe', results.accelProbe],
        ['backends', results.backends.join(',')],
        ...fingerprints,
        ['runs', results.runs],
        ['sequences', results.sequences],
        ['steps', results.steps],
        ['budgetSeconds', results.budgetSeconds],
        ['budgetExhausted', results.budgetExhausted ?? false],
        ['interrupted', results.interrupted ?? false],
        ['passed', results.passed],
      ]),
      ...outcomes.map((o) => testcase(o, classname, reference)),
    ],
  };
  return `<?xml version="1.0" encoding="UTF-8"?>\n${render(suite, '')}\n`;
}
