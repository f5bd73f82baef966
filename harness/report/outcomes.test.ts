import { describe, expect, it } from 'vitest';
import { failingStepIndex, failureKind, formatValue, propertyOutcomes, uniqueNames } from './outcomes.ts';
import { failingRun } from './fixtures/failingRun.ts';
import { hostileRun } from './fixtures/hostileRun.ts';
import type { Failure } from './types.ts';

describe('report outcomes', () => {
  it('makes repeated names unique without colliding with names already taken', () => {
    expect(uniqueNames(['a', 'b', 'a', 'a (2)', 'a'])).toEqual(['a', 'b', "a (2)'", 'a (2)', 'a (3)']);
    expect(new Set(uniqueNames(['a', 'a', 'a (2)'])).size).toBe(3);
  });

  it('classifies failures: known before flaky before error-without-diff before counterexample', () => {
    const [cx, flaky, known] = failingRun.failures as [Failure, Failure, Failure];
    expect([cx, flaky, known].map(failureKind)).toEqual(['counterexample', 'flaky', 'known']);
    expect(failureKind({ ...cx, diff: [], error: 'boom' })).toBe('error');
    expect(failureKind({ ...cx, error: 'boom' })).toBe('counterexample');
    expect(failureKind({ ...flaky, known: { reason: 'r' } })).toBe('known');
  });

  it('gives one outcome per listed property, with the status of its worst failure', () => {
    expect(propertyOutcomes(failingRun).map((o) => [o.name, o.status, o.failures.length])).toEqual([
      ['vm lifecycle', 'fail', 1],
      ['guest actions', 'flaky', 1],
      ['storage', 'known', 1],
      ['migration', 'pass', 0],
    ]);
    const orphan = { ...failingRun, failures: [{ ...(failingRun.failures[0] as Failure), property: 'unlisted' }] };
    expect(propertyOutcomes(orphan).map((o) => [o.name, o.status])).toContainEqual(['unlisted', 'fail']);
  });

  it('derives one outcome per failure plus "all sequences" when properties are absent', () => {
    expect(propertyOutcomes(hostileRun).map((o) => o.status)).toEqual(['fail', 'error', 'pass']);
    expect(propertyOutcomes(hostileRun).at(-1)).toMatchObject({ name: 'all sequences', sequences: 3, steps: 9 });
  });

  it('finds the failing step (last with a diff, else the last) and prints absent values', () => {
    expect(failingStepIndex(failingRun.failures[0] as Failure)).toBe(2);
    expect(failingStepIndex(hostileRun.failures[1] as Failure)).toBe(0);
    expect([formatValue(undefined), formatValue('x'), formatValue(409), formatValue(null)]).toEqual(['(absent)', '"x"', '409', 'null']);
  });
});
