/**
 * Generated VMs in a suite that migrates favour what a migration needs
 * (vmArb.ts MIGRATABLE_WEIGHT; docs/harness-choices.md §8), still draw every
 * value, and shrink toward the simplest value.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { loadSuite, type Suite } from './suite.ts';
import { MIGRATABLE_WEIGHT, vmShapeArb, weightedFrom } from './vmArb.ts';

const count = <T>(xs: readonly T[]) => xs.reduce((m, x) => m.set(x, (m.get(x) ?? 0) + 1), new Map<T, number>());

describe('weightedFrom', () => {
  it('draws the favoured values about `weight` times as often as each other one, and every value', () => {
    const drawn = count(fc.sample(weightedFrom(['a', 'b', 'c'], ['c'], 3), { seed: 7, numRuns: 5000 }));
    // expected 1000 : 1000 : 3000
    expect(drawn.get('c')!).toBeGreaterThan(2.5 * drawn.get('a')!);
    expect(drawn.get('c')!).toBeGreaterThan(2.5 * drawn.get('b')!);
    expect(drawn.get('a')!).toBeGreaterThan(800);
    expect(drawn.get('b')!).toBeGreaterThan(800);
  });

  it('is a plain uniform choice at weight 1 or when no favoured value is among the values', () => {
    for (const arb of [weightedFrom(['a', 'b'], ['a'], 1), weightedFrom(['a', 'b'], ['z'], 3)]) {
      const drawn = count(fc.sample(arb, { seed: 7, numRuns: 4000 }));
      expect(Math.abs(drawn.get('a')! - drawn.get('b')!)).toBeLessThan(400);
    }
  });

  it('shrinks toward the first (simplest) value, whichever was drawn', () => {
    const out = fc.check(
      fc.property(weightedFrom(['simple', 'other', 'favoured'], ['favoured'], 3), () => false),
      { seed: 1 },
    );
    expect(out.counterexample).toEqual(['simple']);
  });
});

describe('vmShapeArb: a suite that migrates builds migratable VMs more often', async () => {
  const base = await loadSuite('default');
  const share = (suite: Suite) => {
    const shapes = fc.sample(vmShapeArb(suite), { seed: 3, numRuns: 4000 });
    const frac = (p: (s: (typeof shapes)[number]) => boolean) => shapes.filter(p).length / shapes.length;
    return {
      shared: frac((s) => s.storage === 'shared'),
      masquerade: frac((s) => s.spec.podBinding === 'masquerade'),
      starting: frac((s) => ['Always', 'running:true', 'RerunOnFailure', 'Once'].includes(s.strategy)),
    };
  };

  it('MIGRATABLE_WEIGHT to one for shared storage, a masquerade pod binding and a starting run strategy; even odds without migrate', () => {
    const migrating = share(base);
    const w = MIGRATABLE_WEIGHT;
    const near = (x: number, expected: number) => expect(Math.abs(x - expected)).toBeLessThan(0.03);
    near(migrating.shared, w / (w + 1));
    near(migrating.masquerade, w / (w + 1));
    // 4 starting strategies of 7
    near(migrating.starting, (4 * w) / (4 * w + 3));
    const plain = share({ ...base, commands: base.commands.filter((k) => k !== 'migrate') });
    expect(plain.shared).toBeGreaterThan(0.45);
    expect(plain.shared).toBeLessThan(0.55);
    expect(plain.masquerade).toBeLessThan(0.55);
    expect(plain.starting).toBeLessThan(0.62);
  });
});
