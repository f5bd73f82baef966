/**
 * HTML report writer (public: harness/report/index.ts writes its output to
 * reports/<run-id>/index.html).
 *
 * One self-contained page: inline CSS, no script, no external request (a
 * Content-Security-Policy forbids them), readable from file://. It shows the
 * run summary, the coverage of the generated sequences (html/coverage.ts),
 * then each counterexample as a timeline: one lane (row) per
 * backend, one column per step; a cell holds the backend's answer and a
 * compact state (per VM: printableStatus; per VMI: label, phase, node), and
 * the failing step is highlighted with its diff. Every value taken from the
 * results goes through `html\`\`` (html/markup.ts), which escapes it.
 */
import { z } from 'zod';
import type { BackendFingerprint } from '../../backends/contract.ts';
import type { DiffEntry, Failure, RunResults, StepRecord } from './types.ts';
import { html, trusted, type Markup } from './html/markup.ts';
import { STYLE } from './html/style.ts';
import { coverageSection } from './html/coverage.ts';
import {
  failingStepIndex,
  failureKind,
  failureMessage,
  formatResult,
  formatValue,
  propertyOutcomes,
  replayCommand,
  type FailureKind,
} from './outcomes.ts';

/** What a timeline cell shows of a canonical observation; anything else is ignored. */
const CompactObservation = z.object({
  vms: z.record(z.string(), z.object({ printableStatus: z.string().optional() })).optional(),
  vmis: z
    .record(z.string(), z.object({ uid: z.string().optional(), phase: z.string().optional(), node: z.string().nullable().optional() }))
    .optional(),
});

/** `754321` → `12 min 34.3 s`. */
function duration(ms: number): string {
  if (ms < 1000) return `${ms} ms`;
  const s = ms / 1000;
  if (s < 60) return `${s.toFixed(1)} s`;
  const min = Math.floor(s / 60);
  return `${min} min ${(s - min * 60).toFixed(1)} s`;
}

/** `sha256:9f2c4e1b7a3d5c6e…` → first 12 hex digits: enough to tell images apart at a glance. */
function shortDigest(d: string): string {
  const m = /^([a-z0-9]+:)?([0-9a-f]{12})[0-9a-f]{8,}$/.exec(d);
  return m ? `${m[1] ?? ''}${m[2]}…` : d;
}

function fingerprintText(fp: BackendFingerprint | undefined): string {
  if (!fp) return '';
  const parts = [
    fp.qemuVersion && `QEMU ${fp.qemuVersion}`,
    fp.machine && `machine ${fp.machine}`,
    fp.accel && `accel ${fp.accel}`,
    fp.guestImageDigest && `image ${shortDigest(fp.guestImageDigest)}`,
  ];
  return parts.filter(Boolean).join(' · ');
}

function item(label: string, value: unknown, note?: unknown): Markup {
  return html`<div><dt>${label}</dt><dd>${value}${note ? html`<small>${note}</small>` : ''}</dd></div>`;
}

function summary(r: RunResults): Markup {
  const fps = new Map((r.fingerprints ?? []).map((f) => [f.backend, f]));
  const backends = r.backends.map((b, i) => html`<div>${b}${i === 0 ? ' (reference)' : ''}${fingerprintText(fps.get(b)) ? html`<small class="mono" title="${fps.get(b)?.guestImageDigest ?? ''}">${fingerprintText(fps.get(b))}</small>` : ''}</div>`);
  return html`<dl class="summary">
${item('Result', r.passed ? 'PASSED' : 'FAILED', `${r.failures.length} failure record(s)`)}
${item('Accelerator', r.accel ?? 'none (no real backend)', r.accelProbe)}
${item('Backends', backends)}
${item('Seed', r.seed)}
${item('Sequences', `${r.sequences} executed of ${r.runs} asked`, `${r.steps} steps`)}
${item('Budget', r.budgetSeconds === undefined ? 'none' : `${r.budgetSeconds} s`, r.budgetExhausted ? 'ran out: generation stopped early' : undefined)}
${item('Interrupted', r.interrupted ? 'yes' : 'no')}
${item('Duration', duration(r.durationMs), `started ${r.startedAt}`)}
${item('Run', r.runId, r.suite ? `suite ${r.suite}` : undefined)}
</dl>`;
}

const STATUS_LABEL: Record<string, string> = { pass: 'pass', fail: 'FAIL', error: 'ERROR', flaky: 'flaky', known: 'known deviation' };

