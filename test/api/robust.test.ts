/**
 * Bad input is an answer, never an exception: documents of the corpus and the
 * fixtures, mutated at random (fields deleted, replaced by null, numbers,
 * strings, lists, maps), are validated — and Templates processed — without
 * throwing.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { parseAllDocuments } from 'yaml';
import { describe, it } from 'vitest';
import { processTemplate, validateObject, type Template } from '../../harness/api/index.ts';

const ROOT = join(import.meta.dirname, '../../fixtures');
const files = ['corpus/kubevirt-examples', 'corpus/cdi-examples', 'corpus/user-guide', 'corpus/common-templates', 'vms', 'templates', 'storage', 'networks', 'instancetypes']
  .flatMap((d) => readdirSync(join(ROOT, d)).filter((f) => f.endsWith('.yaml')).map((f) => join(ROOT, d, f)));
const DOCS = files.flatMap((f) => parseAllDocuments(readFileSync(f, 'utf8')).map((d) => d.toJS() as unknown)).filter((x) => x !== null && typeof x === 'object');

type Path = (string | number)[];
function paths(o: unknown, at: Path = [], out: Path[] = []): Path[] {
  if (o !== null && typeof o === 'object') {
    for (const k of Object.keys(o)) {
      const p = [...at, Array.isArray(o) ? Number(k) : k];
      out.push(p);
      paths((o as Record<string, unknown>)[k], p, out);
    }
  }
  return out;
}

const VALUES: unknown[] = [null, 0, -1, 1.5, 'x', '', true, [], {}, [null], [{}], { name: 'x' }];

describe('validation never throws', () => {
  it('on 3,000 mutated real documents', () => {
    fc.assert(
      fc.property(fc.nat(DOCS.length - 1), fc.array(fc.tuple(fc.nat(), fc.nat(VALUES.length)), { minLength: 1, maxLength: 6 }), (d, edits) => {
        const doc = structuredClone(DOCS[d]) as Record<string, unknown>;
        for (const [pi, vi] of edits) {
          const ps = paths(doc);
          const p = ps[pi % Math.max(ps.length, 1)];
          if (p === undefined) continue;
          let o = doc as Record<string | number, unknown> | undefined;
          for (const k of p.slice(0, -1)) o = o?.[k] as Record<string | number, unknown> | undefined;
          if (o === undefined || o === null || typeof o !== 'object') continue;
          if (vi === VALUES.length) delete o[p.at(-1)!];
          else o[p.at(-1)!] = structuredClone(VALUES[vi]);
        }
        const r = validateObject(doc, { lookup: () => undefined });
        if (r.ok && r.object.kind === 'Template') processTemplate(r.object as Template, {}, 1);
      }),
      { numRuns: 3000, seed: 42 },
    );
  });
});
