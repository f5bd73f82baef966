/**
 * `vmconform validate` end to end: spawns the published entry point.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { afterAll, describe, expect, it } from 'vitest';

const ROOT = join(import.meta.dirname, '..', '..');
const dir = mkdtempSync(join(tmpdir(), 'vmconform-validate-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function vmconform(...args: string[]) {
  return execa('node', ['bin/vmconform.js', 'validate', ...args], { cwd: ROOT, reject: false, timeout: 60_000 });
}

const noStack = (s: string) => expect(s).not.toMatch(/^ {4}at /m);
/** Each spawn starts node + tsx (~1.5 s idle); CPU is shared, so allow for load. */
const SLOW = { timeout: 90_000 };

describe('vmconform validate', () => {
  it('exit 0 with one line per file for valid fixtures, templates processed', SLOW, async () => {
    const r = await vmconform('-f', 'fixtures/vms/mariadb-prod.yaml', '-f', 'fixtures/cluster/default.yaml', '-f', 'fixtures/templates/vmconform-server.yaml', '--param', 'MEMORY=256Mi');
    // KubeVirt's admission warning for spec.running, as kubectl prints it.
    expect(r.stderr).toBe('Warning: fixtures/vms/mariadb-prod.yaml: document 1 (VirtualMachine/mariadb-prod): spec.running is deprecated, please use spec.runStrategy instead.');
    expect(r.exitCode).toBe(0);
    expect(r.stdout).toContain('fixtures/vms/mariadb-prod.yaml: 1 objects valid');
    expect(r.stdout).toContain('fixtures/cluster/default.yaml: 6 objects valid');
    expect(r.stdout).toMatch(/Template\/vmconform-server → VirtualMachine\/vmconform-[a-z0-9]{16}/);
  });

  it('exit 2 with the field path of every issue and no stack trace', SLOW, async () => {
    const bad = join(dir, 'bad.yaml');
    writeFileSync(
      bad,
      'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: ok\n---\n' +
        'apiVersion: v1\nkind: PersistentVolumeClaim\nmetadata:\n  name: p\nspec:\n  accessModes: [ReadWriteOnce]\n  resources:\n    requests:\n      storage: 512Mb\n',
    );
    const r = await vmconform('-f', bad, '-f', join(dir, 'missing.yaml'), '-f', 'test/api/malformed/running-and-runstrategy.yaml');
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toContain(`${bad}: document 2 (PersistentVolumeClaim/p): spec.resources.requests.storage: invalid quantity "512Mb"`);
    expect(r.stderr).toContain('missing.yaml: cannot read file (ENOENT)');
    expect(r.stderr).toContain('(VirtualMachine/bad): spec.running: Running and RunStrategy are mutually exclusive');
    expect(r.stderr).toContain('3 issue(s) found');
    noStack(r.stderr);
  });

  it('R-I2: a template parameter error and an unknown --param exit 2', SLOW, async () => {
    const r = await vmconform('-f', 'fixtures/templates/vmconform-server.yaml', '--param', 'MEMORY=lots', '--param', 'COLOUR=red');
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toContain('objects[0].spec.template.spec.domain.memory.guest: Invalid value: "lots"');
    expect(r.stderr).toContain('unknown parameter "COLOUR"');
    noStack(r.stderr);
  });

  it('bad flags are usage errors (exit 2, no stack)', SLOW, async () => {
    for (const args of [['--bogus'], [], ['-f', 'x.yaml', '--param', 'NOEQUALS'], ['-f', 'x.yaml', 'positional']]) {
      const r = await vmconform(...args);
      expect(r.exitCode, args.join(' ')).toBe(2);
      expect(r.stderr).toMatch(/^vmconform validate: /);
      noStack(r.stderr);
    }
  });

  it('accepts a valid field the model does not simulate (exit 0) and warns naming its path', SLOW, async () => {
    const r = await vmconform('-f', 'fixtures/corpus/kubevirt-examples/vmi-fedora-isolated.yaml');
    expect(r.exitCode).toBe(0);
    expect(r.stderr).toContain('Warning: fixtures/corpus/kubevirt-examples/vmi-fedora-isolated.yaml: document 1 (VirtualMachineInstance/vmi-fedora): spec.domain.cpu.dedicatedCpuPlacement: accepted, not simulated');
  });

  it("the seed's manifest: without devices exit 2 naming the field and the hint; with devices: {} it validates and runs", SLOW, async () => {
    const seed = (devices: string) =>
      `apiVersion: kubevirt.io/v1\nkind: VirtualMachine\nmetadata:\n  name: seed\nspec:\n  runStrategy: Always\n  template:\n    spec:\n      domain:\n${devices}        memory:\n          guest: 512Mi\n`;
    const without = join(dir, 'seed.yaml');
    const withDevices = join(dir, 'seed-devices.yaml');
    writeFileSync(without, seed(''));
    writeFileSync(withDevices, seed('        devices: {}\n'));
    const bad = await vmconform('-f', without);
    expect(bad.exitCode).toBe(2);
    expect(bad.stderr).toContain('spec.template.spec.domain.devices: Required value (the CRD requires it even when empty: `devices: {}` is enough)');
    noStack(bad.stderr);
    const ok = await vmconform('-f', withDevices);
    expect(ok.exitCode).toBe(0);
    const get = await execa('node', ['bin/vmconform.js', 'get', 'vms', '-f', withDevices], { cwd: ROOT, reject: false, timeout: 60_000 });
    expect(get.exitCode).toBe(0);
    expect(get.stdout).toMatch(/^seed\s+\S+\s+Running\s+True$/m);
  });
});