function propertiesTable(r: RunResults, anchors: Map<Failure, string>): Markup {
  const rows = propertyOutcomes(r).map((o) => {
    const links = o.failures.map((f) => html` <a href="#${anchors.get(f) ?? ''}">counterexample</a>`);
    return html`<tr><td>${o.name}</td><td><span class="badge ${o.status}">${STATUS_LABEL[o.status] ?? o.status}</span>${links}</td><td class="num">${o.sequences ?? ''}</td><td class="num">${o.steps ?? ''}</td><td class="num">${o.durationMs === undefined ? '' : duration(o.durationMs)}</td></tr>`;
  });
  return html`<h2>Properties</h2><table class="props"><thead><tr><th>property</th><th>status</th><th>sequences</th><th>steps</th><th>time</th></tr></thead><tbody>${rows}</tbody></table>`;
}

/** A diff path names a VM (`vms.<name>.…`), a VMI (`vmis.<name>.…`) or the answer (`result.…`). */
const touches = (diff: DiffEntry[], prefix: string): boolean => diff.some((d) => d.path === prefix || d.path.startsWith(`${prefix}.`));

/** The value a lane holds for a diff entry: the reference holds `expected`, the named backend `actual`. */
function laneValue(d: DiffEntry, lane: string, reference: string): string | undefined {
  if (lane === d.backend) return formatValue(d.actual);
  if (lane === reference) return formatValue(d.expected);
  return undefined;
}

function stateList(observation: unknown, diff: DiffEntry[]): Markup {
  if (observation === undefined) return html`<div class="none">no observation recorded</div>`;
  const parsed = CompactObservation.safeParse(observation);
  if (!parsed.success) return html`<div class="none">observation not readable</div>`;
  const vms = Object.entries(parsed.data.vms ?? {}).map(
    ([name, vm]) => html`<li class="${touches(diff, `vms.${name}`) ? 'differs' : ''}"><span class="kind">VM</span>${name}: ${vm.printableStatus ?? '?'}</li>`,
  );
  const vmis = Object.entries(parsed.data.vmis ?? {}).map(
    ([name, vmi]) =>
      html`<li class="${touches(diff, `vmis.${name}`) ? 'differs' : ''}"><span class="kind">VMI</span>${name} ${vmi.uid ?? ''} ${vmi.phase ?? '?'}${vmi.node ? ` @${vmi.node}` : ''}</li>`,
  );
  if (vms.length + vmis.length === 0) return html`<div class="none">no VM, no VMI</div>`;
  return html`<ul class="state">${vms}${vmis}</ul>`;
}

/** Diff paths a cell already shows (answer, VM status, VMI phase/node/label): not repeated under it. */
const SHOWN_IN_CELL = [/^result\.code$/, /^vms\..+\.printableStatus$/, /^vmis\..+\.(phase|node|uid)$/];

function cell(step: StepRecord, lane: string, reference: string, failing: boolean): Markup {
  const diff = step.diff ?? [];
  const answer = step.results[lane];
  const answerClass = answer === undefined ? 'none' : answer.ok ? 'ok' : 'err';
  const diffLines = diff.flatMap((d) => {
    const v = SHOWN_IN_CELL.some((re) => re.test(d.path)) ? undefined : laneValue(d, lane, reference);
    return v === undefined ? [] : [html`<div><span class="mono">${d.path}</span> = <b>${v}</b></div>`];
  });
  return html`<td class="cell${failing ? ' failing' : ''}" data-lane="${lane}"><div class="answer ${answerClass}${touches(diff, 'result') ? ' differs' : ''}">${formatResult(answer)}</div>${stateList(step.observations?.[lane], diff)}${diffLines.length > 0 ? html`<div class="cell-diff">${diffLines}</div>` : ''}</td>`;
}

function timeline(f: Failure, lanes: string[], reference: string): Markup {
  if (f.steps.length === 0) return html`<p class="none">no steps recorded</p>`;
  const failing = failingStepIndex(f);
  const head = f.steps.map(
    (s, i) => html`<th class="step${i === failing ? ' failing' : ''}" data-step="${i + 1}"><span class="n">step ${i + 1}${i === failing ? (failureKind(f) === 'error' ? ' ✗ error' : ' ✗ diverges') : ''}</span><span class="cmd">${s.command.text}</span></th>`,
  );
  const rows = lanes.map(
    (lane) => html`<tr data-lane="${lane}"><th class="lane">${lane}${lane === reference ? html`<small>reference</small>` : ''}</th>${f.steps.map((s, i) => cell(s, lane, reference, i === failing))}</tr>`,
  );
  return html`<div class="timeline-wrap"><table class="timeline"><thead><tr><th class="lane">backend</th>${head}</tr></thead><tbody>${rows}</tbody></table></div>`;
}

