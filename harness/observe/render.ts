/**
 * Human rendering of a diff. Public: what
 * `vmconform run` and `vmconform replay` print for a counterexample.
 */
import type { DiffEntry } from './types.ts';

/** Longest value shown on a line; results.json keeps the whole value. */
const MAX_VALUE = 160;

function show(v: unknown): string {
  if (v === undefined) return '(absent)';
  const text = JSON.stringify(v);
  return text.length > MAX_VALUE ? `${text.slice(0, MAX_VALUE - 1)}…` : text;
}

/** One line per differing path: `path: <reference>=X  <backend>=Y` (long values cut). */
export function renderDiff(entries: readonly DiffEntry[], reference: string): string {
  if (entries.length === 0) return '  (no difference)';
  return entries
    .map((e) => `  ${e.path}: ${reference}=${show(e.expected)}  ${e.backend}=${show(e.actual)}`)
    .join('\n');
}
