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
    expect(r.stderr).toBe('');
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
    expect(r.stderr).toContain('objects[0].spec.template.spec.domain.memory.guest: invalid quantity "lots"');
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
});
