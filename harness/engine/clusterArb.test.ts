/**
 * Generated clusters of a suite that migrates leave room for a migration
 * (clusterArb.ts MIGRATION_ROOM; docs/harness-choices.md §8) and still draw
 * one-node clusters and every node capacity.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { clusterArb, MIGRATION_ROOM } from './clusterArb.ts';
import { loadSuite } from './suite.ts';

describe('clusterArb: a suite that migrates', async () => {
  const suite = await loadSuite('default');
  const clusters = fc.sample(clusterArb(suite), { seed: 5, numRuns: 4000 });
  const nodes = clusters.flatMap((c) => c.nodes);

  it(`draws one node in about one cluster of ${MIGRATION_ROOM.oneNodeIn}, and still draws it`, () => {
    const one = clusters.filter((c) => c.nodes.length === 1).length / clusters.length;
    expect(one).toBeGreaterThan(0.08);
    expect(one).toBeLessThan(0.17);
  });

  it('draws roomy nodes (most memory, every VF) most often, and every capacity', () => {
    const roomy = nodes.filter((n) => n.memoryMi === 4096 && n.vfs === 2).length / nodes.length;
    // roomy 3 : any 1, where any is roomy one time in nine
    expect(roomy).toBeGreaterThan(0.7);
    for (const memoryMi of [4096, 2048, 1024]) expect(nodes.some((n) => n.memoryMi === memoryMi)).toBe(true);
    for (const vfs of [0, 1, 2]) expect(nodes.some((n) => n.vfs === vfs)).toBe(true);
  });

  it('a suite that does not migrate draws capacities evenly', () => {
    const plain = fc.sample(clusterArb({ ...suite, commands: suite.commands.filter((k) => k !== 'migrate') }), { seed: 5, numRuns: 2000 }).flatMap((c) => c.nodes);
    const big = plain.filter((n) => n.memoryMi === 4096).length / plain.length;
    expect(big).toBeGreaterThan(0.28);
    expect(big).toBeLessThan(0.39);
  });
});
