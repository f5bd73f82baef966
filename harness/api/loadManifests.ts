/**
 * Loading manifests: multi-document YAML text → validated objects or
 * every issue found, each naming file, document, object and field. Public.
 */
import { LineCounter, parseAllDocuments } from 'yaml';
import type { AdmissionContext } from './admission.ts';
import type { FeatureGateConfig } from './featuregates.ts';
import type { ValidationIssue } from './issues.ts';
import { NOT_SIMULATED, unsimulatedFields } from './simulated.ts';
import type { KubeObject } from './types.ts';
import { validateObject } from './validateObject.ts';

/**
 * On success, `documents[i]` is the 1-based document number of `objects[i]`
 * in its source. `warnings` (both cases) are the apiserver's and KubeVirt's
 * warnings and the fields accepted but not simulated, each naming its
 * document; objects of kinds served but not simulated are not in `objects`
 * (a warning says so). Public.
 */
export type LoadResult =
  | { ok: true; objects: KubeObject[]; documents: number[]; warnings: ValidationIssue[] }
  | { ok: false; issues: ValidationIssue[]; warnings: ValidationIssue[] };

/** Options of a load: the cluster admission runs against. Public. */
export interface LoadOptions {
  context?: AdmissionContext;
}

/**
 * The admission context of a load: the feature gates of a ClusterConfig in
 * it (else the caller's), and a look-up of the instance types and preferences
 * it declares (else the caller's). Internal.
 */
function contextOf(raws: readonly unknown[], base: AdmissionContext): AdmissionContext {
  const byKey = new Map<string, { spec?: unknown }>();
  let gates = base.featureGates;
  for (const r of raws) {
    if (r === null || typeof r !== 'object') continue;
    const o = r as { kind?: unknown; metadata?: { name?: unknown }; spec?: { configuration?: { developerConfiguration?: FeatureGateConfig } } };
    if (typeof o.kind !== 'string' || typeof o.metadata?.name !== 'string') continue;
    if (o.kind === 'ClusterConfig') gates = o.spec?.configuration?.developerConfiguration ?? gates;
    else byKey.set(`${o.kind}/${o.metadata.name}`, o as { spec?: unknown });
  }
  const lookup = (kind: string, name: string) => byKey.get(`${kind}/${name}`) ?? base.lookup?.(kind, name);
  const out: AdmissionContext = { lookup };
  if (gates !== undefined) out.featureGates = gates;
  return out;
}

/** kind/name of a raw document when it has them, for issue lines (internal). */
function identify(raw: unknown): { kind?: string; name?: string } {
  if (raw === null || typeof raw !== 'object') return {};
  const o = raw as { kind?: unknown; metadata?: { name?: unknown } };
  const id: { kind?: string; name?: string } = {};
  if (typeof o.kind === 'string') id.kind = o.kind;
  if (typeof o.metadata?.name === 'string') id.name = o.metadata.name;
  return id;
}

/** A decoded document: its 1-based number and value (internal). */
interface Decoded {
  document: number;
  raw: unknown;
}

/** YAML → values, one per non-empty document, and the syntax issues (internal). */
function decode(text: string, source: string): { decoded: Decoded[]; issues: ValidationIssue[] } {
  const decoded: Decoded[] = [];
  const issues: ValidationIssue[] = [];
  const lines = new LineCounter();
  const docs = parseAllDocuments(text, { prettyErrors: false, uniqueKeys: true, lineCounter: lines });
  const list = Array.isArray(docs) ? docs : [];
  list.forEach((doc, idx) => {
    const document = idx + 1;
    if (doc.errors.length > 0) {
      for (const e of doc.errors) {
        const pos = lines.linePos(e.pos[0]);
        const at = `line ${pos.line}, column ${pos.col}: `;
        issues.push({ source, document, path: '', message: `YAML syntax error at ${at}${e.message.split('\n')[0]}` });
      }
      return;
    }
    if (doc.contents === null) return;
    let raw: unknown;
    try {
      raw = doc.toJS({ maxAliasCount: 100 });
    } catch (err) {
      // An alias bomb (or alias cycle) is bad input, not a bug.
      issues.push({ source, document, path: '', message: `YAML error: ${(err as Error).message}` });
      return;
    }
    if (raw === null || raw === undefined) return;
    decoded.push({ document, raw });
  });
  return { decoded, issues };
}

/** Validates decoded documents against `context` (internal). */
function judge(decoded: readonly Decoded[], syntax: ValidationIssue[], source: string, context: AdmissionContext): LoadResult {
  const objects: KubeObject[] = [];
  const documents: number[] = [];
  const issues: ValidationIssue[] = [...syntax];
  const warnings: ValidationIssue[] = [];
  const seen = new Set<string>();
  for (const { document, raw } of decoded) {
    const id = identify(raw);
    const r = validateObject(raw, context);
    if (!r.ok) {
      for (const i of r.issues) issues.push({ source, document, ...id, ...i });
      continue;
    }
    for (const w of r.warnings) warnings.push({ source, document, ...id, path: '', message: w });
    if (!r.simulated) {
      warnings.push({ source, document, ...id, path: 'kind', message: `${NOT_SIMULATED}: kind ${r.object.kind} is skipped by run` });
      continue;
    }
    for (const p of unsimulatedFields(r.object)) warnings.push({ source, document, ...id, path: p, message: NOT_SIMULATED });
    const key = `${r.object.kind}/${r.object.metadata.name}`;
    if (seen.has(key)) issues.push({ source, document, ...id, path: 'metadata.name', message: `duplicate object ${key} in this load` });
    seen.add(key);
    objects.push(r.object);
    documents.push(document);
  }
  return issues.length > 0 ? { ok: false, issues, warnings } : { ok: true, objects, documents, warnings };
}

/**
 * Parses and validates every document of `text`; `source` names it in issues.
 * Empty documents are skipped; numbering counts them (document N is the Nth
 * in the file). Admission sees the objects of the text as the cluster
 * (contextOf). Public.
 */
export function loadManifests(text: string, source: string, options: LoadOptions = {}): LoadResult {
  const { decoded, issues } = decode(text, source);
  return judge(decoded, issues, source, contextOf(decoded.map((d) => d.raw), options.context ?? {}));
}

/** One manifest source: its name and text, or the issue saying why it could not be read. Public. */
export type ManifestSource = { source: string; text: string } | { source: string; issue: ValidationIssue };

/**
 * Loads each source, one result per source in order; admission sees the
 * objects of all of them as the cluster, as `kubectl apply -f A -f B` on a
 * fresh cluster would. Reading files is the caller's (this layer does no
 * I/O: the model imports it). Public.
 */
export function loadManifestSources(sources: readonly ManifestSource[], options: LoadOptions = {}): { source: string; result: LoadResult }[] {
  const decoded = sources.map((s) => ('issue' in s ? undefined : decode(s.text, s.source)));
  const context = contextOf(decoded.flatMap((d) => d?.decoded.map((x) => x.raw) ?? []), options.context ?? {});
  return sources.map((s, i) => {
    const d = decoded[i];
    if ('issue' in s || d === undefined) return { source: s.source, result: { ok: false, issues: 'issue' in s ? [s.issue] : [], warnings: [] } };
    return { source: s.source, result: judge(d.decoded, d.issues, s.source, context) };
  });
}
