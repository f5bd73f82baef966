import { describe, expect, it } from 'vitest';
import type { ApiObject } from './objects.ts';
import { Store, type Change } from './Store.ts';

function node(name: string): ApiObject {
  return { apiVersion: 'v1', kind: 'Node', metadata: { name }, status: {} } as unknown as ApiObject;
}

describe('Store writes as the listener sees them', () => {
  it('touch tells every watcher (writer null); touchOwn names the writing controller; both bump the resourceVersion', () => {
    const s = new Store(0);
    const seen: [string, Change, string | null][] = [];
    s.listener = (_kind, name, _e, change, writer) => seen.push([name, change, writer]);
    const e = s.create(node('n1'), {});
    const rv0 = e.rv;
    s.touch(e);
    const rv1 = e.rv;
    s.touchOwn(e, 'evacuation');
    s.touchStatus(e);
    s.remove(e);
    expect(seen).toEqual([
      ['n1', 'added', null],
      ['n1', 'updated', null],
      ['n1', 'updated', 'evacuation'],
      ['n1', 'removed', null],
    ]);
    expect(rv1).toBeGreaterThan(rv0);
    expect(e.rv).toBeGreaterThan(rv1 + 1); // touchOwn and touchStatus each took one
  });
});
