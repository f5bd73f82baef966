/**
 * `vmconform get` end to end (R-CLI): spawns the published entry point.
 */
import { join } from 'node:path';
import { execa } from 'execa';
import { describe, expect, it } from 'vitest';

const ROOT = join(import.meta.dirname, '..', '..');
const vmconform = (...args: string[]) => execa('node', ['bin/vmconform.js', 'get', ...args], { cwd: ROOT, reject: false, timeout: 60_000 });
const noStack = (s: string) => expect(s).not.toMatch(/^ {4}at /m);
/** Each spawn starts node + tsx; CPU is shared, so allow for load. */
const SLOW = { timeout: 90_000 };

describe('vmconform get', () => {
  it('R-CLI get vms on mariadb-prod (default cluster added): one row Running True', SLOW, async () => {
    const r = await vmconform('vms', '-f', 'fixtures/vms/mariadb-prod.yaml');
    expect(r.stderr).toBe('');
    expect(r.exitCode).toBe(0);
    expect(r.stdout.split('\n')).toEqual(['NAME           AGE   STATUS    READY', 'mariadb-prod   0s    Running   True']);
  });

  it('R-CLI R-I3 get vmis -A -o wide and get vmpool on the workload fixtures', SLOW, async () => {
    const vmis = await vmconform('vmis', '-A', '-o', 'wide', '-f', 'fixtures/vms/replicaset.yaml');
    expect(vmis.exitCode).toBe(0);
    const lines = vmis.stdout.split('\n');
    expect(lines[0]!.split(/\s+/)).toEqual(['NAMESPACE', 'NAME', 'AGE', 'PHASE', 'IP', 'NODENAME', 'READY', 'LIVE-MIGRATABLE', 'PAUSED']);
    expect(lines.slice(1).map((l) => l.trim().split(/\s+/).filter((_, i) => i !== 1))).toEqual([
      ['default', '0s', 'Running', '10.0.2.2', expect.stringMatching(/^node-/), 'True', 'True'],
      ['default', '0s', 'Running', '10.0.2.2', expect.stringMatching(/^node-/), 'True', 'True'],
    ]);
    const pool = await vmconform('vmpool', '-f', 'fixtures/vms/pool.yaml');
    expect(pool.stdout.split('\n')).toEqual(['NAME   DESIRED   CURRENT   READY   AGE', 'db     2         2         2       0s']);
  });

  it('R-CLI bad manifest, unknown resource, bad -o: exit 2 naming file / field / flag, no stack trace', SLOW, async () => {
    const bad = await vmconform('vmirs', '-f', 'test/api/malformed/replicaset-selector-mismatch.yaml');
    expect(bad.exitCode).toBe(2);
    expect(bad.stderr).toContain('test/api/malformed/replicaset-selector-mismatch.yaml: document 1 (VirtualMachineInstanceReplicaSet/bad): spec.selector: selector does not match labels.');
    const unknown = await vmconform('pods', '-f', 'fixtures/vms/pool.yaml');
    expect([unknown.exitCode, unknown.stderr]).toEqual([2, expect.stringContaining("unknown resource 'pods'")]);
    const output = await vmconform('vms', '-o', 'yaml', '-f', 'fixtures/vms/pool.yaml');
    expect([output.exitCode, output.stderr]).toEqual([2, expect.stringContaining("-o: only 'wide' is supported")]);
    for (const r of [bad, unknown, output]) noStack(r.stderr);
  });

  it('R-CLI nothing of that resource: the kubectl message on stderr, exit 0', SLOW, async () => {
    const r = await vmconform('vmim', '-f', 'fixtures/vms/pool.yaml');
    expect([r.exitCode, r.stdout, r.stderr]).toEqual([0, '', 'No resources found in default namespace.']);
  });
});
