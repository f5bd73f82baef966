/**
 * The MigrationPolicy match rule as KubeVirt's
 * (pkg/virt-controller/watch/migration/migrationpolicy.go `matchPolicy`,
 * `countMatchingLabels`, `migrationPolicyMatchScore.greaterThan`; cases after
 * its migrationpolicy_test.go).
 */
import { describe, expect, it } from 'vitest';
import { matchPolicy, policyScore, type PolicyCandidate } from './migrationPolicies.ts';

const p = (name: string, vmi?: Record<string, string>, ns?: Record<string, string>): PolicyCandidate => ({
  name,
  selectors: { ...(vmi ? { virtualMachineInstanceSelector: vmi } : {}), ...(ns ? { namespaceSelector: ns } : {}) },
});
const NS = { 'kubernetes.io/metadata.name': 'default', team: 'a' };
const names = (ps: PolicyCandidate[], vmi: Record<string, string> | null, ns: Record<string, string> | null = NS) => matchPolicy(ps, vmi, ns)?.name ?? null;

describe('matchPolicy (migrationpolicy.go)', () => {
  it('every selector label must be on the VMI (or its namespace) with the same value', () => {
    expect(names([p('x', { tier: 'db' })], { tier: 'db', app: 'm' })).toBe('x');
    expect(names([p('x', { tier: 'db' })], { tier: 'web' })).toBeNull();
    expect(names([p('x', { tier: 'db', zone: 'a' })], { tier: 'db' })).toBeNull();
    expect(names([p('x', undefined, { team: 'a' })], { tier: 'db' })).toBe('x');
    expect(names([p('x', undefined, { team: 'b' })], { tier: 'db' })).toBeNull();
    expect(names([p('x', { tier: 'db' })], { tier: 'db' }, null)).toBe('x');
    expect(names([p('x', undefined, { team: 'a' })], { tier: 'db' }, null)).toBeNull();
  });

  it('empty selectors match every VMI with score 0; a policy without selectors matches none', () => {
    expect(names([p('any')], { tier: 'db' })).toBe('any');
    expect(names([{ name: 'none' }], { tier: 'db' })).toBeNull();
  });

  it('the most matching labels win; a tie in total goes to more VMI labels; a full tie to the first name', () => {
    const vmi = { tier: 'db', app: 'm' };
    expect(names([p('one', { tier: 'db' }), p('two', { tier: 'db', app: 'm' }), p('any')], vmi)).toBe('two');
    // 1 VMI + 1 namespace label = 2 = 2 VMI labels: the VMI labels win
    expect(names([p('mixed', { tier: 'db' }, { team: 'a' }), p('vmi', { tier: 'db', app: 'm' })], vmi)).toBe('vmi');
    expect(names([p('mixed', { tier: 'db' }, { team: 'a' }), p('ns', undefined, { team: 'a', 'kubernetes.io/metadata.name': 'default' })], vmi)).toBe('mixed');
    expect(names([p('b', { tier: 'db' }), p('a', { app: 'm' }), p('c', { tier: 'db' })], vmi)).toBe('a');
  });

  it('a VMI without labels (nil map) skips both selectors, as KubeVirt tests the VMI labels for the namespace selector too', () => {
    expect(policyScore(p('x', { tier: 'db' }, { team: 'b' }), null, NS)).toEqual({ vmi: 0, ns: 0 });
    expect(names([p('x', { tier: 'db' }, { team: 'b' })], null)).toBe('x');
  });
});
