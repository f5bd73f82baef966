/**
 * The coverage section of the HTML report (internal to html.ts): what the
 * generated sequences exercised (results.json `coverage`, README): the
 * migrations and their outcomes, per step kind how many were drawn,
 * accepted and refused by reason, the spec values of accepted VMs, the
 * values the suite leaves out and why, the rules that fired, and the
 * `--require-coverage` shortfalls. Every value goes through `html```.
 */
import { migrationShare } from '../../engine/index.ts';
import type { Coverage } from '../types.ts';
import { html, type Markup } from './markup.ts';

const byName = <T>(r: Record<string, T>): [string, T][] => Object.entries(r).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));

/** `{"409 Conflict": 3, "404 NotFound": 1}` → `409 Conflict 3 · 404 NotFound 1`, most first. */
function counts(r: Record<string, number>): string {
  return Object.entries(r)
    .sort(([a, x], [b, y]) => y - x || (a < b ? -1 : 1))
    .map(([k, n]) => `${k} ${n}`)
    .join(' · ');
}

function migrations(c: Coverage): Markup {
  const m = c.migrations;
  const rows: [string, number | string][] = [
    ['sequences with a migration that ran', `${m.sequences ?? 0} of ${c.sequences} (${migrationShare(c)} %)`],
    ['ran', m.ran ?? 0],
    ['succeeded', m.succeeded],
    ['failed', m.failed],
    ['failed in flight', m.failedInFlight ?? 0],
    ['of those, by target death', m.targetDied ?? 0],
    ['aborted', m.aborted],
  ];
  return html`<h3>Migrations</h3><table class="props cov-migrations"><tbody>${rows.map(([k, v]) => html`<tr><td>${k}</td><td class="num">${v}</td></tr>`)}</tbody></table>`;
}

function commands(c: Coverage): Markup {
  const rows = byName(c.commands).map(
    ([kind, k]) => html`<tr><td>${kind}</td><td class="num">${k.drawn}</td><td class="num">${k.accepted}</td><td>${counts(k.refused)}</td></tr>`,
  );
  return html`<h3>Step kinds</h3><table class="props cov-commands"><thead><tr><th>kind</th><th>drawn</th><th>accepted</th><th>refused</th></tr></thead><tbody>${rows}</tbody></table>`;
}

function spec(c: Coverage): Markup {
  const rows = byName(c.spec).map(([dim, values]) => html`<tr><td>${dim}</td><td>${byName(values).map(([v, n]) => `${v} ${n}`).join(' · ')}</td></tr>`);
  const left = (c.notDrawn ?? []).map((x) => html`<tr><td>${x.dimension}</td><td>${x.value}</td><td>${x.why}</td><td>${x.reason}</td></tr>`);
  return html`<h3>Spec values of accepted VMs</h3><table class="props cov-spec"><thead><tr><th>dimension</th><th>values (VMs)</th></tr></thead><tbody>${rows}</tbody></table>
${left.length > 0 ? html`<h3>Not drawn</h3><table class="props cov-not-drawn"><thead><tr><th>dimension</th><th>value</th><th>why</th><th>reason</th></tr></thead><tbody>${left}</tbody></table>` : ''}`;
}

function rulesAndRequirements(c: Coverage): Markup {
  const rules = byName(c.rules ?? {});
  return html`${rules.length > 0 ? html`<h3>Rules fired</h3><p class="mono">${rules.map(([id, n]) => `${id} ${n}`).join(' · ')}</p>` : ''}
${(c.shortfalls ?? []).length > 0 ? html`<h3>Required coverage not met</h3><ul class="cov-shortfalls">${(c.shortfalls ?? []).map((s) => html`<li>${s}</li>`)}</ul>` : ''}`;
}

/** The section, or nothing when no generated sequence ran. */
export function coverageSection(c: Coverage | undefined): Markup {
  if (!c) return html``;
  return html`<h2>Coverage</h2><p class="meta">Over the ${c.sequences} generated sequences counted (shrink and confirmation re-runs and hand-written scenarios excluded).</p>
${migrations(c)}
${commands(c)}
${spec(c)}
${rulesAndRequirements(c)}`;
}