function diffTable(f: Failure, reference: string): Markup {
  if (f.diff.length === 0) return html``;
  const rows = f.diff.map(
    (d) => html`<tr><td class="mono">${d.path}</td><td class="mono expected">${formatValue(d.expected)}</td><td class="mono actual">${formatValue(d.actual)}</td><td>${d.backend}</td></tr>`,
  );
  return html`<div class="diff"><h3>Diff after step ${failingStepIndex(f) + 1}</h3><table><thead><tr><th>path</th><th>expected (${reference})</th><th>actual</th><th>backend</th></tr></thead><tbody>${rows}</tbody></table></div>`;
}

const KIND_LABEL: Record<FailureKind, string> = {
  counterexample: 'counterexample',
  error: 'error',
  flaky: 'flaky: did not reproduce',
  known: 'known deviation',
};

function counterexample(f: Failure, id: string, lanes: string[], reference: string): Markup {
  const kind = failureKind(f);
  const last = f.steps[failingStepIndex(f)];
  return html`<article class="cx ${kind}" id="${id}">
<h2>${f.property} <span class="badge ${kind}">${KIND_LABEL[kind]}</span></h2>
<p class="message">${failureMessage(f)}</p>
${f.known ? html`<p class="meta">Known deviation: ${f.known.reason}${f.known.link ? html` (<span class="mono">${f.known.link}</span>)` : ''}</p>` : ''}
${f.error !== undefined ? html`<pre class="error">${f.error}</pre>` : ''}
<code class="replay">${replayCommand(f.token)}</code>
<p class="meta">seed ${f.seed} · path ${f.path} · shrunk from ${f.shrunkFrom} to ${f.steps.length} step(s)${f.partiallyShrunk ? ' (partially: shrink budget ran out)' : ''} · ${f.classification ?? 'not confirmed'}</p>
${timeline(f, lanes, reference)}
${diffTable(f, reference)}
${last?.observations ? html`<details><summary>Full observations after step ${failingStepIndex(f) + 1}</summary><pre>${JSON.stringify(last.observations, null, 2)}</pre></details>` : ''}
</article>`;
}

// Real failures first, then errors, flaky ones, known deviations.
const ORDER: Record<FailureKind, number> = { counterexample: 0, error: 1, flaky: 2, known: 3 };

/** Public: the run as one self-contained HTML page. Pure. */
export function toHtml(results: RunResults): string {
  const reference = results.backends[0] ?? '';
  // Lanes: the run's backends, then any other backend that answered a step.
  const answered = results.failures.flatMap((f) => f.steps.flatMap((s) => Object.keys(s.results)));
  const lanes = [...new Set([...results.backends, ...answered])];
  const anchors = new Map(results.failures.map((f, i) => [f, `cx-${i + 1}`]));
  const sorted = [...results.failures].sort((a, b) => ORDER[failureKind(a)] - ORDER[failureKind(b)]);
  const verdict = results.passed ? 'PASSED' : 'FAILED';
  const kinds = sorted.map((f) => failureKind(f));
  const tally = (Object.keys(ORDER) as FailureKind[])
    .map((k) => [k, kinds.filter((x) => x === k).length] as const)
    .filter(([, n]) => n > 0)
    .map(([k, n]) => `${n} ${KIND_LABEL[k]}`)
    .join(', ');
  const page = html`<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>vmconform ${verdict}: run ${results.runId}</title>
<style>${trusted(STYLE)}</style>
</head>
<body>
<header class="banner ${results.passed ? 'pass' : 'fail'}">${verdict}: vmconform run ${results.runId}<small>${results.backends.join(' vs ')} · ${tally || 'no counterexample'}</small></header>
<main>
${summary(results)}
${propertiesTable(results, anchors)}
${coverageSection(results.coverage)}
${sorted.length > 0 ? html`<h2>Counterexamples</h2>${sorted.map((f) => counterexample(f, anchors.get(f) ?? '', lanes, reference))}` : ''}
</main>
</body>
</html>
`;
  return page.value;
}
