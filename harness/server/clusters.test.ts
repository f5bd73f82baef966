/**
 * A restored model cluster comes back as KubeVirt does after a full cluster
 * restart (docs/harness-choices.md §9): the launchers are gone, so every VMI
 * that ran fails, and each VM reacts per its run strategy
 * (pkg/virt-controller/watch/vm.go: Always and RerunOnFailure start a new VMI
 * after a failure, Manual and Once do not).
 */
import { describe, expect, it } from 'vitest';
import { validateObject } from '../api/index.ts';
import type { VmiStatus, VmStatus } from '../cluster/index.ts';
import { modelCluster } from './clusters.ts';

const vm = (name: string, runStrategy: string) => {
  const v = validateObject({ apiVersion: 'kubevirt.io/v1', kind: 'VirtualMachine', metadata: { name }, spec: { runStrategy, template: { spec: { domain: { memory: { guest: '512Mi' }, devices: {} } } } } });
  if (!v.ok) throw new Error(JSON.stringify(v.issues));
  return v.object;
};

describe('a restored model cluster', () => {
  it('reports the old launchers gone: VMs come back per run strategy', async () => {
    const first = await modelCluster({ nodes: 3 });
    for (const s of ['Always', 'RerunOnFailure', 'Manual', 'Once']) await first.backend.apply(vm(s.toLowerCase(), s));
    await first.backend.vm({ verb: 'start', name: 'manual' });
    await first.backend.settle(10_000);
    const before = new Map(first.backend.core.objects('VirtualMachineInstance').map((o) => [o.metadata.name, o.metadata.uid]));
    expect([...before.keys()].sort()).toEqual(['always', 'manual', 'once', 'rerunonfailure']);
    const saved = first.backend.core.save();
    await first.backend.dispose();

    const second = await modelCluster({ restore: saved });
    const vmis = new Map(second.backend.core.objects('VirtualMachineInstance').map((o) => [o.metadata.name, o]));
    const phase = (n: string) => (vmis.get(n)!.status as VmiStatus).phase;
    // restarted: a new VMI (new uid), running
    for (const n of ['always', 'rerunonfailure']) {
      expect(vmis.get(n)!.metadata.uid).not.toBe(before.get(n));
      expect(phase(n)).toBe('Running');
    }
    // not restarted: the old VMI, failed with its launcher
    for (const n of ['manual', 'once']) {
      expect(vmis.get(n)!.metadata.uid).toBe(before.get(n));
      expect(phase(n)).toBe('Failed');
    }
    const printable = (n: string) => (second.backend.core.object('VirtualMachine', n)!.status as VmStatus).printableStatus;
    expect(printable('always')).toBe('Running');
    expect(printable('manual')).not.toBe('Running');
    await second.backend.dispose();
  });
});
