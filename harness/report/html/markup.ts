/**
 * Escaping by construction for the HTML report (internal): `html\`...\``
 * escapes every interpolated value unless it is already markup (`Markup`,
 * made only by `html` itself), so text from results.json can never become
 * markup by accident.
 */

/** Internal: a piece of HTML that is safe to insert as is. */
export class Markup {
  constructor(readonly value: string) {}
  toString(): string {
    return this.value;
  }
}

/** Internal: markup written by this project (the stylesheet), never text from results. */
export function trusted(ownMarkup: string): Markup {
  return new Markup(ownMarkup);
}

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/** Internal: text (or an attribute value) as HTML. */
export function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ESCAPES[c] ?? c);
}

function piece(v: unknown): string {
  if (v instanceof Markup) return v.value;
  if (Array.isArray(v)) return v.map(piece).join('');
  if (v === null || v === undefined || v === false) return '';
  return escapeHtml(String(v));
}

/** Internal: tagged template; arrays are concatenated, null/undefined/false print nothing. */
export function html(strings: TemplateStringsArray, ...values: unknown[]): Markup {
  return new Markup(strings.reduce((out, s, i) => out + s + (i < values.length ? piece(values[i]) : ''), ''));
}
