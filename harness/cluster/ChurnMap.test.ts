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
    const tables = new Set([m.inner]);
    for (let i = 0; i < 20000; i++) {
      const k = `vmi-${i}`;
      m.set(k, i);
      ref.set(k, i);
      if (i >= 100) {
        const old = `vmi-${i - 100 + (i % 7)}`;
        expect(m.delete(old)).toBe(ref.delete(old));
        tables.add(m.inner);
      }
    }
    expect(tables.size).toBeGreaterThan(2); // the inner table was refreshed (copied) more than once
    expect(m.size).toBe(ref.size);
    expect([...m]).toEqual([...ref]);
  });
});

describe('refresh of the inner table (GC: a table is renewed before the young GC would promote it)', () => {
  it('renews a small table that sees few deletions once the churn tables together deleted enough', () => {
    const small = new ChurnSet<number>();
    for (let i = 0; i < 8; i++) small.add(i);
    const busy = new ChurnMap<number, number>();
    const first = small.inner;
    for (let i = 0; i < 10_000; i++) {
      busy.set(i, i);
      busy.delete(i);
    }
    small.delete(0);
    expect(small.inner).toBe(first); // one own deletion is not yet a quarter of its size
    small.delete(1); // two, after 10,000 elsewhere
    expect(small.inner).not.toBe(first);
    expect([...small]).toEqual([2, 3, 4, 5, 6, 7]);
  });

  it('copies a large table only after own deletions above a quarter of its size (at most four entries copied per deletion)', () => {
    const big = new ChurnMap<number, number>();
    for (let i = 0; i < 4000; i++) big.set(i, i);
    const other = new ChurnSet<number>();
    for (let i = 0; i < 10_000; i++) {
      other.add(i);
      other.delete(i);
    }
    const first = big.inner;
    for (let i = 0; i < 800; i++) big.delete(i); // 800 deletions, 3,200 left: not more than a quarter
    expect(big.inner).toBe(first);
    big.delete(800);
    expect(big.inner).not.toBe(first);
    expect(big.size).toBe(3199);
    expect([big.get(800), big.get(801), [...big.keys()][0]]).toEqual([undefined, 801, 801]);
  });
});

describe('ChurnSet', () => {
  it('is a Set of members, in insertion order, across refreshes', () => {
    const s = new ChurnSet<{ id: number }>();
    const ref = new Set<{ id: number }>();
    expect(s).toBeInstanceOf(Set);
    const objs = Array.from({ length: 20000 }, (_, id) => ({ id }));
    const tables = new Set([s.inner]);
    for (const o of objs) {
      s.add(o);
      ref.add(o);
      if (o.id % 3 !== 0) {
        expect(s.delete(o)).toBe(true);
        ref.delete(o);
        tables.add(s.inner);
      }
    }
    expect(tables.size).toBeGreaterThan(1); // refreshed at least once
    expect(s.delete({ id: 0 })).toBe(false); // same shape, other object
    expect([s.size, s.has(objs[0]!), s.has(objs[1]!)]).toEqual([ref.size, true, false]);
    expect([...s]).toEqual([...ref]);
    expect([...s.entries()].every(([a, b]) => a === b)).toBe(true);
    let n = 0;
    s.forEach(() => n++);
    expect(n).toBe(ref.size);
  });
});
