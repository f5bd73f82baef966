import { mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadManifestFiles, loadManifests } from './loadManifests.ts';
import { processTemplate } from './processTemplate.ts';

const ROOT = join(import.meta.dirname, '..', '..');
const CM = 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: NAME\n';

/** Every YAML file under a folder, recursively (test helper). */
function yamlFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((f) => {
    const p = join(dir, f);
    if (statSync(p).isDirectory()) return f === 'guest' ? [] : yamlFiles(p);
    return f.endsWith('.yaml') ? [p] : [];
  });
}

describe('loadManifests', () => {
  it('loads several documents, skipping empty ones but counting them', () => {
    const r = loadManifests(`---\n${CM.replace('NAME', 'a')}---\n---\n# just a comment\n---\n${CM.replace('NAME', 'b')}`, 'm.yaml');
    expect(r).toMatchObject({ ok: true, documents: [1, 4] });
    expect(r.ok && r.objects.map((o) => o.metadata.name)).toEqual(['a', 'b']);
  });

  it('reports a YAML syntax error with line and column, and keeps checking later documents', () => {
    const r = loadManifests(`${CM.replace('NAME', 'a')}---\nkey: [unclosed\n---\nkind: Nope\napiVersion: v1\n`, 's.yaml');
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.issues[0]).toMatchObject({ source: 's.yaml', document: 2, path: '' });
    expect(r.issues[0]!.message).toMatch(/^YAML syntax error at line \d+, column \d+: /);
    expect(r.issues.at(-1)).toMatchObject({ document: 3, kind: 'Nope', path: 'kind' });
  });

  it('a scalar document, a missing kind and a duplicate object are issues', () => {
    const r = loadManifests(`just text\n---\napiVersion: v1\nmetadata: {name: x}\n---\n${CM.replace('NAME', 'a')}---\n${CM.replace('NAME', 'a')}`, 'x.yaml');
    expect(r.ok ? [] : r.issues.map((i) => [i.document, i.path, i.message.slice(0, 20)])).toEqual([
      [1, '', 'a manifest must be a'],
      [2, 'kind', 'Required value: kind'],
      [4, 'metadata.name', 'duplicate object Con'],
    ]);
  });

  it('an alias bomb is an issue, not an exception', () => {
    const bomb = ['a: &a [x, x, x, x, x, x, x, x, x, x]', ...'bcdefgh'.split('').map((k, i) => `${k}: &${k} [${Array(10).fill(`*${'abcdefgh'[i]}`).join(', ')}]`)].join('\n');
    const r = loadManifests(bomb, 'bomb.yaml');
    expect(r.ok ? [] : r.issues.map((i) => i.message.slice(0, 11))).toEqual(['YAML error:']);
  });

  it('an empty text is zero objects', () => {
    expect(loadManifests('', 'e.yaml')).toEqual({ ok: true, objects: [], documents: [], warnings: [] });
  });
});

describe('loadManifestFiles', () => {
  const dir = mkdtempSync(join(tmpdir(), 'vmconform-load-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('an unreadable file is an issue naming it, not an exception', async () => {
    const good = join(dir, 'good.yaml');
    writeFileSync(good, CM.replace('NAME', 'g'));
    const r = await loadManifestFiles([good, join(dir, 'missing.yaml'), dir]);
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.issues.map((i) => i.source)).toEqual([join(dir, 'missing.yaml'), dir]);
    expect(r.issues[0]!.message).toContain('ENOENT');
    expect(r.issues[1]!.message).toBe("cannot read file (EISDIR)");
  });

  it('every fixture validates, and every Template in them processes (seed 1)', async () => {
    // fixtures/corpus holds public manifests, some rejected on purpose (test/api/corpus.test.ts).
    const files = yamlFiles(join(ROOT, 'fixtures')).filter((f) => !relative(ROOT, f).startsWith('fixtures/corpus/'));
    expect(files.map((f) => relative(ROOT, f))).toContain('fixtures/vms/mariadb-prod.yaml');
    const r = await loadManifestFiles(files);
    expect(r.ok ? [] : r.issues).toEqual([]);
    if (!r.ok) return;
    for (const o of r.objects) {
      if (o.kind !== 'Template') continue;
      const t = processTemplate(o, {}, 1);
      expect(t.ok ? [] : t.issues).toEqual([]);
    }
  });
});
