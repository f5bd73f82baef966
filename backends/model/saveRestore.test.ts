/**
 * The store is plain JSON (docs/architecture.md, the control plane): saving
 * the core after any step, restoring it and continuing gives the same
 * answers, effects, events and observations as running on. Here 500
 * generated sequences restored after one step each, 100 after every step and
 * 50 longer ones after random steps (each run twice: straight and restored);
 * `vmconform bench --only model` runs 10,000 (model.saveRestore10kSequencesSeconds).
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { mulberry32 } from '../../harness/api/generateExpression.ts';
import { restoredTrace, STEPS } from './saveRestore.ts';

describe('save / restore', () => {
  it('500 sequences restored after one step each (the step drawn from the seed): the same trace as straight on', () => {
    for (let seed = 1; seed <= 500; seed++) {
      const { straight, restored } = restoredTrace(seed, STEPS, (step) => step === 1 + (seed % STEPS));
      expect(restored, `seed ${seed}`).toEqual(straight);
    }
  });

  it('100 sequences restored after every step', () => {
    for (let seed = 1; seed <= 100; seed++) {
      const { straight, restored } = restoredTrace(seed, STEPS, () => true);
      expect(restored, `seed ${seed}`).toEqual(straight);
    }
  });

  it('longer sequences restored after random steps', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 1_000_000 }), fc.integer({ min: 1, max: 1_000_000 }), (seed, pick) => {
        const rnd = mulberry32(pick);
        const { straight, restored } = restoredTrace(seed, 60, () => rnd() < 0.2);
        expect(restored).toEqual(straight);
      }),
      { numRuns: 50 },
    );
  });

  it('the saved state is plain JSON: it survives a JSON round trip unchanged, and a restored core saves the same', async () => {
    const { SimCluster } = await import('./SimCluster.ts');
    const { baseObjects, mixCommands, runMixCommand } = await import('./commandMix.ts');
    const c = new SimCluster({ core: { seed: 7 } });
    for (const o of baseObjects()) c.apply(o);
    c.settle();
    for (const x of mixCommands(7, 80)) {
      runMixCommand(c, x);
      c.settle();
    }
    const saved = c.save();
    expect(JSON.parse(JSON.stringify(saved))).toEqual(saved);
    c.restore(saved);
    expect(c.save()).toEqual(saved);
  });
});
