import { describe, expect, it } from 'vitest';
import { UsageError } from '../contract/index.ts';
import { loadHandwritten, parseHandwritten } from './handwritten.ts';

describe('hand-written scenarios', () => {
  it("loads the seed's scenario: mariadb-prod, 512Mi, running: true", async () => {
    const [s] = await loadHandwritten(['mariadb-prod']);
    const vm = s!.steps[0];
    expect(vm?.kind).toBe('apply');
    if (vm?.kind !== 'apply' || vm.args.object.kind !== 'VirtualMachine') throw new Error('first step applies the VM');
    expect(vm.args.object.metadata.name).toBe('mariadb-prod');
    expect(vm.args.object.spec.running).toBe(true);
    expect(vm.args.object.spec.template.spec.domain.memory?.guest).toBe('512Mi');
    expect(s!.setup.every((c) => c.kind === 'apply' && c.args.setup === true)).toBe(true);
  });

  it('loads every scenario on disk', async () => {
    expect((await loadHandwritten('all')).length).toBeGreaterThanOrEqual(2);
  });

  it('rejects an unknown scenario naming the valid ones', async () => {
    await expect(loadHandwritten(['nope'])).rejects.toThrow(/unknown scenario 'nope' \(valid: .*mariadb-prod/);
  });

  it('rejects a malformed manifest naming the step and field', async () => {
    const text = 'name: x\nsteps:\n  - apply: {apiVersion: v1, kind: ConfigMap, metadata: {name: "Bad_Name"}}\n';
    const err = await parseHandwritten(text, 'x.yaml').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UsageError);
    expect((err as Error).message).toMatch(/x\.yaml: steps\[0\]\.apply: invalid manifest:\n {2}metadata\.name/);
  });

  it('reads every command kind of the contract, drainNode and uncordonNode included', async () => {
    const text = 'name: z\nsteps:\n  - fault: {fault: drainNode, node: node01}\n  - fault: {fault: uncordonNode, node: node01}\n  - vm: {verb: stop, name: v, gracePeriod: 0}\n';
    const s = await parseHandwritten(text, 'z.yaml');
    expect(s.steps).toEqual([
      { kind: 'fault', args: { fault: 'drainNode', node: 'node01' } },
      { kind: 'fault', args: { fault: 'uncordonNode', node: 'node01' } },
      { kind: 'vm', args: { verb: 'stop', name: 'v', gracePeriod: 0 } },
    ]);
  });

  it('names the YAML field path of a bad command', async () => {
    await expect(parseHandwritten('name: z\nsteps:\n  - vm: {verb: stop, name: v, gracePeriod: soon}\n', 'z.yaml')).rejects.toThrow(/^z\.yaml: steps\[0\]\.vm\.gracePeriod: /);
    await expect(parseHandwritten('name: z\nsteps:\n  - delete: {kind: Pod, name: p}\n', 'z.yaml')).rejects.toThrow(/^z\.yaml: steps\[0\]\.delete\.kind: unknown kind 'Pod'/);
    await expect(parseHandwritten('name: z\nsteps:\n  - {vm: {verb: start, name: v}, fault: {fault: nodeLoss, node: n}}\n', 'z.yaml')).rejects.toThrow(/steps\.0: a step has exactly one of apply, delete, vm, guest, fault/);
  });

  it('rejects YAML syntax errors and unknown step kinds', async () => {
    await expect(parseHandwritten('name: [', 'y.yaml')).rejects.toThrow(/y\.yaml: YAML syntax error/);
    await expect(parseHandwritten('name: y\nsteps:\n  - reboot: y\n', 'y.yaml')).rejects.toThrow(/y\.yaml: steps\.0/);
  });
});
