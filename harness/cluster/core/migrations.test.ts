/**
 * The buffer of finished migrations (REFERENCE §4.1: the 5 newest per VMI
 * are kept): what it keeps for the observation, and what it lets go.
 */
import { describe, expect, it } from 'vitest';
import { SimCluster } from '../../../backends/model/SimCluster.ts';
import { node, vm } from '../../../backends/model/testObjects.ts';

/** Nodes n1, n2 and a running VM `v`. */
function twoNodesOneVm(): SimCluster {
  const c = new SimCluster();
  c.apply(node('n1'));
  c.apply(node('n2'));
  c.apply(vm('v', 'Always'));
  c.settle();
  return c;
}

describe('finished migrations', () => {
  it('R-M4 keep the 5 newest per VMI, observed by name, VMI and phase, holding neither the VMI nor its target NICs', () => {
    const c = twoNodesOneVm();
    const first = c.core.vmis.get('v')!;
    for (let i = 0; i < 7; i++) {
      expect(c.vm({ verb: 'migrate', name: 'v' })).toEqual({ ok: true });
      c.settle();
    }
    expect(Object.keys(c.observe().migrations).sort()).toEqual([3, 4, 5, 6, 7].map((n) => `v-migration-${n}`));
    expect(c.observe().migrations['v-migration-7']).toEqual({ vmi: 'v', phase: 'Succeeded' });
    for (const m of c.core.migrations.values()) expect([m.vmi, m.targetNics]).toEqual([null, null]);
    // the VMI itself is unchanged by that: same object, moved back and forth
    expect(c.core.vmis.get('v')).toBe(first);
    expect(first.migration).toMatchObject({ completed: true, failed: false });
  });

  it('R-M4 a running migration still knows its VMI (killMigrationTarget, node loss need it)', () => {
    const c = twoNodesOneVm();
    c.vm({ verb: 'migrate', name: 'v' }); // not settled: the agent's answer is still queued
    const m = c.core.migrations.get('v-migration-1')!;
    expect(m.phase).toBe('Running');
    expect(m.vmi).toBe(c.core.vmis.get('v'));
    c.settle();
    expect([m.phase, m.vmi]).toEqual(['Succeeded', null]);
  });
});
