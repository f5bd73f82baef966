/**
 * Acceptance: the engine finds deviations. Each deviant is the model with
 * one rule of its overridable rule table broken; the engine must find the
 * deviation, shrink it to at most 3 steps, and replay it exactly from its
 * results.json and from its token.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createModelBackend, type ModelBackendOptions } from '../../backends/model/index.ts';
import { writeReport } from '../report/index.ts';
import { readResults } from '../report/results.ts';
import { GENERATED_PROPERTY, runGeneratedProperty } from './property.ts';
import { replaySteps, runSuite } from './run.ts';
import type { BackendFactory } from './runner.ts';
import { loadSuite } from './suite.ts';
import { decodeToken } from './token.ts';

const model = (name: string, opts: ModelBackendOptions = {}): BackendFactory => ({ name, create: async () => createModelBackend(opts) });

const DEVIANTS: { rule: string; name: string; opts: ModelBackendOptions; lastStep: RegExp }[] = [
  {
    rule: 'R-RS2',
    name: 'RerunOnFailure restarts after Succeeded',
    opts: { core: { rules: { runStrategy: { RerunOnFailure: { succeeded: 'deleteRecreate' } } } } },
    lastStep: /poweroff|ACPI|stop|Succeeded/,
  },
  { rule: 'R-G2/R-V8', name: 'reset creates a new VMI', opts: { core: { rules: { behaviour: { reset: 'newVmi' } } } }, lastStep: /reset/ },
  { rule: 'R-M4', name: 'migration keeps the old node', opts: { core: { rules: { behaviour: { migrationMovesNode: false } } } }, lastStep: /migrate/ },
];

const dirs: string[] = [];
afterAll(async () => {
  await Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true })));
});

const generatedSteps = <S extends { command: { args: Record<string, unknown> } }>(steps: S[]) => steps.filter((s) => !s.command.args['setup']);

describe('the engine finds deviant models', async () => {
  const suite = await loadSuite('model');
  for (const d of DEVIANTS) {
    it(`${d.rule}: finds "${d.name}", shrinks it to <= 3 steps, replays it from results.json and from its token`, async () => {
      const factories = [model('model'), model('deviant', d.opts)];
      const results = await runSuite({ runId: 't', suite, factories, seed: 42, runs: 1000, maxSteps: 20, handwritten: [], accel: null });
      const f = results.failures.find((x) => x.property === GENERATED_PROPERTY);
      expect(f, 'a counterexample').toBeDefined();
      const steps = generatedSteps(f!.steps);
      expect(steps.length).toBeLessThanOrEqual(3);
      expect(f!.diff.length).toBeGreaterThan(0);
      expect(f!.diff.every((e) => e.backend === 'deviant')).toBe(true);
      expect(steps.map((s) => s.command.text).join(' / ')).toMatch(d.lastStep);

      // From results.json: the recorded steps replay to the same diff.
      const dir = await mkdtemp(join(tmpdir(), 'vmconform-deviant-'));
      dirs.push(dir);
      await writeReport(dir, results);
      const read = await readResults(dir);
      expect(read.ok).toBe(true);
      if (!read.ok) return;
      const recorded = read.results.failures.find((x) => x.property === GENERATED_PROPERTY)!;
      const again = await replaySteps(recorded.steps, factories, suite.settleBudgetMs);
      expect(again.ok).toBe(false);
      expect(again.diff).toEqual(f!.diff);
      expect(again.steps.map((s) => s.command)).toEqual(f!.steps.map((s) => s.command));

      // From the token: seed + path regenerate the same counterexample, same choices.
      const t = decodeToken(f!.token);
      expect(t.ok).toBe(true);
      if (!t.ok) return;
      const replay = await runGeneratedProperty({ suite: { ...suite, maxSteps: t.token.maxSteps }, factories, seed: t.token.seed, path: t.token.path, runs: 1, endOnFailure: true, settleBudgetMs: suite.settleBudgetMs });
      expect(replay.scenario?.choices).toEqual(t.token.choices);
      expect(replay.failure?.diff).toEqual(f!.diff);
      expect(replay.failure?.steps.map((s) => s.command)).toEqual(f!.steps.map((s) => s.command));
    }, 120_000);
  }

  it('--confirm classifies a reproducible deviation as deterministic; a baseline entry marks it known (R-M4)', async () => {
    const d = DEVIANTS[2]!;
    const factories = [model('model'), model('deviant', d.opts)];
    const results = await runSuite({
      runId: 't',
      suite,
      factories,
      seed: 42,
      runs: 1000,
      maxSteps: 20,
      handwritten: [],
      accel: null,
      confirm: 2,
      baseline: { deviations: [{ path: 'vmis.*.node', backend: 'deviant', reason: 'migration target not applied yet', link: 'https://example.invalid/1' }] },
    });
    expect(results.failures).toHaveLength(1);
    expect(results.failures[0]).toMatchObject({ classification: 'deterministic', known: { reason: 'migration target not applied yet' } });
    expect(results.passed).toBe(true);
  }, 120_000);

  it('model against model: no false difference over 300 sequences', async () => {
    const out = await runGeneratedProperty({ suite, factories: [model('model', { seed: 0 }), model('model#2', { seed: 1 })], seed: 2026, runs: 300, settleBudgetMs: suite.settleBudgetMs });
    if (out.failure) console.error(JSON.stringify(out.failure.diff), out.failure.error, out.failure.steps.map((s) => s.command.text));
    expect(out.result.passed).toBe(true);
    expect(out.result.sequences).toBe(300);
  }, 120_000);
});
