/**
 * A MigrationPolicy's bandwidthPerMigration on real QEMU (docs/spec.md R-M9;
 * KubeVirt pkg/virt-controller/watch/migration/migration.go
 * matchMigrationPolicy, migrationpolicy.go matchPolicy): with no cap in the
 * cluster config, the VM the policy matches has its migration held in flight
 * (QMP max-bandwidth on the source) while the one it does not match migrates
 * within its step, on the qemu backend as in the model.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { KubeObject, Node, VirtualMachine } from '../../../harness/api/types.ts';
import type { Backend, Observation } from '../../contract.ts';
import { createModelBackend } from '../../model/index.ts';
import { createQemuBackend } from '../index.ts';

const node = (name: string): Node => ({ apiVersion: 'v1', kind: 'Node', metadata: { name }, status: { capacity: { cpu: '4', memory: '8Gi' }, conditions: [{ type: 'Ready', status: 'True' }] } });

function vm(name: string, tier: string): VirtualMachine {
  return {
    apiVersion: 'kubevirt.io/v1', kind: 'VirtualMachine', metadata: { name },
    spec: {
      runStrategy: 'Always',
      template: {
        metadata: { labels: { tier } },
        spec: {
          domain: { cpu: { sockets: 1, cores: 1, threads: 1 }, memory: { guest: '256Mi' }, devices: { disks: [{ name: 'root', disk: { bus: 'virtio' } }] } },
          volumes: [{ name: 'root', containerDisk: { image: 'vmconform/guest:latest' } }],
          terminationGracePeriodSeconds: 5,
        },
      },
    },
  };
}

const objects: KubeObject[] = [
  node('node01'), node('node02'),
  { apiVersion: 'migrations.kubevirt.io/v1alpha1', kind: 'MigrationPolicy', metadata: { name: 'slow-db' }, spec: { selectors: { virtualMachineInstanceSelector: { tier: 'db' } }, bandwidthPerMigration: '64Ki' } },
  vm('db', 'db'), vm('web', 'web'),
];

let backends: Backend[] = [];
afterEach(async () => {
  await Promise.all(backends.map((b) => b.dispose()));
  backends = [];
});

/** Applies the objects, settles, migrates both VMs in one step, settles, observes. */
async function run(b: Backend): Promise<Observation> {
  for (const o of objects) expect(await b.apply(o)).toEqual({ ok: true });
  await b.settle(90_000);
  expect(await b.vm({ verb: 'migrate', name: 'db' })).toEqual({ ok: true });
  expect(await b.vm({ verb: 'migrate', name: 'web' })).toEqual({ ok: true });
  await b.settle(90_000);
  return b.observe();
}

describe('MigrationPolicy bandwidthPerMigration on real QEMU (TCG)', () => {
  it('the matched VM\'s migration is held in flight, the other one completes, as in the model', async () => {
    const model = createModelBackend();
    backends.push(model);
    const qemu = await createQemuBackend({ accel: 'tcg' });
    backends.push(qemu);
    const seen = [await run(model), await run(qemu)];
    // virtctl migrate names a migration kubevirt-migrate-vm-<suffix>: found by its VMI
    const of = (o: Observation, vmi: string) => Object.values(o.migrations).filter((m) => m.vmi === vmi);
    for (const o of seen) {
      expect(of(o, 'db')).toEqual([{ vmi: 'db', phase: 'Running' }]);
      expect(of(o, 'web')).toEqual([{ vmi: 'web', phase: 'Succeeded' }]);
      expect([o.vmis.db!.node, o.vmis.web!.node]).toEqual([o.vmis.db!.migration!.sourceNode, o.vmis.web!.migration!.targetNode]);
    }
    expect(seen[1]!.vmis.db!.migration).toEqual(seen[0]!.vmis.db!.migration);
    // the next settle lets the held migration go: both finish it the same way
    for (const b of backends) await b.settle(120_000);
    const after = await Promise.all(backends.map((b) => b.observe()));
    expect(after.map((o) => of(o, 'db').map((m) => m.phase))).toEqual([['Succeeded'], ['Succeeded']]);
  }, 300_000);
});
