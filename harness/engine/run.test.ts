/**
 * runSuite: a failing hand-written scenario is shrunk like a generated one
 * (steps dropped while the same diff paths remain), within the run's shrink
 * budget. Model against a deviant model whose reset makes a new VMI (R-G2).
 */
import { describe, expect, it } from 'vitest';
import { createModelBackend, type ModelBackendOptions } from '../../backends/model/index.ts';
import { loadHandwritten } from './handwritten.ts';
import { InfrastructureError, UsageError } from '../contract/index.ts';
import { commandsOf, runSuite } from './run.ts';
import type { BackendFactory } from './runner.ts';
import { loadSuite } from './suite.ts';

const model = (name: string, opts: ModelBackendOptions = {}): BackendFactory => ({ name, create: async () => createModelBackend(opts) });
const DEVIANT: ModelBackendOptions = { core: { rules: { behaviour: { reset: 'newVmi' } } } };
const real = (steps: { command: { args: Record<string, unknown>; text: string } }[]) => steps.filter((s) => !s.command.args['setup']).map((s) => s.command.text);

describe('runSuite: hand-written scenarios', async () => {
  const suite = await loadSuite('model');
  const handwritten = await loadHandwritten(['mariadb-prod']);

  it('R-G2: a failing mariadb-prod is shrunk from 6 steps to the apply and the reset', async () => {
    const r = await runSuite({ runId: 't', suite, factories: [model('model'), model('deviant', DEVIANT)], seed: 1, runs: 0, maxSteps: 5, handwritten, accel: null, shrinkBudgetMs: 60_000 });
    const f = r.failures[0]!;
    expect(f.property).toBe('scenario:mariadb-prod');
    expect(f.shrunkFrom).toBe(6);
    expect(real(f.steps)).toEqual(['apply VirtualMachine/mariadb-prod (running: true)', 'virtctl reset mariadb-prod']);
    expect(f.diff.map((d) => d.path)).toContain('vmis.mariadb-prod.uid');
    expect(f.partiallyShrunk).toBeUndefined();
  });

  it('an exhausted shrink budget keeps the failure as found, marked partially shrunk', async () => {
    const r = await runSuite({ runId: 't', suite, factories: [model('model'), model('deviant', DEVIANT)], seed: 1, runs: 0, maxSteps: 5, handwritten, accel: null, shrinkBudgetMs: 0 });
    const f = r.failures[0]!;
    expect(real(f.steps)).toHaveLength(6);
    expect(f.partiallyShrunk).toBe(true);
  });
});

describe('runSuite: why generation stopped (results.json budgetExhausted vs interrupted)', async () => {
  const suite = await loadSuite('model');
  const base = { runId: 't', suite, factories: [model('model'), model('model#2')], seed: 3, runs: 1_000_000, maxSteps: 5, handwritten: [], accel: null } as const;

  it('the time budget ending generation sets budgetExhausted and budgetSeconds, not interrupted', async () => {
    const r = await runSuite({ ...base, budgetMs: 300 });
    expect(r).toMatchObject({ budgetExhausted: true, budgetSeconds: 0.3, passed: true });
    expect(r.interrupted).toBeUndefined();
    expect(r.sequences).toBeLessThan(base.runs);
  });

  it('a signal sets interrupted, not budgetExhausted, even with a budget left', async () => {
    const abort = new AbortController();
    const r = await runSuite({ ...base, budgetMs: 600_000, signal: abort.signal, onProgress: (p) => p.sequences >= 3 && abort.abort() });
    expect(r.interrupted).toBe(true);
    expect(r.budgetExhausted).toBeUndefined();
    expect(r.budgetSeconds).toBe(600);
  });

  it('a budget spent before the first generated run is a budget stop, not a counterexample (exit 0)', async () => {
    const r = await runSuite({ ...base, budgetMs: 0 });
    expect(r).toMatchObject({ budgetExhausted: true, passed: true, failures: [], sequences: 0 });
    expect(r.interrupted).toBeUndefined();
  });

  it('a run that executed every sequence asked sets neither', async () => {
    const r = await runSuite({ ...base, runs: 5, budgetMs: 600_000 });
    expect(r.sequences).toBe(5);
    expect(r.budgetExhausted).toBeUndefined();
    expect(r.interrupted).toBeUndefined();
  });
});

