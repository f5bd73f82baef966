import { mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { processTemplate } from '../api/index.ts';
import { loadManifestFiles } from './manifestFiles.ts';

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
