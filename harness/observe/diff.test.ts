import { describe, expect, it } from 'vitest';
import { diffValues, joinPath } from './diff.ts';
import { renderDiff } from './render.ts';

describe('diffValues', () => {
  it('lists every differing leaf path with expected and actual', () => {
    const d = diffValues(
      { vmis: { db: { phase: 'Running', node: 'n1', interfaces: [{ mac: 'mac#1' }] } } },
      { vmis: { db: { phase: 'Failed', node: 'n1', interfaces: [{ mac: 'mac#2' }, { mac: 'mac#3' }] } } },
      'qemu',
    );
    expect(d).toEqual([
      { path: 'vmis.db.interfaces[0].mac', expected: 'mac#1', actual: 'mac#2', backend: 'qemu' },
      { path: 'vmis.db.interfaces[1]', expected: undefined, actual: { mac: 'mac#3' }, backend: 'qemu' },
      { path: 'vmis.db.phase', expected: 'Running', actual: 'Failed', backend: 'qemu' },
    ]);
  });

  it('reports a missing object once at its key, and nothing for equal values', () => {
    expect(diffValues({ a: 1, b: { c: 2 } }, { a: 1, b: { c: 2 } }, 'x')).toEqual([]);
    expect(diffValues({ vms: { a: { x: 1 } } }, { vms: {} }, 'x')).toEqual([
      { path: 'vms.a', expected: { x: 1 }, actual: undefined, backend: 'x' },
    ]);
  });

  it('quotes keys that are not plain words', () => {
    expect(joinPath('pvcs', 'data.v1')).toBe('pvcs["data.v1"]');
    expect(diffValues({ 'a.b': 1 }, { 'a.b': 2 }, 'x')[0]?.path).toBe('["a.b"]');
  });

  it('renders one readable line per path', () => {
    const text = renderDiff([{ path: 'vmis.db.phase', expected: 'Running', actual: 'Failed', backend: 'qemu' }], 'model');
    expect(text).toBe('  vmis.db.phase: model="Running"  qemu="Failed"');
  });

  it('cuts long values in the rendering and shows absent ones', () => {
    const text = renderDiff([{ path: 'vmis.db', expected: undefined, actual: { blob: 'x'.repeat(500) }, backend: 'qemu' }], 'model');
    expect(text).toMatch(/^ {2}vmis\.db: model=\(absent\) {2}qemu=\{"blob":"x+…$/);
    expect(text.length).toBeLessThan(220);
  });
});
