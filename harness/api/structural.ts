/**
 * Kubernetes structural-schema semantics over a vendored CRD schema, as the
 * apiserver applies them to a custom resource before validation
 * (docs/api.md, "How a manifest is judged"): unknown fields are errors with
 * kubectl's strict-decoding wording, nulls of non-nullable fields are pruned,
 * `default`s are applied, `x-kubernetes-preserve-unknown-fields` subtrees and
 * embedded resources are kept, list types `set`/`map` refuse duplicates.
 * The value schema (types, required, enum, pattern, bounds) is checked by
 * ajv (validator.ts). Internal to harness/api.
 */
import { join, type FieldIssue } from './issues.ts';

/** The structural-schema subset of OpenAPI v3 a CRD may use (apiextensions v1 JSONSchemaProps). Internal. */
export interface Schema {
  type?: string;
  properties?: Record<string, Schema>;
  additionalProperties?: Schema | boolean;
  items?: Schema;
  required?: string[];
  enum?: unknown[];
  anyOf?: Schema[];
  pattern?: string;
  format?: string;
  default?: unknown;
  nullable?: boolean;
  minimum?: number;
  maximum?: number;
  maxItems?: number;
  maxLength?: number;
  'x-kubernetes-preserve-unknown-fields'?: boolean;
  'x-kubernetes-embedded-resource'?: boolean;
  'x-kubernetes-int-or-string'?: boolean;
  'x-kubernetes-list-type'?: 'atomic' | 'set' | 'map';
  'x-kubernetes-list-map-keys'?: string[];
  'x-kubernetes-map-type'?: string;
  'x-kubernetes-validations'?: { rule: string; message?: string }[];
}

/** The quantity pattern of k8s.io/apimachinery resource.Quantity as CRDs carry it (internal). */
const QUANTITY_PATTERN_PREFIX = '^(\\+|-)?(([0-9]+(\\.[0-9]*)?)|(\\.[0-9]+))';

/**
 * The few CEL rules KubeVirt's CRDs carry, evaluated natively (there is no
 * CEL interpreter here); an unlisted rule is not evaluated (docs/api.md).
 */
const CEL_RULES: Record<string, (self: unknown) => boolean> = {
  "self.startsWith('/')": (v) => typeof v === 'string' && v.startsWith('/'),
  "!self.contains('..')": (v) => typeof v === 'string' && !v.includes('..'),
  'self == true': (v) => v === true,
};

/** Fields of metav1.ObjectMeta, the apiserver's own schema of `metadata` (internal). */
const OBJECT_META_FIELDS = new Set([
  'name',
  'generateName',
  'namespace',
  'selfLink',
  'uid',
  'resourceVersion',
  'generation',
  'creationTimestamp',
  'deletionTimestamp',
  'deletionGracePeriodSeconds',
  'labels',
  'annotations',
  'ownerReferences',
  'finalizers',
  'managedFields',
]);

function isObject(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

/** A JSON rendering of a list-map key for duplicate messages (internal). */
function keyOf(item: unknown, keys: readonly string[]): string {
  if (!isObject(item)) return JSON.stringify(item);
  return JSON.stringify(Object.fromEntries(keys.map((k) => [k, item[k]])));
}

/**
 * Walks `value` under `schema`, returning the pruned and defaulted copy and
 * the structural issues (unknown fields, duplicates, CEL). Internal.
 */
export function structural(schema: Schema, value: unknown, path: string, issues: FieldIssue[]): unknown {
  if (value === undefined || value === null) return value;
  if (Array.isArray(value)) {
    const item = schema.items;
    if (item === undefined) return value;
    const out = value.map((v, i) => structural(item, v, join(path, i), issues));
    const listType = schema['x-kubernetes-list-type'];
    if (listType === 'set' || listType === 'map') {
      const keys = schema['x-kubernetes-list-map-keys'] ?? [];
      const seen = new Set<string>();
      out.forEach((v, i) => {
        const k = listType === 'map' ? keyOf(v, keys) : JSON.stringify(v);
        if (seen.has(k)) issues.push({ path: join(path, i), message: `Duplicate value: ${k}` });
        seen.add(k);
      });
    }
    checkCel(schema, out, path, issues);
    return out;
  }
  if (!isObject(value)) {
    checkCel(schema, value, path, issues);
    if (typeof value === 'number' && schema['x-kubernetes-int-or-string'] && schema.pattern?.startsWith(QUANTITY_PATTERN_PREFIX)) {
      // resource.Quantity always serialises as a string (k8s.io/apimachinery quantity.go MarshalJSON).
      return String(value);
    }
    return value;
  }
  const props = schema.properties;
  const extra = schema.additionalProperties;
  const preserve = schema['x-kubernetes-preserve-unknown-fields'] === true;
  const embedded = schema['x-kubernetes-embedded-resource'] === true;
  if (props === undefined && extra === undefined && (preserve || schema.type === 'object')) {
    // Free-form object (`type: object` without properties): kept as is.
    if (embedded) return embeddedResource(value, path, issues);
    return value;
  }
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) {
    const sub = props?.[k] ?? (typeof extra === 'object' ? extra : undefined);
    const p = join(path, k);
    if (sub === undefined) {
      if (embedded && (k === 'apiVersion' || k === 'kind')) out[k] = v;
      else if (embedded && k === 'metadata') out[k] = objectMeta(v, p, issues);
      else if (preserve || extra === true) out[k] = v;
      else issues.push({ path: p, message: `unknown field "${p}"` });
      continue;
    }
    // Pruning of nulls (apiextensions structural defaulting: non-nullable nulls are dropped).
    if (v === null && sub.nullable !== true) continue;
    out[k] = structural(sub, v, p, issues);
  }
  if (props !== undefined) {
    for (const [k, sub] of Object.entries(props)) {
      if (out[k] === undefined && sub.default !== undefined) out[k] = structuredClone(sub.default);
    }
  }
  checkCel(schema, out, path, issues);
  return out;
}

