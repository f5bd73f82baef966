import { describe, expect, it } from 'vitest';
import { loadManifests, loadManifestSources } from './loadManifests.ts';

const CM = 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: NAME\n';

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

describe('loadManifestSources', () => {
  it('an unreadable source is its issue; admission sees every readable source as the cluster', () => {
    const vmWithNet = (name: string) => `apiVersion: kubevirt.io/v1
kind: VirtualMachine
metadata: {name: ${name}}
spec:
  runStrategy: Halted
  template:
    spec:
      domain:
        memory: {guest: 128Mi}
        devices: {}
`;
    const issue = { source: 'gone.yaml', document: 0, path: '', message: 'cannot read file (ENOENT)' };
    const r = loadManifestSources([{ source: 'a.yaml', text: CM.replace('NAME', 'a') }, { source: 'gone.yaml', issue }, { source: 'b.yaml', text: vmWithNet('b') }]);
    expect(r.map((x) => [x.source, x.result.ok])).toEqual([['a.yaml', true], ['gone.yaml', false], ['b.yaml', true]]);
    expect(r[1]!.result.ok ? [] : r[1]!.result.issues).toEqual([issue]);
  });
});
