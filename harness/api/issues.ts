/**
 * Validation issues and their one-line rendering. Public.
 */

/** One problem inside an object: a dotted field path with `[i]` indexes, and what is wrong. Public. */
export interface FieldIssue {
  path: string;
  message: string;
}

/** One problem in a manifest file. `document` is 1-based; 0 when the file itself failed. Public. */
export interface ValidationIssue extends FieldIssue {
  source: string;
  document: number;
  kind?: string;
  name?: string;
}

/** Appends a property or index to a dotted path (internal). */
export function join(base: string, key: string | number): string {
  if (typeof key === 'number') return `${base}[${key}]`;
  return base === '' ? key : `${base}.${key}`;
}

/** Renders zod-style path arrays as `a.b[0].c` (internal). */
export function pathOf(parts: readonly PropertyKey[], base = ''): string {
  let p = base;
  for (const k of parts) p = join(p, typeof k === 'number' ? k : String(k));
  return p;
}

/**
 * `fixtures/vms/bad.yaml: document 2 (VirtualMachine/foo): spec.x: invalid quantity "512Mb"`. Public.
 */
export function formatIssue(i: ValidationIssue): string {
  const where = i.document > 0 ? `: document ${i.document}` : '';
  const obj = i.kind !== undefined ? ` (${i.kind}${i.name !== undefined ? `/${i.name}` : ''})` : '';
  const field = i.path !== '' ? `${i.path}: ` : '';
  return `${i.source}${where}${obj}: ${field}${i.message}`;
}

/** Warnings as kubectl prints them: `Warning: ` and the issue line, one each. Public. */
export function formatWarnings(warnings: readonly ValidationIssue[]): string {
  return warnings.map((w) => `Warning: ${formatIssue(w)}`).join('\n');
}

/** Every issue, one line each. Public. */
export function formatIssues(issues: readonly ValidationIssue[]): string {
  return issues.map(formatIssue).join('\n');
}