describe('commandsOf: recorded steps back to commands', () => {
  const step = (command: unknown) => ({ command, results: {} }) as never;

  it('splits setup from the steps and keeps each command as recorded', () => {
    const cm = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c' }, data: { k: 'v' } };
    const out = commandsOf([step({ kind: 'apply', args: { object: cm, setup: true }, text: 'setup: apply ConfigMap/c' }), step({ kind: 'fault', args: { fault: 'drainNode', node: 'node01' }, text: 'fault drainNode node01' })]);
    expect(out).toEqual({ setup: [{ kind: 'apply', args: { object: cm, setup: true } }], commands: [{ kind: 'fault', args: { fault: 'drainNode', node: 'node01' } }] });
  });

  it('a recorded command that does not parse is a usage error naming the step and the field path', () => {
    const bad = (command: unknown) => () => commandsOf([step({ kind: 'vm', args: { verb: 'start', name: 'v' }, text: 'ok' }), step(command)]);
    expect(bad({ kind: 'vm', args: { verb: 'stop', name: 'v', gracePeriod: 'soon' }, text: 'x' })).toThrow(/^steps\[1\]\.command\.args\.gracePeriod: /);
    expect(bad({ kind: 'explode', args: {}, text: 'x' })).toThrow(/^steps\[1\]\.command\.kind: unknown command kind 'explode'/);
    expect(bad({ kind: 'apply', args: { object: { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'Bad_Name' } } }, text: 'x' })).toThrow(/^steps\[1\]\.command\.args\.object\.metadata\.name: /);
    expect(bad({ kind: 'apply', args: { object: {} }, text: 'x' })).toThrow(UsageError);
  });
});

describe('runSuite --jobs: the hand-written scenarios run beside the generated workers', async () => {
  const suite = await loadSuite('model');
  const handwritten = await loadHandwritten(['mariadb-prod']);
  const parallel = { jobs: 2, backends: ['model', 'model'] as ('model' | 'qemu')[], settings: { accel: 'auto' as const } };
  it('generated sequences progress while the scenario still runs, and both are reported as a serial run reports them', async () => {
    const seen: string[] = [];
    let generating!: () => void;
    const generatedProgress = new Promise<void>((r) => (generating = r));
    // This thread's backend for the scenario is created once generation is under way (or after
    // 20 s, which a serial run waits out before failing below).
    const late: BackendFactory = { name: 'model#2', create: async () => Promise.race([generatedProgress, new Promise((r) => setTimeout(r, 20_000))]).then(() => createModelBackend()) };
    const r = await runSuite({
      runId: 't', suite, factories: [model('model'), late], seed: 3, runs: 1_000_000, maxSteps: 5, handwritten, accel: null,
      budgetMs: 8000, parallel, onProgress: (p) => (seen.push(p.property), p.property === 'generated' && generating()),
    });
    // A serial run would report no generated progress before the scenario's last.
    expect(seen.indexOf('generated')).toBeGreaterThanOrEqual(0);
    expect(seen.indexOf('generated')).toBeLessThan(seen.lastIndexOf('scenario:mariadb-prod'));
    expect(r.properties!.map((p) => p.name)).toEqual(['scenario:mariadb-prod', 'generated']);
    expect(r).toMatchObject({ passed: true, budgetExhausted: true });
    expect(r.properties![1]!.sequences).toBeGreaterThan(0);
  }, 60_000);

  it("a scenario's infrastructure error stops the workers, the held one before it starts, and rejects the run", async () => {
    const { runningWorkers } = await import('./parallel.ts');
    const broken: BackendFactory = { name: 'model', create: async () => Promise.reject(new InfrastructureError('no backend here')) };
    const t0 = Date.now();
    await expect(runSuite({ runId: 't', suite, factories: [broken, model('model#2')], seed: 3, runs: 1_000_000, maxSteps: 5, handwritten, accel: null, budgetMs: 600_000, parallel })).rejects.toThrow(/no backend here/);
    expect(runningWorkers()).toBe(0);
    // Stopped, not run to the end of a 10-minute budget.
    expect(Date.now() - t0).toBeLessThan(60_000);
  }, 90_000);
});
