/**
 * OpenShift template processing (R-I2; openshift/library-go
 * pkg/template/templateprocessing `Process`, `GenerateParameterValues`):
 * parameter values from the caller, else the template's non-empty `value`,
 * else a seeded `generate: expression` (a parameter with a value is not
 * generated); `${NAME}` substitution in every string value (and `${{NAME}}`
 * for a whole non-string value), in the `message` and in the template's
 * `labels`, which go onto every object (`addObjectLabels`, overwriting); the
 * processed objects are validated like any manifest. Public.
 */
import { parse as parseYamlScalar } from 'yaml';
import { generateValue, mulberry32, parseExpression } from './generateExpression.ts';
import { join, type FieldIssue } from './issues.ts';
import type { KubeObject, Template } from './types.ts';
import { validateObject } from './validateObject.ts';

export type TemplateResult =
  | { ok: true; objects: KubeObject[]; parameters: Record<string, string>; message?: string }
  | { ok: false; issues: FieldIssue[] };

const REF = /\$\{([A-Za-z0-9_]+)\}/g;
const WHOLE = /^\$\{\{([A-Za-z0-9_]+)\}\}$/;

/** Substitutes parameters in every string of `v` (internal; unknown references stay as written, like oc). */
function substitute(v: unknown, values: Record<string, string>): unknown {
  if (typeof v === 'string') {
    const whole = WHOLE.exec(v);
    if (whole && values[whole[1]!] !== undefined) return parseYamlScalar(values[whole[1]!]!);
    return v.includes('${') ? v.replace(REF, (m, n: string) => values[n] ?? m) : v;
  }
  if (Array.isArray(v)) return v.map((x) => substitute(x, values));
  if (v !== null && typeof v === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v)) out[k] = substitute(x, values);
    return out;
  }
  return v;
}

/** The template's labels with parameters substituted in keys and values (internal). */
function substituteLabels(labels: Record<string, string>, values: Record<string, string>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(labels)) out[String(substitute(k, values))] = String(substitute(v, values));
  return out;
}

/** An object with the template's labels added to its metadata.labels, overwriting (internal). */
function withLabels(obj: unknown, labels: Record<string, string> | undefined): unknown {
  if (labels === undefined || obj === null || typeof obj !== 'object' || Array.isArray(obj)) return obj;
  const o = obj as { metadata?: { labels?: Record<string, string> } };
  return { ...o, metadata: { ...o.metadata, labels: { ...o.metadata?.labels, ...labels } } };
}

/** Resolves every parameter's value; issues name the parameter (internal). */
function resolveParameters(t: Template, params: Record<string, string>, seed: number): { values: Record<string, string>; issues: FieldIssue[] } {
  const issues: FieldIssue[] = [];
  const values: Record<string, string> = {};
  const declared = new Set((t.parameters ?? []).map((p) => p.name));
  for (const name of Object.keys(params)) {
    if (!declared.has(name)) issues.push({ path: 'parameters', message: `unknown parameter "${name}" (template ${t.metadata.name} declares: ${[...declared].join(', ') || 'none'})` });
  }
  const random = mulberry32(seed);
  (t.parameters ?? []).forEach((p, i) => {
    let v = params[p.name];
    if (v === undefined && p.value !== undefined && p.value !== '') v = p.value;
    if (v === undefined && p.generate === 'expression' && p.from !== undefined) {
      const e = parseExpression(p.from);
      if (e.ok) v = generateValue(e.atoms, random);
      else issues.push({ path: join(join('parameters', i), 'from'), message: e.message });
    }
    if ((v === undefined || v === '') && p.required === true) {
      issues.push({ path: join('parameters', i), message: `parameter ${p.name} is required and must be specified` });
    }
    values[p.name] = v ?? '';
  });
  return { values, issues };
}

/**
 * Processes a validated Template with caller parameters (`-p K=V`) and a
 * seed for generated values (same seed ⇒ same values). Issue paths of the
 * produced objects start with `objects[i]`. Public.
 */
export function processTemplate(t: Template, params: Record<string, string>, seed: number): TemplateResult {
  const { values, issues } = resolveParameters(t, params, seed);
  if (issues.length > 0) return { ok: false, issues };
  const labels = t.labels === undefined ? undefined : substituteLabels(t.labels, values);
  const objects: KubeObject[] = [];
  t.objects.forEach((raw, i) => {
    const r = validateObject(withLabels(substitute(raw, values), labels));
    if (r.ok) objects.push(r.object);
    else for (const f of r.issues) issues.push({ path: f.path === '' ? join('objects', i) : `${join('objects', i)}.${f.path}`, message: f.message });
  });
  if (issues.length > 0) return { ok: false, issues };
  return t.message === undefined ? { ok: true, objects, parameters: values } : { ok: true, objects, parameters: values, message: substitute(t.message, values) as string };
}
