/**
 * Shrinking reaches a small counterexample in few replays (scenario.ts shrink
 * order, shrinkOracle.ts). The deviant stands in for a QEMU whose migration
 * target exits at once (test/conformance/wrappers/incoming-exits.sh): the
 * model, whose every accepted migration loses its target at once (the
 * killMigrationTarget fault: docs/spec.md R-M4). The reference is the plain model.
 *
 * Measured on these seeds before this shrink order and the oracle (fast-check's
 * own shrinking of a record, every candidate replayed): 19 to 45 replays before
 * the counterexample had its final 2 steps; on real QEMU a replay costs
 * seconds, and the default suite's shrink budget (70 s) buys about six.
 */
import { describe, expect, it } from 'vitest';
import { createModelBackend } from '../../backends/model/index.ts';
import { runGeneratedProperty } from './property.ts';
import type { BackendFactory } from './runner.ts';
import { loadSuite } from './suite.ts';

const reference: BackendFactory = { name: 'model', inMemory: true, create: async () => createModelBackend({ seed: 0 }) };
const targetDies: BackendFactory = {
  name: 'deviant',
  create: async () => {
    const b = createModelBackend({ seed: 1 });
    const vm = b.vm.bind(b);
    b.vm = async (a) => {
      const r = await vm(a);
      if (r.ok && a.verb === 'migrate') await b.fault({ fault: 'killMigrationTarget', vmi: a.name });
      return r;
    };
    return b;
  },
};

const generated = (steps: { command: { args: unknown; text: string } }[]) => steps.filter((s) => !(s.command.args as { setup?: boolean }).setup);

describe('shrinking a migration-target death (default suite, model vs deviant)', async () => {
  const suite = await loadSuite('default');
  // Seeds whose first counterexample has 5 to 10 steps (generator version 5).
  for (const seed of [2, 7, 12, 18, 23, 54]) {
    it(`seed ${seed}: shrunk to <= 3 steps ending in the migrate within 4 replays`, async () => {
      const out = await runGeneratedProperty({ suite, factories: [reference, targetDies], seed, runs: 200, settleBudgetMs: suite.settleBudgetMs });
      const f = out.failure!;
      expect(f, 'a counterexample').toBeDefined();
      const steps = generated(f.steps);
      expect(f.shrunkFrom).toBeGreaterThan(3);
      expect(steps.length).toBeLessThanOrEqual(3);
      expect(steps.at(-1)?.command.text).toBe('virtctl migrate vm-a');
      expect(f.diff.map((d) => d.path)).toContainEqual(expect.stringMatching(/^migrations\.kubevirt-migrate-vm-[bcdfghjklmnpqrstvwxz2456789]{5}\.phase$/));
      // Replays before the final length was reached: what a shrink budget on real QEMU must pay for.
      expect(f.shrink!.shortestAt).toBeLessThanOrEqual(4);
      // Most candidates are answered on the model alone.
      expect(f.shrink!.replays).toBeLessThan(f.shrink!.candidates / 5);
    });
  }

  it('a counterexample shorter than the suite\'s minSteps (6) shrinks and the shrinking ends (no budget needed)', async () => {
    // seed 4 fails at its second step; fast-check's array shrinker offered such a list unchanged, and
    // the unchanged candidate, failing again, was taken as a shrink until the budget ran out
    const out = await runGeneratedProperty({ suite, factories: [reference, targetDies], seed: 4, runs: 200, settleBudgetMs: suite.settleBudgetMs });
    const f = out.failure!;
    expect(generated(f.steps).length).toBeLessThan(suite.minSteps);
    expect(f.partiallyShrunk).toBeUndefined();
    expect(f.shrink!.candidates).toBeLessThan(1000);
  });

  it('replays the shrunk counterexample from seed and path alone (the shrink order is a pure function of the value)', async () => {
    const factories = [reference, targetDies];
    const first = await runGeneratedProperty({ suite, factories, seed: 4, runs: 200, settleBudgetMs: suite.settleBudgetMs });
    const again = await runGeneratedProperty({ suite, factories, seed: first.failure!.seed, path: first.failure!.path, runs: 1, endOnFailure: true, settleBudgetMs: suite.settleBudgetMs });
    expect(again.failure?.steps.map((s) => s.command)).toEqual(first.failure?.steps.map((s) => s.command));
  });
});
