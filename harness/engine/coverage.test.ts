/**
 * The default suite is meaningful: its 36 generated
 * sequences draw every storage kind (boot sources and extra disks, local and
 * shared storage), every network kind and every build way, whatever the seed.
 * Checked on the drawn scenarios themselves (the model runs them), for
 * several seeds.
 */
import { describe, expect, it } from 'vitest';
import { createModelBackend } from '../../backends/model/index.ts';
import { runGeneratedProperty } from './property.ts';
import type { Scenario } from './scenario.ts';
import { loadSuite } from './suite.ts';

/** What a scenario's manifests contain, as marker → regex over their JSON. */
const MARKERS: Record<string, RegExp> = {
  'boot:containerDisk': /"rootdisk","containerDisk"/,
  'boot:pvc': /"claimName":"vm-[a-c]-boot"/,
  'boot:dataVolume': /"dataVolume":\{"name":"vm-[a-c]-root"/,
  'boot:iso': /"cdrom":\{/,
  'boot:kernel': /"kernelBoot"/,
  'disk:emptyDisk': /"emptyDisk"/,
  'disk:pvc': /"claimName":"vm-[a-c]-data\d"/,
  'disk:cloudInit': /"cloudInitNoCloud"/,
  'disk:configMap': /"configMap":\{"name"/,
  'disk:secret': /"secret":\{"secretName"/,
  'storage:local': /"storageClassName":"local"/,
  'storage:shared': /"storageClassName":"shared"/,
  'net:pod': /"pod":\{\}/,
  'net:multus': /"networkName":"br-net"/,
  'net:sriov': /"networkName":"sriov-net"/,
};
const SHAPES = ['build:yaml', 'build:instancetype', 'build:template', 'kind:VirtualMachine', 'kind:VirtualMachineInstance'];

describe('suite default: coverage of its generated sequences', async () => {
  const suite = await loadSuite('default');
  for (const seed of [1, 2, 3, 4, 5]) {
    it(`seed ${seed}: ${suite.runs} sequences draw every boot source, disk, storage, network and build`, async () => {
      const seen = new Set<string>();
      const note = (s: Scenario) => {
        const json = JSON.stringify(s.vms.map((v) => v.objects));
        for (const [k, re] of Object.entries(MARKERS)) if (re.test(json)) seen.add(k);
        for (const v of s.vms) seen.add(`build:${v.build}`).add(`kind:${v.kind}`);
      };
      const factories = [0, 1].map((i) => ({ name: i ? 'model#2' : 'model', create: async () => createModelBackend({ seed: i }) }));
      const out = await runGeneratedProperty({ suite, factories, seed, runs: suite.runs, settleBudgetMs: suite.settleBudgetMs, onScenario: note });
      expect(out.failure).toBeUndefined();
      expect([...Object.keys(MARKERS), ...SHAPES].filter((k) => !seen.has(k))).toEqual([]);
    });
  }
});
