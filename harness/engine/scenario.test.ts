import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { validateObject } from '../api/index.ts';
import { loadSuite } from './suite.ts';
import { scenarioArb } from './scenario.ts';
import { SIMPLEST_SPEC, vmShapeArb } from './vmArb.ts';

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

  it('keeps sizes a real backend can run: <= 3 VMs of 128Mi-1Gi and 1-4 vCPUs, grace <= 2 s or the default, 1-3 nodes', () => {
    const MiB = { Mi: 1, Gi: 1024, M: 1e6 / 2 ** 20, G: 1e9 / 2 ** 20 } as Record<string, number>;
    const mib = (q: string) => Number(/^\d+/.exec(q)![0]) * MiB[q.replace(/^\d+/, '')]!;
    fc.assert(
      fc.property(scenarioArb(suite), (s) => {
        expect(s.vms.length).toBeGreaterThanOrEqual(1);
        expect(s.vms.length).toBeLessThanOrEqual(3);
        expect(s.cluster.nodes.length).toBeLessThanOrEqual(3);
        for (const v of s.vms) {
          const main = v.objects.at(-1)!;
          const spec = main.kind === 'VirtualMachine' ? main.spec.template.spec : main.kind === 'VirtualMachineInstance' ? main.spec : null;
          expect(spec).not.toBeNull();
          expect(spec!.terminationGracePeriodSeconds ?? 0).toBeLessThanOrEqual(2);
          const d = spec!.domain;
          const mem = d.memory?.guest ?? d.resources?.requests?.memory ?? d.resources?.limits?.memory;
          if (mem !== undefined) {
            expect(mib(mem)).toBeGreaterThanOrEqual(128);
            expect(mib(mem)).toBeLessThanOrEqual(1024);
            const c = d.cpu;
            const vcpus = c ? (c.sockets ?? 1) * (c.cores ?? 1) * (c.threads ?? 1) : Number(d.resources?.requests?.cpu);
            expect(vcpus).toBeGreaterThanOrEqual(1);
            expect(vcpus).toBeLessThanOrEqual(4);
          } else expect(main.kind === 'VirtualMachine' && main.spec.instancetype?.name).toMatch(/^vmconform\.(tiny|small)$/);
        }
      }),
      { numRuns: 200, seed: 2 },
    );
  });

  it('shrinks every spec dimension that does not matter to its simplest value', () => {
    const out = fc.check(
      fc.property(vmShapeArb(suite), (s) => s.spec.cpu === '1x1x1'),
      { seed: 4, numRuns: 500 },
    );
    expect(out.failed).toBe(true);
    const [shape] = out.counterexample!;
    expect(shape.spec.cpu).not.toBe('1x1x1');
    expect(shape.spec).toEqual({ ...SIMPLEST_SPEC, cpu: shape.spec.cpu });
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
