/**
 * Label and field selectors of list and watch requests, as the apiserver
 * parses them (k8s.io/apimachinery pkg/labels/selector.go Parse: `=`, `==`,
 * `!=`, `in (…)`, `notin (…)`, `key`, `!key`; pkg/fields/selector.go:
 * `=`, `==`, `!=`). Field selectors support what every kind's apiserver
 * supports (metadata.name, metadata.namespace) plus status.phase (VMIs,
 * pods). Internal to harness/server.
 */
import type { ApiObject } from '../cluster/index.ts';
import { errors } from './status.ts';

export type Matcher = (o: ApiObject) => boolean;

type Req = { key: string; op: 'eq' | 'ne' | 'in' | 'notin' | 'exists' | '!exists'; values: string[] };

/** Splits on commas outside parentheses. */
function terms(s: string): string[] {
  const out: string[] = [];
  let depth = 0;
  let cur = '';
  for (const c of s) {
    if (c === '(') depth++;
    if (c === ')') depth--;
    if (c === ',' && depth === 0) {
      out.push(cur);
      cur = '';
    } else cur += c;
  }
  out.push(cur);
  return out.map((t) => t.trim()).filter((t) => t !== '');
}

const LABEL_KEY = /^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*\/)?[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$/;

function parseLabelTerm(t: string): Req {
  let m = /^(!?)\s*([^\s!=()]+)$/.exec(t);
  if (m) return { key: m[2]!, op: m[1] ? '!exists' : 'exists', values: [] };
  m = /^([^\s!=()]+)\s*(==|=|!=)\s*([^\s!=(),]*)$/.exec(t);
  if (m) return { key: m[1]!, op: m[2] === '!=' ? 'ne' : 'eq', values: [m[3]!] };
  m = /^([^\s!=()]+)\s+(in|notin)\s*\(([^)]*)\)$/.exec(t);
  if (m) return { key: m[1]!, op: m[2] as 'in' | 'notin', values: m[3]!.split(',').map((v) => v.trim()) };
  throw errors.badRequest(`unable to parse requirement: found '${t}', expected: identifier`);
}

function check(r: Req, v: string | undefined): boolean {
  switch (r.op) {
    case 'eq':
    case 'in':
      return v !== undefined && r.values.includes(v);
    case 'ne':
    case 'notin':
      return v === undefined || !r.values.includes(v);
    case 'exists':
      return v !== undefined;
    case '!exists':
      return v === undefined;
  }
}

export function labelSelector(s: string | null): Matcher {
  if (!s) return () => true;
  const reqs = terms(s).map(parseLabelTerm);
  for (const r of reqs) if (!LABEL_KEY.test(r.key)) throw errors.badRequest(`unable to parse requirement: invalid label key "${r.key}"`);
  return (o) => reqs.every((r) => check(r, o.metadata.labels?.[r.key]));
}

/** Field paths a field selector may name, and how to read them. */
const FIELDS: Readonly<Record<string, (o: ApiObject) => string | undefined>> = {
  'metadata.name': (o) => o.metadata.name,
  'metadata.namespace': (o) => o.metadata.namespace ?? '',
  'status.phase': (o) => (o.status as { phase?: string } | undefined)?.phase,
  'spec.nodeName': (o) => (o.spec as { nodeName?: string } | undefined)?.nodeName,
  // what kubectl describe asks of events
  ...Object.fromEntries(['name', 'namespace', 'kind', 'uid'].map((k) => [`involvedObject.${k}`, (o: ApiObject) => (o as { involvedObject?: Record<string, string> }).involvedObject?.[k]])),
};

export function fieldSelector(s: string | null): Matcher {
  if (!s) return () => true;
  const reqs = terms(s).map((t) => {
    const m = /^([^\s!=]+)\s*(==|=|!=)\s*(.*)$/.exec(t);
    if (!m) throw errors.badRequest(`invalid selector: '${s}'; can't understand '${t}'`);
    const read = FIELDS[m[1]!];
    if (!read) throw errors.badRequest(`field label not supported: ${m[1]}`);
    return { read, ne: m[2] === '!=', value: m[3]!.trim() };
  });
  return (o) => reqs.every((r) => (r.read(o) === r.value) !== r.ne);
}
