/**
 * The setup cache (setupCache.ts): a sequence whose backends start from a
 * restored setup runs step for step (answers, observations, differences) as
 * one whose backends applied it; only setups every backend agreed on are
 * kept.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Backend, KubeObject } from '../../backends/contract.ts';
import { fail } from '../contract/index.ts';
import { createFactories } from './backends.ts';
import { runSequence, setupCommands, type BackendFactory, type SequenceInput } from './runner.ts';
import { scenarioArb } from './scenario.ts';
import { loadSuite } from './suite.ts';
import { createFakeBackend } from './fakeBackend.testkit.ts';

const opts = { settleBudgetMs: 60_000 };

describe('setup cache', () => {
  it('30 generated sequences: restored from the cache, each runs as on backends that applied its setup', async () => {
    const suite = await loadSuite('model');
    const cached = await createFactories(['model', 'model'], { accel: 'auto' });
    const plain = cached.map(({ saved: _s, ...f }): BackendFactory => f);
    let restored = 0;
    const ref = cached[0]!.saved!;
    cached[0] = { ...cached[0]!, saved: { save: ref.save, restore: (s) => (restored++, ref.restore(s)) } };
    for (const s of fc.sample(scenarioArb(suite), { seed: 42, numRuns: 30 })) {
      const input: SequenceInput = { setup: setupCommands(s.cluster.objects), vms: s.vms, choices: s.choices, kinds: suite.commands };
      const fresh = await runSequence(input, plain, opts);
      expect(fresh.ok).toBe(true);
      await runSequence(input, cached, opts); // keeps the setup, unless an earlier scenario drew the same cluster
      const before = restored;
      const again = await runSequence(input, cached, opts);
      expect(restored).toBe(before + 1);
      expect(again).toEqual(fresh);
    }
    expect(restored).toBeGreaterThanOrEqual(30);
  });

  it('a setup the backends answered differently is not kept: the next sequence applies it again', async () => {
    let creates = 0;
    let restores = 0;
    const refusing = (b: Backend): Backend => ({ ...b, apply: async () => fail(422, 'refused') });
    const factory = (name: string, refuses = false): BackendFactory => ({
      name,
      create: async () => (creates++, refuses ? refusing(createFakeBackend({ name })) : createFakeBackend({ name })),
      saved: { save: () => ({}), restore: async () => (restores++, createFakeBackend({ name })) },
    });
    const object = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c' } } as unknown as KubeObject;
    const input: SequenceInput = { setup: setupCommands([object]), commands: [] };
    const factories = [factory('a'), factory('b', true)];
    expect((await runSequence(input, factories, opts)).ok).toBe(false);
    expect((await runSequence(input, factories, opts)).ok).toBe(false);
    expect({ creates, restores }).toEqual({ creates: 4, restores: 0 });
  });
});
