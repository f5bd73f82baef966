import { describe, expect, it } from 'vitest';
import { SimCluster } from '../../backends/model/SimCluster.ts';
import { node, vm, vmi, vmiSpec } from '../../backends/model/testObjects.ts';
import type { KubeObject } from '../api/types.ts';
import { humanDuration, layout, printTable, RESOURCE_NAMES, tableRows } from './tables.ts';

function cluster(objs: KubeObject[]): SimCluster {
  const c = new SimCluster();
  for (const o of [node('node-a'), ...objs]) expect(c.apply(o)).toEqual({ ok: true });
  c.settle();
  return c;
}

const rs: KubeObject = {
  apiVersion: 'kubevirt.io/v1',
  kind: 'VirtualMachineInstanceReplicaSet',
  metadata: { name: 'web' },
  spec: { replicas: 2, selector: {}, template: { spec: vmiSpec() } },
};
const pool: KubeObject = {
  apiVersion: 'pool.kubevirt.io/v1beta1',
  kind: 'VirtualMachinePool',
  metadata: { name: 'db' },
  spec: { replicas: 3, selector: {}, virtualMachineTemplate: { spec: vm('x', 'Always').spec } },
};

describe('R-CLI kubectl get columns', () => {
  it('R-CLI get vms: NAME AGE STATUS READY; READY False without a VMI', () => {
    const c = cluster([vm('web-1', 'Always'), vm('off', 'Halted')]);
    const age = () => 75;
    expect(printTable((k: string) => c.list(k), 'vms', { age })).toBe(['NAME    AGE   STATUS    READY', 'off     75s   Stopped   False', 'web-1   75s   Running   True'].join('\n'));
  });

  it('R-CLI get vmis -A: NAMESPACE NAME AGE PHASE IP NODENAME READY; -o wide adds LIVE-MIGRATABLE PAUSED', () => {
    const c = cluster([vmi('solo')]);
    expect(c.vm({ verb: 'pause', name: 'solo' })).toEqual({ ok: true });
    c.settle();
    expect(tableRows((k: string) => c.list(k), 'vmis', { allNamespaces: true })).toEqual([
      ['NAMESPACE', 'NAME', 'AGE', 'PHASE', 'IP', 'NODENAME', 'READY'],
      ['default', 'solo', '<unknown>', 'Running', '10.0.2.2', 'node-a', 'False'],
    ]);
    expect(tableRows((k: string) => c.list(k), 'vmis', { wide: true })).toEqual([
      ['NAME', 'AGE', 'PHASE', 'IP', 'NODENAME', 'READY', 'LIVE-MIGRATABLE', 'PAUSED'],
      ['solo', '<unknown>', 'Running', '10.0.2.2', 'node-a', 'False', 'True', 'True'],
    ]);
  });

  it('R-CLI a VMI that cannot be scheduled: empty IP and NODENAME, READY False, no LIVE-MIGRATABLE', () => {
    const c = cluster([vmi('big', { memory: '64Gi' })]);
    expect(tableRows((k: string) => c.list(k), 'vmis', { wide: true })[1]).toEqual(['big', '<unknown>', 'Scheduling', '', '', 'False', '', '']);
  });

  it('R-CLI get vmim: NAME PHASE VMI', () => {
    const c = cluster([node('node-b'), vm('v', 'Always')]);
    expect(c.vm({ verb: 'migrate', name: 'v' })).toEqual({ ok: true });
    c.settle();
    const rows = tableRows((k: string) => c.list(k), 'vmim');
    expect(rows[0]).toEqual(['NAME', 'PHASE', 'VMI']);
    expect(rows.slice(1).map((r) => r.slice(1))).toEqual([['Succeeded', 'v']]);
  });

  it('R-CLI get vmirs / vmpool: NAME DESIRED CURRENT READY AGE', () => {
    const c = cluster([rs, pool]);
    expect(tableRows((k: string) => c.list(k), 'vmirs', { age: (r, k) => (r === 'vmirs' && k === 'web' ? 3700 : null) })).toEqual([
      ['NAME', 'DESIRED', 'CURRENT', 'READY', 'AGE'],
      ['web', '2', '2', '2', '61m'],
    ]);
    expect(tableRows((k: string) => c.list(k), 'vmpool', { allNamespaces: true })).toEqual([
      ['NAMESPACE', 'NAME', 'DESIRED', 'CURRENT', 'READY', 'AGE'],
      ['default', 'db', '3', '3', '3', '<unknown>'],
    ]);
  });

  it('R-CLI R-I3 READY of a replica set counts Ready VMIs: a paused one is current but not ready', () => {
    const c = cluster([rs]);
    const [first] = c.list('VirtualMachineInstance').map((v) => v.metadata.name);
    expect(c.vm({ verb: 'pause', name: first! })).toEqual({ ok: true });
    c.settle();
    expect(tableRows((k: string) => c.list(k), 'vmirs')[1]!.slice(0, 4)).toEqual(['web', '2', '2', '1']);
  });

  it('R-CLI nothing to list → null (kubectl: No resources found)', () => {
    expect(printTable((k: string) => cluster([]).list(k), 'vmis')).toBeNull();
  });

  it('R-CLI short names and plurals resolve to the five resources', () => {
    expect(['vm', 'vms', 'vmi', 'virtualmachineinstances', 'vmim', 'vmirs', 'vmpool', 'vmpools'].map((n) => RESOURCE_NAMES[n])).toEqual([
      'vms',
      'vms',
      'vmis',
      'vmis',
      'vmim',
      'vmirs',
      'vmpool',
      'vmpool',
    ]);
  });

  it('R-CLI layout pads every column but the last to its widest cell plus 3 spaces', () => {
    expect(layout([['NAME', 'AGE'], ['a-long-name', '5s']])).toBe('NAME          AGE\na-long-name   5s');
  });

  it.each<[number, string]>([
    [-5, '<invalid>'],
    [-1, '0s'],
    [0, '0s'],
    [119, '119s'],
    [120, '2m'],
    [182, '3m2s'],
    [600, '10m'],
    [179 * 60 + 59, '179m'],
    [3 * 3600, '3h'],
    [5 * 3600 + 3 * 60, '5h3m'],
    [20 * 3600, '20h'],
    [3 * 86400 + 4 * 3600, '3d4h'],
    [40 * 86400, '40d'],
    [(2 * 365 + 3) * 86400, '2y3d'],
    [9 * 365 * 86400, '9y'],
  ])('R-CLI AGE %ss prints %s (kubectl duration.HumanDuration)', (s, out) => {
    expect(humanDuration(s)).toBe(out);
  });
});
