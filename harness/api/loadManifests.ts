/**
 * Loading manifests: multi-document YAML text or files → validated objects or
 * every issue found, each naming file, document, object and field. Public.
 */
import { readFile } from 'node:fs/promises';
import { LineCounter, parseAllDocuments } from 'yaml';
import type { ValidationIssue } from './issues.ts';
import type { KubeObject } from './types.ts';
import { validateObject } from './validateObject.ts';

/** On success, `documents[i]` is the 1-based document number of `objects[i]` in its source. Public. */
export type LoadResult = { ok: true; objects: KubeObject[]; documents: number[] } | { ok: false; issues: ValidationIssue[] };

/** kind/name of a raw document when it has them, for issue lines (internal). */
function identify(raw: unknown): { kind?: string; name?: string } {
  if (raw === null || typeof raw !== 'object') return {};
  const o = raw as { kind?: unknown; metadata?: { name?: unknown } };
  const id: { kind?: string; name?: string } = {};
  if (typeof o.kind === 'string') id.kind = o.kind;
  if (typeof o.metadata?.name === 'string') id.name = o.metadata.name;
  return id;
}

/**
 * Parses and validates every document of `text`; `source` names it in issues.
 * Empty documents are skipped; numbering counts them (document N is the Nth
 * in the file). Public.
 */
export function loadManifests(text: string, source: string): LoadResult {
  const objects: KubeObject[] = [];
  const documents: number[] = [];
  const issues: ValidationIssue[] = [];
  const seen = new Set<string>();
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
    const id = identify(raw);
    const r = validateObject(raw);
    if (!r.ok) {
      for (const i of r.issues) issues.push({ source, document, ...id, ...i });
      return;
    }
    const key = `${r.object.kind}/${r.object.metadata.name}`;
    if (seen.has(key)) issues.push({ source, document, ...id, path: 'metadata.name', message: `duplicate object ${key} in this load` });
    seen.add(key);
    objects.push(r.object);
    documents.push(document);
  });
  return issues.length > 0 ? { ok: false, issues } : { ok: true, objects, documents };
}

/** Reads and loads one file; an unreadable file is an issue naming it. Public. */
export async function loadManifestFile(path: string): Promise<LoadResult> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code ?? 'error';
    return { ok: false, issues: [{ source: path, document: 0, path: '', message: `cannot read file (${code})` }] };
  }
  return loadManifests(text, path);
}

/**
 * Reads and loads each file; an unreadable file is an issue naming it, not
 * an exception. Objects keep file order. Public.
 */
export async function loadManifestFiles(paths: readonly string[]): Promise<LoadResult> {
  const objects: KubeObject[] = [];
  const documents: number[] = [];
  const issues: ValidationIssue[] = [];
  for (const p of paths) {
    const r = await loadManifestFile(p);
    if (r.ok) {
      objects.push(...r.objects);
      documents.push(...r.documents);
    } else issues.push(...r.issues);
  }
  return issues.length > 0 ? { ok: false, issues } : { ok: true, objects, documents };
}
