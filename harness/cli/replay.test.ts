/**
 * `vmconform replay --token` as a user meets it (spawned with execa): a token
 * whose counterexample no longer differs exits 0; a token that the generator
 * no longer reproduces (drift) or from a changed suite exits 2.
 */
import { execa } from 'execa';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { writeReport } from '../report/index.ts';
import { runSuite } from '../engine/run.ts';
import { createModelBackend } from '../../backends/model/index.ts';
import type { Choice } from '../engine/catalogue.ts';
import { runGeneratedProperty } from '../engine/property.ts';
import { GENERATOR_VERSION, type Scenario } from '../engine/scenario.ts';
import { loadSuite } from '../engine/suite.ts';
import { encodeToken, suiteHash } from '../engine/token.ts';

vi.setConfig({ testTimeout: 90_000 });

const ROOT = new URL('../../', import.meta.url).pathname;
const cli = (...args: string[]) => execa('node', ['bin/vmconform.js', ...args], { cwd: ROOT, reject: false, timeout: 60_000 });

async function tokenFor(seed: number, path: string, tamper?: (c: Choice[]) => Choice[]): Promise<string> {
  const suite = await loadSuite('model');
  let scenario: Scenario | undefined;
  const factories = [{ name: 'model', create: async () => createModelBackend() }];
  await runGeneratedProperty({ suite, factories, seed, path, runs: 1, endOnFailure: true, settleBudgetMs: 1000, onScenario: (s) => (scenario ??= s) });
  const choices = scenario!.choices.map((c) => [c[0], c[1]] as Choice);
  return encodeToken({
    generator: GENERATOR_VERSION,
    suite: 'model',
    suiteHash: suiteHash(suite),
    property: 'generated',
    maxSteps: suite.maxSteps,
    seed,
    path,
    choices: tamper ? tamper(choices) : choices,
    fingerprints: [{ backend: 'model' }, { backend: 'model#2' }],
  });
}

describe('vmconform replay --token', () => {
  it('regenerates the scenario from seed and path and exits 0 when the backends agree', async () => {
    const r = await cli('replay', '--token', await tokenFor(77, '3'));
    expect(r.exitCode, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/generated: no longer differs/);
  });

  it('refuses a token the generator no longer reproduces (exit 2, no stack)', async () => {
    const r = await cli('replay', '--token', await tokenFor(77, '3', (c) => [...c, [1, 1]]));
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toMatch(/generator drift/);
    expect(r.stderr).not.toMatch(/^\s+at /m);
  });

  it('refuses a token made against another version of the suite', async () => {
    const good = await tokenFor(77, '3');
    const raw = JSON.parse(Buffer.from(good.slice('vmc1.'.length), 'base64url').toString('utf8')) as Record<string, unknown>;
    const stale = `vmc1.${Buffer.from(JSON.stringify({ ...raw, suiteHash: '000000000000' })).toString('base64url')}`;
    const r = await cli('replay', '--token', stale);
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toMatch(/suite 'model' changed since the token was made/);
  });
});

describe('vmconform replay DIR', () => {
  it('replays the recorded steps of each counterexample and says whether they still differ', async () => {
    // A counterexample found against a deviant model (reset makes a new VMI),
    // recorded as if the second backend had been a plain model: replaying it
    // on model,model shows that the difference is gone.
    const suite = await loadSuite('model');
    const deviant = { name: 'model#2', create: async () => createModelBackend({ core: { rules: { behaviour: { reset: 'newVmi' } } } }) };
    const results = await runSuite({ runId: 'r', suite, factories: [{ name: 'model', create: async () => createModelBackend() }, deviant], seed: 42, runs: 1000, maxSteps: 20, handwritten: [], accel: null });
    expect(results.failures).toHaveLength(1);
    const dir = await mkdtemp(join(tmpdir(), 'vmconform-replay-'));
    try {
      await writeReport(dir, results);
      const r = await cli('replay', dir);
      expect(r.exitCode, r.stderr).toBe(0);
      expect(r.stdout).toMatch(/counterexample 1 of 1 \(generated\): no longer differs \(\d steps replayed\)/);
      const edited = { ...results, failures: [{ ...results.failures[0]!, steps: [{ command: { kind: 'explode', args: {}, text: 'x' }, results: {} }] }] };
      await writeFile(join(dir, 'edited.json'), JSON.stringify(edited));
      const bad = await cli('replay', join(dir, 'edited.json'));
      expect(bad.exitCode).toBe(2);
      expect(bad.stderr).toContain(`${join(dir, 'edited.json')}: failures[0].steps[0].command.kind: unknown command kind 'explode'`);
      const wrong = await cli('replay', dir, '--token', 'vmc1.nope');
      expect(wrong.exitCode).toBe(2);
      expect(wrong.stderr).toMatch(/--token: no failure of .*results\.json has this token/);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
