import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { validateObject } from '../api/index.ts';
import { clusterArb } from './clusterArb.ts';
import { loadSuite } from './suite.ts';
import { scenarioArb, SKIPPED_SCENARIO, type Scenario } from './scenario.ts';
import { buildVmEntry, SIMPLEST_SPEC, vmShapeArb } from './vmArb.ts';

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

  it('generates what the former fc.record({ cluster, vms, choices }) generated for a seed (shrinking is all that changed)', async () => {
    const former = fc.record({
      cluster: clusterArb(suite),
      vms: fc.array(vmShapeArb(suite), { minLength: 1, maxLength: suite.maxVms }).map((shapes) => shapes.map((sh, i) => buildVmEntry(i, sh))),
      choices: fc.array(fc.tuple(fc.nat(1023), fc.nat(1023)), { minLength: 1, maxLength: suite.maxSteps }),
    });
    for (const seed of [1, 6, 42]) expect(fc.sample(scenarioArb(suite), { seed, numRuns: 30 })).toEqual(fc.sample(former, { seed, numRuns: 30 }));
  });

  it('skipRun: the skipped runs are drawn as SKIPPED_SCENARIO, every other run as without it (--jobs draws only its own runs)', () => {
    const skipRun = (r: number) => r % 3 !== 1;
    for (const seed of [1, 42]) {
      const all = fc.sample(scenarioArb(suite), { seed, numRuns: 30 });
      const some = fc.sample(scenarioArb(suite, { skipRun }), { seed, numRuns: 30 });
      expect(some.map((s, r) => (skipRun(r) ? s === SKIPPED_SCENARIO : s))).toEqual(all.map((s, r) => (skipRun(r) ? true : s)));
    }
  });

  it('tries the prefixes of the choices first, shortest first', () => {
    const seen: Scenario[] = [];
    // Fails with more than 7 choices and two VMs.
    const out = fc.check(
      fc.property(scenarioArb(suite), (s) => {
        seen.push(s);
        return !(s.choices.length > 7 && s.vms.length > 1);
      }),
      { seed: 11, numRuns: 1000 },
    );
    expect(out.failed).toBe(true);
    const first = seen.findIndex((s) => s.choices.length > 7 && s.vms.length > 1);
    const shrinks = seen.slice(first + 1);
    // The first candidates are the prefixes, shortest first: the one of length 8 fails at once.
    expect(shrinks.slice(0, 7).map((s) => s.choices.length)).toEqual([1, 2, 3, 4, 5, 6, 7]);
    expect(shrinks[7]!.choices.length).toBe(8);
    expect(shrinks[7]!.choices).toEqual(seen[first]!.choices.slice(0, 8));
  });

  it('then the last choice after the shortest head, then blocks of halves, then each VM dropped, then each choice dropped, latest first', () => {
    const seen: Scenario[] = [];
    // Fails only with exactly 5 choices and two VMs: no cut passes, so every candidate of the first round is seen.
    const out = fc.check(
      fc.property(scenarioArb(suite), (s) => {
        seen.push(s);
        return !(s.choices.length === 5 && s.vms.length === 2);
      }),
      { seed: 5, numRuns: 1000 },
    );
    expect(out.failed).toBe(true);
    const first = seen.findIndex((s) => s.choices.length === 5 && s.vms.length === 2);
    const c = seen[first]!.choices;
    const round = seen.slice(first + 1, first + 1 + 4 + 3 + 2 + 2 + 4);
    expect(round.map((s) => s.choices)).toEqual([
      ...[1, 2, 3, 4].map((n) => c.slice(0, n)),
      [c[4]],
      [c[0], c[4]],
      [c[0], c[1], c[4]],
      [c[0], c[1], c[4]],
      [c[2], c[3], c[4]],
      c,
      c,
      ...[3, 2, 1, 0].map((i) => c.filter((_, j) => j !== i)),
    ]);
    // The VM drops: the second VM, then the first (the second renamed vm-a).
    expect(round.slice(9, 11).map((s) => s.vms.map((v) => v.name))).toEqual([['vm-a'], ['vm-a']]);
    expect(round[10]!.vms[0]!.dims).toEqual(seen[first]!.vms[1]!.dims);
    expect(round[9]!.vms[0]).toEqual(seen[first]!.vms[0]);
  });
});
