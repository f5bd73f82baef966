import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { validateObject } from '../api/index.ts';
import { loadSuite } from './suite.ts';
import { scenarioArb } from './scenario.ts';

describe('scenarioArb', async () => {
  const suite = await loadSuite('model');

  it('generates manifests that pass validation (cluster and every VM entry)', () => {
    fc.assert(
      fc.property(scenarioArb(suite), (s) => {
        for (const o of [...s.cluster.objects, ...s.vms.flatMap((v) => v.objects)]) {
          const r = validateObject(o);
          if (!r.ok) throw new Error(`${o.kind}/${o.metadata.name}: ${JSON.stringify(r.issues)}`);
        }
      }),
      { numRuns: 200, seed: 1 },
    );
  });

  it('keeps sizes a real backend can run: <= 3 VMs of 256Mi, grace <= 2 s, 1-3 nodes', () => {
    fc.assert(
      fc.property(scenarioArb(suite), (s) => {
        expect(s.vms.length).toBeGreaterThanOrEqual(1);
        expect(s.vms.length).toBeLessThanOrEqual(3);
        expect(s.cluster.nodes.length).toBeLessThanOrEqual(3);
        for (const v of s.vms) {
          const main = v.objects.at(-1)!;
          const spec = main.kind === 'VirtualMachine' ? main.spec.template.spec : main.kind === 'VirtualMachineInstance' ? main.spec : null;
          expect(spec).not.toBeNull();
          expect(spec!.terminationGracePeriodSeconds).toBeLessThanOrEqual(2);
          const mem = spec!.domain.memory?.guest;
          if (mem !== undefined) expect(mem).toBe('256Mi');
          else expect(main.kind === 'VirtualMachine' && main.spec.instancetype?.name).toBe('vmconform.tiny');
        }
      }),
      { numRuns: 200, seed: 2 },
    );
  });

  it('builds VMs all three ways and with every boot source of the suite', () => {
    const seen = new Set<string>();
    for (const s of fc.sample(scenarioArb(suite), { numRuns: 300, seed: 3 })) {
      for (const v of s.vms) {
        seen.add(`build:${v.build}`);
        const main = v.objects.at(-1)!;
        const spec = main.kind === 'VirtualMachine' ? main.spec.template.spec : main.kind === 'VirtualMachineInstance' ? main.spec : undefined;
        if (spec?.domain.firmware?.kernelBoot) seen.add('boot:kernel');
        for (const vol of spec?.volumes ?? []) for (const k of Object.keys(vol)) if (k !== 'name') seen.add(`volume:${k}`);
        for (const i of spec?.domain.devices.interfaces ?? []) for (const k of ['masquerade', 'bridge', 'sriov']) if (k in i) seen.add(`nic:${k}`);
      }
    }
    for (const k of ['build:yaml', 'build:instancetype', 'build:template', 'boot:kernel', 'volume:containerDisk', 'volume:persistentVolumeClaim', 'volume:dataVolume', 'volume:emptyDisk', 'volume:cloudInitNoCloud', 'volume:configMap', 'volume:secret', 'nic:masquerade', 'nic:bridge', 'nic:sriov']) {
      expect(seen, k).toContain(k);
    }
  });
});
