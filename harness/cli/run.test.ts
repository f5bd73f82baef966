/**
 * `vmconform run` as a user meets it: spawned with execa. Bad usage and bad
 * input exit 2 with a clear message and no stack trace; a model-vs-model run
 * exits 0 and writes results.json.
 */
import { execa } from 'execa';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';

// Each case spawns the CLI (tsx transform): slow on shared cores.
vi.setConfig({ testTimeout: 90_000 });

const ROOT = new URL('../../', import.meta.url).pathname;
const cli = (...args: string[]) => execa('node', ['bin/vmconform.js', ...args], { cwd: ROOT, reject: false, timeout: 60_000 });

let dir = '';
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'vmconform-run-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const noStack = (text: string) => expect(text).not.toMatch(/^\s+at .+:\d+:\d+\)?$/m);

describe('vmconform run: bad usage exits 2 with a clear message', () => {
  const cases: [string, string[], RegExp][] = [
    ['unknown flag', ['run', '--bogus'], /--bogus/],
    ['unknown suite', ['run', '--backend', 'model,model', '--suite', 'nope'], /unknown suite 'nope' \(valid: .*default.*model.*smoke/],
    ['non-numeric --runs', ['run', '--backend', 'model', '--runs', 'abc'], /--runs: expected an integer >= 0, got 'abc'/],
    ['unknown backend', ['run', '--backend', 'model,vmware'], /--backend: unknown backend 'vmware' \(valid: model, qemu\)/],
    ['bad --accel', ['run', '--backend', 'model', '--accel', 'fast'], /--accel: expected auto, kvm or tcg/],
    ['--path without --seed', ['run', '--backend', 'model', '--suite', 'model', '--path', '1:2'], /--path needs --seed/],
    ['missing baseline file', ['run', '--backend', 'model', '--suite', 'model', '--baseline', '/nonexistent/b.yaml'], /--baseline \/nonexistent\/b.yaml: cannot read \(ENOENT\)/],
    ['--no-scenarios with --scenario', ['run', '--backend', 'model', '--suite', 'model', '--no-scenarios', '--scenario', 'x.yaml'], /--no-scenarios and --scenario: choose one/],
    ['--state-dir is a file', ['run', '--backend', 'model', '--suite', 'model', '--state-dir', '/etc/hostname'], /--state-dir: '\/etc\/hostname' is not a directory/],
  ];
  for (const [what, args, message] of cases) {
    it(what, async () => {
      const r = await cli(...args);
      expect(r.exitCode).toBe(2);
      expect(r.stderr).toMatch(message);
      noStack(r.stderr);
    });
  }

  it('a malformed manifest in a scenario names the file, step and field', async () => {
    const file = join(dir, 'bad.yaml');
    await writeFile(
      file,
      [
        'name: bad',
        'steps:',
        '  - apply:',
        '      apiVersion: kubevirt.io/v1',
        '      kind: VirtualMachine',
        '      metadata: {name: db}',
        '      spec:',
        '        running: true',
        '        template:',
        '          spec:',
        '            domain: {memory: {guest: lots}, devices: {}}',
      ].join('\n'),
    );
    const r = await cli('run', '--backend', 'model,model', '--suite', 'model', '--scenario', file);
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toContain(`${file}: steps[0].apply: invalid manifest`);
    expect(r.stderr).toMatch(/spec\.template\.spec\.domain\.memory\.guest/);
    noStack(r.stderr);
  });

  it('a malformed scenario step names the step', async () => {
    const file = join(dir, 'badstep.yaml');
    await writeFile(file, 'name: badstep\nsteps:\n  - vm: {verb: explode, name: db}\n');
    const r = await cli('run', '--backend', 'model', '--suite', 'model', '--scenario', file);
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toContain(`${file}: steps[0].vm.verb: unknown verb 'explode'`);
    noStack(r.stderr);
  });
});

describe('vmconform run --backend model,model --suite model', () => {
  it('exits 0, prints results.json with --json and writes the report directory', async () => {
    const report = join(dir, 'report');
    const r = await cli('run', '--backend', 'model,model', '--suite', 'model', '--runs', '30', '--seed', '5', '--json', '--report-dir', report);
    expect(r.exitCode, r.stderr).toBe(0);
    const printed = JSON.parse(r.stdout) as { passed: boolean; backends: string[]; seed: number; sequences: number; failures: unknown[] };
    expect(printed).toMatchObject({ passed: true, backends: ['model', 'model#2'], seed: 5, failures: [] });
    expect(printed.sequences).toBeGreaterThanOrEqual(30);
    expect(JSON.parse(await readFile(join(report, 'results.json'), 'utf8'))).toEqual(printed);
    expect(r.stderr).toContain(`report: ${report}`);

    const replay = await execa('node', ['bin/vmconform.js', 'replay', report], { cwd: ROOT, reject: false });
    expect(replay.exitCode).toBe(0);
    expect(replay.stdout).toMatch(/no counterexample recorded/);
  });

  it('--no-scenarios runs the generated sequences only (the default suite names three hand-written scenarios)', async () => {
    const args = ['run', '--backend', 'model,model', '--suite', 'default', '--runs', '2', '--seed', '1', '--json'];
    const names = async (extra: string[], report: string) => {
      const r = await cli(...args, ...extra, '--report-dir', join(dir, report));
      expect(r.exitCode, r.stderr).toBe(0);
      return (JSON.parse(r.stdout) as { properties: { name: string }[] }).properties.map((p) => p.name);
    };
    expect(await names([], 'with-scenarios')).toEqual(['scenario:smoke-migrate', 'scenario:mariadb-prod', 'scenario:rerun-on-failure', 'generated']);
    expect(await names(['--no-scenarios'], 'no-scenarios')).toEqual(['generated']);
  });

  it('stops at the time budget and says how many sequences ran', async () => {
    const r = await cli('run', '--backend', 'model,model', '--suite', 'model', '--runs', '1000000', '--budget-seconds', '1', '--report-dir', join(dir, 'budget'));
    expect(r.exitCode, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/time budget reached: \d+ of 100000\d sequences ran/);
    // A budget stop is not an interruption (and not a failure: exit 0 above).
    const results = JSON.parse(await readFile(join(dir, 'budget', 'results.json'), 'utf8')) as Record<string, unknown>;
    expect(results).toMatchObject({ budgetExhausted: true, budgetSeconds: 1, passed: true });
    expect(results['interrupted']).toBeUndefined();
    expect(results['sequences']).toBeLessThan(1_000_000);
  });
});

describe('vmconform run: infrastructure errors exit 3', () => {
  it('a QEMU binary that does not run', async () => {
    const r = await cli('run', '--backend', 'model,qemu', '--suite', 'smoke', '--runs', '1', '--qemu-binary', '/nonexistent/qemu', '--report-dir', join(dir, 'infra'));
    expect(r.exitCode).toBe(3);
    expect(r.stderr).toMatch(/infrastructure error: .*\/nonexistent\/qemu/);
    noStack(r.stderr);
  });
});

describe('vmconform run: Ctrl-C', () => {
  it('stops at once, writes the report, says it was interrupted and exits 130', async () => {
    const report = join(dir, 'interrupted');
    const child = execa('node', ['bin/vmconform.js', 'run', '--backend', 'model,model', '--suite', 'model', '--runs', '1000000', '--report-dir', report], { cwd: ROOT, reject: false, timeout: 60_000 });
    await new Promise<void>((resolve) => {
      child.stderr?.on('data', (b: Buffer) => {
        if (b.toString().includes('generated:')) resolve();
      });
    });
    child.kill('SIGINT');
    const r = await child;
    expect(r.exitCode, r.stderr).toBe(130);
    expect(r.stderr).toContain('SIGINT: stopping now and writing a partial report');
    expect(r.stdout).toMatch(/\(interrupted: \d+ of 100000\d sequences ran\)/);
    const results = JSON.parse(await readFile(join(report, 'results.json'), 'utf8')) as Record<string, unknown>;
    expect(results).toMatchObject({ interrupted: true, passed: true });
    // No time budget with --runs alone: the signal, not a budget, stopped it.
    expect(results['budgetExhausted']).toBeUndefined();
  });
});

describe('vmconform replay: bad input exits 2', () => {
  it('a missing report', async () => {
    const r = await cli('replay', join(dir, 'nothing-here'));
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toMatch(/no such file or directory/);
  });
  it('a damaged token', async () => {
    const r = await cli('replay', '--token', 'vmc1.!!!');
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toMatch(/--token: replay token is damaged/);
    noStack(r.stderr);
  });
  it('nothing to replay', async () => {
    const r = await cli('replay');
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toMatch(/nothing to replay/);
  });
});
