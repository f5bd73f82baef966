/**
 * R-I3 (VirtualMachineInstanceReplicaSet, VirtualMachinePool) and the
 * ownership side of R-SA1, through the Backend API of the model.
 */
import { describe, expect, it } from 'vitest';
import type { Backend, GuestAction, KubeObject, Observation, Result } from '../contract.ts';
import type { DataVolumeTemplate, VirtualMachineInstanceReplicaSet, VirtualMachinePool } from '../../harness/api/types.ts';
import { validateObject } from '../../harness/api/index.ts';
import { step, twoNodeCluster } from './twoNodes.testkit.ts';
import { createModelBackend } from './index.ts';
import { node, storageClass, vm, vmiSpec } from './testObjects.ts';

const OK: Result = { ok: true };

function replicaSet(name: string, replicas: number | undefined, meta: VirtualMachineInstanceReplicaSet['spec']['template']['metadata'] = {}): VirtualMachineInstanceReplicaSet {
  const rs: VirtualMachineInstanceReplicaSet = {
    apiVersion: 'kubevirt.io/v1',
    kind: 'VirtualMachineInstanceReplicaSet',
    metadata: { name },
    spec: { selector: { matchLabels: { app: name } }, template: { metadata: { ...meta, labels: { app: name } }, spec: vmiSpec() } },
  };
  if (replicas !== undefined) rs.spec.replicas = replicas;
  return rs;
}

function pool(name: string, replicas: number, dvs: DataVolumeTemplate[] = []): VirtualMachinePool {
  const tmpl = vm('ignored', 'Always', dvs.length ? { volumes: dvs.map((d) => ({ volume: { name: `v-${d.metadata.name}`, dataVolume: { name: d.metadata.name } } })) } : {}).spec;
  if (dvs.length) tmpl.dataVolumeTemplates = dvs;
  return {
    apiVersion: 'pool.kubevirt.io/v1beta1',
    kind: 'VirtualMachinePool',
    metadata: { name },
    spec: { replicas, selector: { matchLabels: { pool: name } }, virtualMachineTemplate: { metadata: { labels: { pool: name } }, spec: tmpl } },
  };
}

const cluster = (objs: KubeObject[], seed = 0): Promise<Backend> => twoNodeCluster(objs, seed);
const guest = (b: Backend, a: GuestAction) => step(b, b.guest(a));

/** The VMIs of a replica set (names start with its name), sorted. */
const rsVmis = (o: Observation, rs: string) => Object.keys(o.vmis).filter((n) => n.startsWith(rs));

describe('R-I3 VirtualMachineInstanceReplicaSet', () => {
  it('R-I3 keeps spec.replicas Running VMIs named <rs><5-char suffix>; replicas defaults to 1', async () => {
    const b = await cluster([replicaSet('web', 3), replicaSet('one', undefined)]);
    const o = await b.observe();
    const names = rsVmis(o, 'web');
    expect(names).toHaveLength(3);
    for (const n of names) {
      expect(n).toMatch(/^web[bcdfghjklmnpqrstvwxz2456789]{5}$/);
      expect(o.vmis[n]).toMatchObject({ phase: 'Running', owner: 'replicaset' });
    }
    expect(rsVmis(o, 'one')).toHaveLength(1);
    expect(Object.keys(o.vms)).toEqual([]);
  });

  it('R-I3 template name / generateName is the base of the VMI names', async () => {
    const b = await cluster([replicaSet('a', 1, { name: 'fixed' }), replicaSet('b', 1, { generateName: 'gen-' })]);
    const names = Object.keys((await b.observe()).vmis);
    expect(names.some((n) => /^fixed[a-z0-9]{5}$/.test(n))).toBe(true);
    expect(names.some((n) => /^gen-[a-z0-9]{5}$/.test(n))).toBe(true);
  });

  it.each(['poweroff', 'panic'] as const)('R-I3 a final VMI (guest %s) is deleted and replaced by a new one', async (action) => {
    const b = await cluster([replicaSet('web', 2)]);
    const before = rsVmis(await b.observe(), 'web');
    const o = await guest(b, { action, vmi: before[0]! });
    const after = rsVmis(o, 'web');
    expect(after).toHaveLength(2);
    expect(after).not.toContain(before[0]);
    expect(after).toContain(before[1]);
    for (const n of after) expect(o.vmis[n]!.phase).toBe('Running');
  });

  it('R-I3 a deleted VMI is replaced at once; scale up adds, scale down removes the newest', async () => {
    const b = await cluster([replicaSet('web', 2)]);
    const first = rsVmis(await b.observe(), 'web');
    let o = await step(b, b.delete({ kind: 'VirtualMachineInstance', name: first[0]! }));
    const second = rsVmis(o, 'web');
    expect(second).toHaveLength(2);
    expect(second).not.toContain(first[0]);
    o = await step(b, b.apply(replicaSet('web', 4)));
    const up = rsVmis(o, 'web');
    expect(up).toHaveLength(4);
    o = await step(b, b.apply(replicaSet('web', 1)));
    // the oldest survivor is first[1], created before the replacement
    expect(rsVmis(o, 'web')).toEqual([first[1]]);
    o = await step(b, b.apply(replicaSet('web', 0)));
    expect(rsVmis(o, 'web')).toEqual([]);
  });

  it('R-I3 deleting the replica set deletes its VMIs (cascade); a second delete is 404', async () => {
    const b = await cluster([replicaSet('web', 2)]);
    const o = await step(b, b.delete({ kind: 'VirtualMachineInstanceReplicaSet', name: 'web' }));
    expect(o.vmis).toEqual({});
    expect(await b.delete({ kind: 'VirtualMachineInstanceReplicaSet', name: 'web' })).toMatchObject({ ok: false, code: 404 });
  });

  it('R-I3 R-SA1 a replica-set VMI is not standalone: owner replicaset, replaced (a standalone VMI would stay Succeeded)', async () => {
    const b = await cluster([replicaSet('web', 1)]);
    const [name] = rsVmis(await b.observe(), 'web');
    expect((await b.observe()).vmis[name!]!.owner).toBe('replicaset');
    expect(await b.vm({ verb: 'start', name: name! })).toMatchObject({ ok: false, code: 404 });
    const o = await guest(b, { action: 'poweroff', vmi: name! });
    expect(o.vmis[name!]).toBeUndefined();
    expect(rsVmis(o, 'web').map((n) => o.vmis[n]!.phase)).toEqual(['Running']);
  });

  it('R-I3 names are deterministic: same seed ⇒ same names', async () => {
    const names = async (seed: number) => rsVmis(await (await cluster([replicaSet('web', 3)], seed)).observe(), 'web');
    expect(await names(7)).toEqual(await names(7));
    expect(await names(7)).not.toEqual(await names(8));
  });
});

