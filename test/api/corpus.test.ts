/**
 * The real-manifest corpus (fixtures/corpus/sources.yaml): every public
 * manifest is judged as a fresh KubeVirt cluster with default feature gates
 * judges it — the verdict, and for a rejection the document, field path and
 * message of the first cause.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { loadManifests, processTemplate, type FieldIssue } from '../../harness/api/index.ts';

interface Entry {
  file: string;
  repo: string;
  commit: string;
  path: string;
  verdict: 'accepted' | 'rejected';
  evidence: string;
  document?: number;
  field?: string;
  message?: string;
}

const DIR = join(import.meta.dirname, '../../fixtures/corpus');
const ENTRIES = parse(readFileSync(join(DIR, 'sources.yaml'), 'utf8')) as Entry[];

describe('real-manifest corpus', () => {
  it('has at least 40 manifests from at least five public sources', () => {
    expect(ENTRIES.length).toBeGreaterThanOrEqual(40);
    expect(new Set(ENTRIES.map((e) => e.file.split('/')[0])).size).toBeGreaterThanOrEqual(5);
    for (const e of ENTRIES) expect(e.repo && e.commit && e.path && e.evidence, e.file).toBeTruthy();
  });

  it.each(ENTRIES.map((e) => [e.file, e] as const))('%s is judged as KubeVirt judges it', (file, e) => {
    const r = loadManifests(readFileSync(join(DIR, file), 'utf8'), file);
    if (e.verdict === 'accepted') {
      expect(r.ok ? [] : r.issues.map((i) => `${i.path}: ${i.message}`)).toEqual([]);
      // A Template's objects are judged too, as `vmconform validate` does (seed 1, default parameters).
      const processed: FieldIssue[] = [];
      for (const o of r.ok ? r.objects : []) if (o.kind === 'Template') {
        const t = processTemplate(o, {}, 1);
        if (!t.ok) processed.push(...t.issues);
      }
      expect(processed).toEqual([]);
      return;
    }
    expect(r.ok, 'rejected').toBe(false);
    const first = r.ok ? undefined : r.issues[0];
    expect({ document: first?.document, field: first?.path, message: first?.message }).toEqual({ document: e.document, field: e.field, message: e.message });
  });
});
