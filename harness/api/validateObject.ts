/**
 * Validation of one decoded object as a fresh KubeVirt cluster judges it
 * (docs/api.md, "How a manifest is judged"): the REST mapping (kind and served
 * version), the CRD's structural schema (validator.ts), the defaults KubeVirt
 * applies, then the kind's admission webhook (admission.ts). Kinds without a
 * CRD (core Kubernetes kinds and the harness's ClusterConfig) keep their zod
 * schema. Public.
 */
import { admit, type AdmissionContext } from './admission.ts';
import { dns1123Subdomain } from './common.ts';
import { pathOf, type FieldIssue } from './issues.ts';
import { SIMULATED } from './simulated.ts';
import type { KubeKind, KubeObject } from './types.ts';
import { resolveVersion, SCHEMA_KINDS, validateWithSchema } from './validator.ts';
import type { z } from 'zod';

/** Kinds served but not simulated: accepted by validate, skipped by run (docs/api.md). Public. */
export const ACCEPTED_ONLY_KINDS: readonly string[] = SCHEMA_KINDS.filter((k) => !(k in SIMULATED));

/** The kinds the model simulates (every kind `run` applies). Public. */
export const KNOWN_KINDS: readonly KubeKind[] = Object.keys(SIMULATED) as KubeKind[];

/**
 * `object` is the admitted object (storage version, pruned, defaulted);
 * `simulated` is false for a kind the model does not simulate (the object is
 * then not a KubeObject of the model's); `warnings` are the apiserver's and
 * KubeVirt's warnings, as kubectl prints them after `Warning: `. Public.
 */
export type ObjectResult =
  | { ok: true; object: KubeObject; warnings: string[]; simulated: boolean }
  | { ok: false; issues: FieldIssue[] };

/** Turns zod issues into field issues; unknown keys become one issue per key. Internal. */
export function fromZod(issues: readonly z.core.$ZodIssue[]): FieldIssue[] {
  const out: FieldIssue[] = [];
  for (const i of issues) {
    if (i.code === 'unrecognized_keys') {
      for (const k of i.keys) {
        const p = pathOf([...i.path, k]);
        out.push({ path: p, message: `unknown field "${p}"` });
      }
    } else if (i.code === 'invalid_type' && i.message.endsWith('received undefined')) {
      out.push({ path: pathOf(i.path), message: `Required value (expected ${i.expected})` });
    } else {
      out.push({ path: pathOf(i.path), message: i.message.replace(/^Invalid input: /, '') });
    }
  }
  return out;
}

/**
 * metadata.name of a custom resource: the apiserver's NameIsDNSSubdomain
 * (k8s.io/apimachinery pkg/api/validation ValidateObjectMeta), its wording. Internal.
 */
function checkName(meta: unknown): FieldIssue[] {
  const m = (meta ?? {}) as { name?: unknown; generateName?: unknown };
  if (m.name === undefined || m.name === '') {
    return [{ path: 'metadata.name', message: 'Required value: name or generateName is required' }];
  }
  if (typeof m.name !== 'string') return [{ path: 'metadata.name', message: `Invalid value: ${JSON.stringify(m.name)}: must be a string` }];
  const out = dns1123Subdomain(m.name).map((e) => ({ path: 'metadata.name', message: `Invalid value: ${JSON.stringify(m.name)}: ${e}` }));
  return out;
}

/** The CRD requires `domain.devices` even when empty: say so, as users meet it first (docs/api.md). Internal. */
function hint(i: FieldIssue): FieldIssue {
  if (i.message === 'Required value' && i.path.endsWith('domain.devices')) {
    return { ...i, message: 'Required value (the CRD requires it even when empty: `devices: {}` is enough)' };
  }
  return i;
}

/**
 * Validates a decoded manifest object: kind and version, schema, defaults,
 * admission. `context` carries the feature gates and the objects admission
 * may look up (instance types, preferences); without it the defaults of a
 * fresh cluster apply and look-ups find nothing. Referential problems (a
 * missing PVC, NAD, DataSource) show at run time, as in KubeVirt. Public.
 */
export function validateObject(value: unknown, context: AdmissionContext = {}): ObjectResult {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    return { ok: false, issues: [{ path: '', message: 'a manifest must be a mapping' }] };
  }
  const o = value as Record<string, unknown>;
  const missing: FieldIssue[] = [];
  if (typeof o.apiVersion !== 'string' || o.apiVersion === '') missing.push({ path: 'apiVersion', message: 'Required value: apiVersion must be set' });
  if (typeof o.kind !== 'string' || o.kind === '') missing.push({ path: 'kind', message: 'Required value: kind must be set' });
  if (missing.length > 0) return { ok: false, issues: missing };
  const kind = o.kind as string;
  const apiVersion = o.apiVersion as string;
  if (SCHEMA_KINDS.includes(kind)) {
    const v = resolveVersion(kind, apiVersion);
    if (!v.ok) return { ok: false, issues: [v.issue] };
    const warnings = v.warning !== undefined ? [v.warning] : [];
    const s = validateWithSchema(kind, { ...o, apiVersion: v.apiVersion });
    const issues = [...checkName(s.value.metadata), ...s.issues.map(hint)];
    if (issues.length > 0) return { ok: false, issues };
    const a = admit(kind, s.value, context);
    if (a.issues.length > 0) return { ok: false, issues: a.issues };
    return { ok: true, object: s.value as unknown as KubeObject, warnings: [...warnings, ...a.warnings], simulated: kind in SIMULATED };
  }
  const zod = (SIMULATED as Record<string, z.ZodType | undefined>)[kind];
  if (zod === undefined) {
    return { ok: false, issues: [{ path: 'kind', message: `no matches for kind "${kind}" in version "${apiVersion}"` }] };
  }
  const r = zod.safeParse(value);
  if (!r.success) return { ok: false, issues: fromZod(r.error.issues) };
  const a = admit(kind, r.data as Record<string, unknown>, context);
  if (a.issues.length > 0) return { ok: false, issues: a.issues };
  return { ok: true, object: r.data as KubeObject, warnings: a.warnings, simulated: true };
}
