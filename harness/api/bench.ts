/**
 * The api bench (`vmconform bench --only api`): `validate` of 1,000 VM
 * documents in one file, as the CLI loads it (YAML parse, schema, admission,
 * the not-simulated check). Cold is the first load in the process (the ajv
 * compilation of the VirtualMachine schema included); warm is the best of
 * three later loads. Target: cold ≤ 1 s on one core. Public (`documents` for tests).
 */
import { performance } from 'node:perf_hooks';
import type { BenchFigure, BenchSuite } from '../bench.ts';
import { loadManifests } from './loadManifests.ts';

/** 1,000 VM documents, each a little different (names, memory, a data volume on every tenth). Internal. */
export function documents(n: number): string {
  const docs: string[] = [];
  for (let i = 0; i < n; i++) {
    const dv = i % 10 === 0;
    docs.push(`apiVersion: kubevirt.io/v1
kind: VirtualMachine
metadata:
  name: vm-${i}
  labels: {app: bench, index: "${i}"}
spec:
  runStrategy: ${i % 2 === 0 ? 'Always' : 'Halted'}
${dv ? `  dataVolumeTemplates:\n    - metadata: {name: vm-${i}-root}\n      spec:\n        sourceRef: {kind: DataSource, name: guest}\n        storage: {resources: {requests: {storage: 1Gi}}}\n` : ''}  template:
    metadata:
      labels: {app: bench}
    spec:
      terminationGracePeriodSeconds: 5
      domain:
        cpu: {cores: ${1 + (i % 2)}}
        memory: {guest: ${256 + (i % 4) * 128}Mi}
        devices:
          disks:
            - {name: rootdisk, disk: {bus: virtio}}
            - {name: cloudinit, disk: {}}
          interfaces:
            - {name: default, masquerade: {}}
      networks:
        - {name: default, pod: {}}
      volumes:
        - name: rootdisk
${dv ? `          dataVolume: {name: vm-${i}-root}` : '          containerDisk: {image: vmconform/guest:latest}'}
        - name: cloudinit
          cloudInitNoCloud: {userData: "#cloud-config"}
`);
  }
  return docs.join('---\n');
}

export const bench: BenchSuite = async ({ quick }) => {
  const n = quick ? 100 : 1000;
  const text = documents(n);
  const load = () => {
    const t0 = performance.now();
    const r = loadManifests(text, 'bench.yaml');
    const ms = performance.now() - t0;
    if (!r.ok || r.objects.length !== n) throw new Error(`api bench: ${n} documents did not validate`);
    return ms;
  };
  const cold = load();
  const warm = Math.min(load(), load(), load());
  const meta = { documents: n, bytes: text.length, warmMs: Math.round(warm) };
  const figures: BenchFigure[] = [
    { name: 'api.validate1000VmsMs', value: Math.round(cold), unit: 'ms', target: { op: '<=', value: quick ? 100 : 1000 }, meta },
  ];
  return figures;
};