describe('R-I3 VirtualMachinePool', () => {
  const vmNames = (o: Observation) => Object.keys(o.vms).sort();

  it('R-I3 keeps spec.replicas VMs named <pool>-<index> from 0; their VMIs are owned by the VM', async () => {
    const b = await cluster([pool('db', 2)]);
    const o = await b.observe();
    expect(vmNames(o)).toEqual(['db-0', 'db-1']);
    for (const n of ['db-0', 'db-1']) {
      expect(o.vms[n]).toMatchObject({ printableStatus: 'Running', ready: true });
      expect(o.vmis[n]!.owner).toBe('vm');
    }
  });

  it('R-I3 scale up takes the lowest free index, scale down removes the highest', async () => {
    const b = await cluster([vm('db-0', 'Halted'), pool('db', 2)]);
    let o = await b.observe();
    // db-0 is a foreign VM: the pool skips its name
    expect(vmNames(o)).toEqual(['db-0', 'db-1', 'db-2']);
    o = await step(b, b.apply(pool('db', 3)));
    expect(vmNames(o)).toEqual(['db-0', 'db-1', 'db-2', 'db-3']);
    o = await step(b, b.apply(pool('db', 1)));
    expect(vmNames(o)).toEqual(['db-0', 'db-1']);
    expect(o.vms['db-0']!.printableStatus).toBe('Stopped');
  });

  it('R-I3 a deleted pool VM is recreated under its name with a new VMI', async () => {
    const b = await cluster([pool('db', 2)]);
    const before = (await b.observe()).vms['db-0']!.vmi;
    const o = await step(b, b.delete({ kind: 'VirtualMachine', name: 'db-0' }));
    expect(vmNames(o)).toEqual(['db-0', 'db-1']);
    expect(o.vms['db-0']!.printableStatus).toBe('Running');
    expect(o.vms['db-0']!.vmi).not.toBeNull();
    expect(o.vms['db-0']!.vmi).not.toBe(before);
  });

  it('R-I3 dataVolumeTemplates become <dv>-<index> per VM; deleting the pool deletes VMs and their volumes', async () => {
    const dv: DataVolumeTemplate = {
      metadata: { name: 'data' },
      spec: { source: { blank: {} }, storage: { storageClassName: 'shared', accessModes: ['ReadWriteMany'], resources: { requests: { storage: '64Mi' } } } },
    };
    const p = pool('db', 2, [dv]);
    expect(validateObject(p)).toMatchObject({ ok: true });
    const b = await cluster([storageClass('shared', false), p]);
    let o = await b.observe();
    expect(Object.keys(o.pvcs).sort()).toEqual(['data-0', 'data-1']);
    expect(o.vms['db-1']!.printableStatus).toBe('Running');
    expect(o.vmis['db-1']!.disks.map((d) => d.name)).toContain('v-data');
    o = await step(b, b.delete({ kind: 'VirtualMachinePool', name: 'db' }));
    expect(o.vms).toEqual({});
    expect(o.vmis).toEqual({});
    expect(o.pvcs).toEqual({});
  });
});
