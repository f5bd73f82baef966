import { describe, expect, it } from 'vitest';
import { InfrastructureError } from '../contract/index.ts';
import { createFakeBackend, type FakeOptions } from './fakeBackend.testkit.ts';
import { runGeneratedProperty } from './property.ts';
import type { BackendFactory } from './runner.ts';
import { suiteSchema } from './suite.ts';
import { decodeToken } from './token.ts';

const suite = suiteSchema.parse({
  name: 'fake',
  runs: 100,
  maxSteps: 10,
  settleBudgetMs: 1000,
  maxVms: 2,
  standalone: false,
  commands: ['apply', 'start', 'stop', 'reset'],
  bootSources: ['containerDisk'],
  builds: ['yaml'],
});

const fake = (name: string, o: FakeOptions = {}): BackendFactory => ({ name, create: async () => createFakeBackend({ name, ...o }) });

describe('runGeneratedProperty (runner mechanics, toy backend)', () => {
  it('maxSteps below the suite\'s minSteps caps both (vmconform run --max-steps 5 on the default suite failed with an internal error)', async () => {
    const long = { ...suite, minSteps: 8, maxSteps: 10 };
    const out = await runGeneratedProperty({ suite: long, maxSteps: 3, factories: [fake('a'), fake('b')], seed: 1, runs: 20, settleBudgetMs: 1000 });
    expect(out.result.passed).toBe(true);
    expect(out.result.sequences).toBe(20);
    expect(out.result.steps).toBeLessThanOrEqual(20 * 3);
  });

  it('passes when two backends differ only in raw ids (canonical labels)', async () => {
    const out = await runGeneratedProperty({ suite, factories: [fake('a'), fake('b', { uidPrefix: 'other' })], seed: 1, runs: 50, settleBudgetMs: 1000 });
    expect(out.result.passed).toBe(true);
    expect(out.result.sequences).toBe(50);
    expect(out.result.steps).toBeGreaterThan(50);
  });

  it('finds a deviation, shrinks it to at most 3 steps and encodes a token', async () => {
    const out = await runGeneratedProperty({ suite, factories: [fake('a'), fake('b', { deviation: 'resetNewVmi' })], seed: 7, runs: 100, settleBudgetMs: 1000 });
    expect(out.result.passed).toBe(false);
    const f = out.failure!;
    const generated = f.steps.filter((s) => !(s.command.args as { setup?: boolean }).setup);
    expect(generated.length).toBeLessThanOrEqual(3);
    expect(generated.at(-1)?.command.text).toMatch(/reset/);
    expect(f.diff.map((d) => d.path)).toContain(`vmis.${(generated.at(-1)?.command.args as { vmi: string }).vmi}.uid`);
    expect(f.shrunkFrom).toBeGreaterThanOrEqual(generated.length);
    const t = decodeToken(f.token);
    expect(t.ok && t.token.seed === f.seed && t.token.path === f.path).toBe(true);
  });

  it('replays the counterexample from seed and path alone', async () => {
    const factories = [fake('a'), fake('b', { deviation: 'resetNewVmi' })];
    const first = await runGeneratedProperty({ suite, factories, seed: 7, runs: 100, settleBudgetMs: 1000 });
    const again = await runGeneratedProperty({ suite, factories, seed: first.failure!.seed, path: first.failure!.path, runs: 1, endOnFailure: true, settleBudgetMs: 1000 });
    expect(again.failure?.steps.map((s) => s.command)).toEqual(first.failure?.steps.map((s) => s.command));
  });

  it('stops generation when the time budget is spent and says how many sequences ran', async () => {
    let t = 0;
    const out = await runGeneratedProperty({ suite, factories: [fake('a'), fake('b')], seed: 1, runs: 100, budgetMs: 10, settleBudgetMs: 1000, now: () => (t += 1) });
    expect(out.budgetExhausted).toBe(true);
    expect(out.result.sequences).toBeLessThan(100);
    expect(out.result.passed).toBe(true);
  });

  it('the time budget ends generation between steps, also inside a sequence: its steps count, the sequence does not', async () => {
    // Every command on backend a takes a (virtual) second; the budget is 5.5 s.
    let t = 0;
    const slow: BackendFactory = {
      name: 'a',
      create: async () => {
        const b = createFakeBackend({ name: 'a' });
        const tick = <A extends unknown[], R>(f: (...a: A) => Promise<R>) => (...a: A) => ((t += 1000), f(...a));
        return { ...b, apply: tick(b.apply), delete: tick(b.delete), vm: tick(b.vm), guest: tick(b.guest) };
      },
    };
    const long = { ...suite, minSteps: 10, maxSteps: 10 };
    const out = await runGeneratedProperty({ suite: long, factories: [slow, fake('b')], seed: 1, runs: 100, budgetMs: 5500, settleBudgetMs: 1000, now: () => t });
    expect(out.budgetExhausted).toBe(true);
    expect(out.result.passed).toBe(true);
    // Before: the first sequence ran to its end (10 choices) past the budget and counted as one.
    expect(out.result.sequences).toBe(0);
    expect(out.result.steps).toBeGreaterThan(0);
    expect(out.result.steps).toBeLessThanOrEqual(6);
  });

  it('marks the counterexample partially shrunk when the shrink budget runs out', async () => {
    let t = 0;
    const out = await runGeneratedProperty({
      suite,
      factories: [fake('a'), fake('b', { deviation: 'resetNewVmi' })],
      seed: 7,
      runs: 100,
      shrinkBudgetMs: 1,
      settleBudgetMs: 1000,
      now: () => (t += 1),
    });
    expect(out.failure?.partiallyShrunk).toBe(true);
  });

  it('reports an unexpected backend error as a failure naming the step, shrunk like a diff', async () => {
    const out = await runGeneratedProperty({ suite, factories: [fake('a'), fake('b', { deviation: 'throwOnReset' })], seed: 7, runs: 100, settleBudgetMs: 1000 });
    expect(out.failure?.error).toMatch(/^step \d+ \(virtctl reset vm-a\): fake: QMP connection reset by peer$/);
    expect(out.failure?.steps.filter((s) => !(s.command.args as { setup?: boolean }).setup).length).toBeLessThanOrEqual(3);
  });

  it('re-throws an infrastructure error instead of reporting a counterexample', async () => {
    await expect(
      runGeneratedProperty({ suite, factories: [fake('a'), fake('b', { infraErrorOnCreate: true })], seed: 1, runs: 5, settleBudgetMs: 1000 }),
    ).rejects.toBeInstanceOf(InfrastructureError);
  });
});
