/**
 * ChurnMap / ChurnSet behave as Map / Set (they replace the core's VMI,
 * migration and guest maps), including across the refreshes of their inner
 * table.
 */
import { describe, expect, it } from 'vitest';
import { ChurnMap, ChurnSet } from './ChurnMap.ts';

describe('ChurnMap', () => {
  it('is a Map: get, has, set, delete, size, insertion order (integer-like keys too)', () => {
    const m = new ChurnMap<string, number>();
    expect(m).toBeInstanceOf(Map);
    m.set('b', 1).set('10', 2).set('a', 3).set('2', 4);
    m.set('b', 5); // an update keeps the position
    expect([...m.keys()]).toEqual(['b', '10', 'a', '2']);
    expect([...m.values()]).toEqual([5, 2, 3, 4]);
    expect([...m]).toEqual([...m.entries()]);
    expect([m.get('a'), m.get('x'), m.has('10'), m.has('x'), m.size]).toEqual([3, undefined, true, false, 4]);
    expect([m.delete('10'), m.delete('10')]).toEqual([true, false]);
    m.set('10', 6); // re-added: goes last
    const seen: [string, number][] = [];
    m.forEach((v, k, map) => {
      expect(map).toBe(m);
      seen.push([k, v]);
    });
    expect(seen).toEqual([['b', 5], ['a', 3], ['2', 4], ['10', 6]]);
    expect(new Map(m)).toEqual(new Map(seen)); // a copy is a plain Map with the same entries
    m.clear();
    expect([m.size, [...m]]).toEqual([0, []]);
  });

  it('keeps every entry and its order across inner-table refreshes (many deletions)', () => {
    const m = new ChurnMap<string, number>();
    const ref = new Map<string, number>();
    for (let i = 0; i < 5000; i++) {
      const k = `vmi-${i}`;
      m.set(k, i);
      ref.set(k, i);
      if (i >= 100) {
        const old = `vmi-${i - 100 + (i % 7)}`;
        expect(m.delete(old)).toBe(ref.delete(old));
      }
    }
    expect(m.size).toBe(ref.size);
    expect([...m]).toEqual([...ref]);
  });
});

describe('ChurnSet', () => {
  it('is a Set of members, in insertion order, across refreshes', () => {
    const s = new ChurnSet<{ id: number }>();
    const ref = new Set<{ id: number }>();
    expect(s).toBeInstanceOf(Set);
    const objs = Array.from({ length: 3000 }, (_, id) => ({ id }));
    for (const o of objs) {
      s.add(o);
      ref.add(o);
      if (o.id % 3 !== 0) {
        expect(s.delete(o)).toBe(true);
        ref.delete(o);
      }
    }
    expect(s.delete({ id: 0 })).toBe(false); // same shape, other object
    expect([s.size, s.has(objs[0]!), s.has(objs[1]!)]).toEqual([ref.size, true, false]);
    expect([...s]).toEqual([...ref]);
    expect([...s.entries()].every(([a, b]) => a === b)).toBe(true);
    let n = 0;
    s.forEach(() => n++);
    expect(n).toBe(ref.size);
  });
});
