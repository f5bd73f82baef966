/**
 * A whole model backend (core and simulated node side) saved between
 * commands and restored continues as the one saved: the same answers and
 * observations from there on. The node side's state matters here: guests,
 * boot ids, data written to disks, held migrations (what the core-only
 * save / restore property, saveRestore.test.ts, leaves on the live agent).
 * The engine's setup cache (harness/engine/setupCache.ts) rests on it.
 */
import { describe, expect, it } from 'vitest';
import type { Observation } from '../contract.ts';
import { baseObjects, mixCommands, runMixCommand } from './commandMix.ts';
import { vm } from './testObjects.ts';
import { createModelBackend, type ModelBackendState } from './index.ts';

type B = ReturnType<typeof createModelBackend>;

/** Runs `cmds` from `from` on, settling and observing after each; answers and observations in order. */
async function runOn(b: B, cmds: ReturnType<typeof mixCommands>): Promise<unknown[]> {
  const out: unknown[] = [];
  for (const c of cmds) {
    out.push(await runMixCommand(b, c));
    await b.settle(60_000);
    out.push(await b.observe());
  }
  return out;
}

async function started(seed: number, steps: number): Promise<{ b: B; rest: ReturnType<typeof mixCommands> }> {
  const b = createModelBackend({ seed });
  for (const o of baseObjects()) await b.apply(o);
  await b.settle(60_000);
  const cmds = mixCommands(seed, steps * 2);
  for (const c of cmds.slice(0, steps)) {
    await runMixCommand(b, c);
    await b.settle(60_000);
  }
  return { b, rest: cmds.slice(steps) };
}

describe('model backend save / restore', () => {
  it('40 seeds: a backend restored after 30 commands answers and observes the next 30 as the saved one does', async () => {
    let guests = 0;
    for (let seed = 1; seed <= 40; seed++) {
      const { b, rest } = await started(seed, 30);
      const saved: ModelBackendState = b.save();
      guests += saved.agent.guests.length;
      const restored = createModelBackend({ seed }, saved);
      expect(await runOn(restored, rest), `seed ${seed}`).toEqual(await runOn(b, rest));
    }
    expect(guests).toBeGreaterThan(40); // running guests were saved, not only an idle node side
  });

  it('data written to a PVC before the save is on it after the restore, also for the next VMI', async () => {
    const b = createModelBackend({ seed: 3 });
    for (const o of baseObjects()) await b.apply(o);
    await b.apply(vm('w', 'Always', { volumes: [{ volume: { name: 'data', persistentVolumeClaim: { claimName: 'rwo-vol' } } }] }));
    await b.settle(60_000);
    expect((await b.guest({ action: 'writeData', vmi: 'w', disk: 'data', token: 't-saved' })).ok).toBe(true);
    await b.settle(60_000);
    const restored = createModelBackend({ seed: 3 }, b.save());
    const token = (o: Observation) => o.vmis['w']?.disks.find((d) => d.name === 'data')?.token;
    expect(token(await restored.observe())).toBe('t-saved');
    await restored.vm({ verb: 'restart', name: 'w' });
    await restored.settle(60_000);
    expect(token(await restored.observe())).toBe('t-saved');
  });

  it('the state is plain JSON and the caller keeps it: restoring twice gives two independent backends', async () => {
    const { b, rest } = await started(5, 20);
    const saved = b.save();
    expect(JSON.parse(JSON.stringify(saved))).toEqual(saved);
    const copy = structuredClone(saved);
    const one = createModelBackend({ seed: 5 }, saved);
    await runOn(one, rest);
    expect(saved).toEqual(copy);
    const two = createModelBackend({ seed: 5 }, saved);
    expect(await runOn(two, rest)).toEqual(await runOn(createModelBackend({ seed: 5 }, copy), rest));
  });

  it('saving with events not yet taken is refused', async () => {
    const b = createModelBackend({ seed: 1 });
    for (const o of baseObjects()) await b.apply(o);
    // apply hands the launch effects to the agent, whose events wait for settle
    expect(() => b.save()).toThrow(/still have work|events are waiting/);
  });
});