function checkCel(schema: Schema, value: unknown, path: string, issues: FieldIssue[]): void {
  for (const r of schema['x-kubernetes-validations'] ?? []) {
    const rule = CEL_RULES[r.rule];
    if (rule !== undefined && !rule(value)) issues.push({ path, message: `Invalid value: ${JSON.stringify(value)}: ${r.message ?? `failed rule: ${r.rule}`}` });
  }
}

/** An embedded resource (apiVersion, kind, metadata + anything): its metadata is ObjectMeta (internal). */
function embeddedResource(value: Record<string, unknown>, path: string, issues: FieldIssue[]): unknown {
  if (value.metadata === undefined) return value;
  return { ...value, metadata: objectMeta(value.metadata, join(path, 'metadata'), issues) };
}

/**
 * `metadata` as the apiserver decodes metav1.ObjectMeta: strict about its
 * fields; `creationTimestamp: null` (written by kubectl and virtctl) is the
 * zero time and dropped. Internal.
 */
export function objectMeta(value: unknown, path: string, issues: FieldIssue[]): unknown {
  if (!isObject(value)) return value;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) {
    const p = join(path, k);
    if (!OBJECT_META_FIELDS.has(k)) issues.push({ path: p, message: `unknown field "${p}"` });
    else if (v !== null) out[k] = v;
  }
  for (const m of ['labels', 'annotations'] as const) {
    const map = out[m];
    if (map === undefined) continue;
    if (!isObject(map)) {
      issues.push({ path: join(path, m), message: `Invalid value: ${JSON.stringify(map)}: must be a map of strings` });
      continue;
    }
    for (const [k, v] of Object.entries(map)) {
      if (typeof v !== 'string') issues.push({ path: join(join(path, m), k), message: `Invalid value: ${JSON.stringify(v)}: must be a string` });
      else if (m === 'labels') issues.push(...checkLabel(k, v, join(path, m)));
    }
  }
  return out;
}

const QUALIFIED_NAME = /^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$/;
const LABEL_VALUE = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/;
const DNS1123_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

/**
 * A label as ValidateLabels checks it (k8s.io/apimachinery
 * pkg/apis/meta/v1/validation ValidateLabels: IsQualifiedName, IsValidLabelValue),
 * with its wording. Internal.
 */
function checkLabel(key: string, value: string, path: string): FieldIssue[] {
  const out: FieldIssue[] = [];
  const slash = key.lastIndexOf('/');
  const prefix = slash >= 0 ? key.slice(0, slash) : undefined;
  const name = slash >= 0 ? key.slice(slash + 1) : key;
  if (prefix !== undefined && (prefix.length > 253 || !DNS1123_SUBDOMAIN.test(prefix))) {
    out.push({ path, message: `Invalid value: "${key}": prefix part a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')` });
  }
  if (name.length > 63) out.push({ path, message: `Invalid value: "${key}": name part must be no more than 63 characters` });
  else if (!QUALIFIED_NAME.test(name)) {
    out.push({ path, message: `Invalid value: "${key}": name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')` });
  }
  if (value.length > 63) out.push({ path, message: `Invalid value: "${value}": must be no more than 63 characters` });
  else if (!LABEL_VALUE.test(value)) {
    out.push({ path, message: `Invalid value: "${value}": a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')` });
  }
  return out;
}
