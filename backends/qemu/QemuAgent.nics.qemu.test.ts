import { afterEach, describe, expect, it } from 'vitest';
import type { LaunchNic, LaunchSpec } from '../../harness/cluster/agent.ts';
import { agentHarness, type AgentHarness } from './testing/agentHarness.ts';
import { testSpec } from './testing/bootGuest.ts';

let h: AgentHarness | null = null;
afterEach(async () => {
  await h?.dispose();
  h = null;
});

const pod = (mac: string): LaunchNic => ({ name: 'default', mac, macSource: 'generated', kind: 'pod', network: null, ipv4Cidr: null, vf: null, model: 'virtio' });
const br = (mac: string, cidr: string): LaunchNic => ({ name: 'br', mac, macSource: 'spec', kind: 'bridge', network: 'br1', ipv4Cidr: cidr, vf: null, model: 'virtio' });
const vf = (mac: string, index: number): LaunchNic => ({ name: 'vf', mac, macSource: 'generated', kind: 'sriov', network: 'sr1', ipv4Cidr: null, vf: { resource: 'intel.com/sriov', index }, model: 'virtio' });

describe('Multus segments and SR-IOV VFs on real QEMU (TCG)', () => {
  it('two guests on one bridge NAD reach each other by a real ping; an SR-IOV VF is unplugged before migration and the target VF plugged after', async () => {
    h = await agentHarness();
    const a: LaunchSpec = testSpec({ uid: 'uid-a', name: 'a', hostname: 'a', nics: [pod('52:54:00:00:00:0a'), br('52:54:00:00:01:0a', '10.10.0.10/24')] });
    const b: LaunchSpec = testSpec({ uid: 'uid-b', name: 'b', hostname: 'b', nics: [pod('52:54:00:00:00:0b'), br('52:54:00:00:01:0b', '10.10.0.11/24'), vf('52:54:00:00:02:01', 0)] });
    h.agent.perform({ type: 'launch', spec: a });
    h.agent.perform({ type: 'launch', spec: b });
    await h.settle();
    expect(h.events.filter((e) => e.type === 'agentConnected').length).toBe(2);

    const facts = await h.agent.observeGuests([a, b]);
    expect(facts['uid-a']!.interfaces[1]).toEqual({ name: 'br', mac: '52:54:00:00:01:0a', macSource: 'spec', ipv4: '10.10.0.10', model: 'virtio' });
    expect(facts['uid-a']!.reachable).toEqual({ br1: ['b'] });
    expect(facts['uid-b']!.reachable).toEqual({ br1: ['a'] });
    expect(facts['uid-b']!.interfaces[2]).toMatchObject({ name: 'vf', mac: '52:54:00:00:02:01' });

    const targetNics = [b.nics[0]!, b.nics[1]!, vf('52:54:00:00:02:02', 3)];
    h.agent.perform({ type: 'migrate', uid: b.uid, migration: 'b-migration-1', targetNode: 'node02', nics: targetNics });
    expect(await h.waitFor((e) => e.type.startsWith('migration'))).toMatchObject({ type: 'migrationCompleted', uid: b.uid });
    await h.settle();
    const moved = { ...b, node: 'node02', nics: targetNics };
    const after = await h.agent.observeGuests([a, moved]);
    expect(after['uid-b']!.interfaces[2]).toMatchObject({ name: 'vf', mac: '52:54:00:00:02:02' });
    expect(after['uid-a']!.reachable).toEqual({ br1: ['b'] }); // still on the segment after the move
  }, 120_000);

  // R-M2 (live-migration-source.go hotUnplugHostDevices; virt-handler re-attaches the VF when the migration fails): the
  // source plugs its VF back, and the outcome is reported once the guest has configured it again, as after a completed
  // migration. Before, the failure was reported at once and the next observation found the VF without its address.
  it('a migration whose target dies: the source gets its VF back, with its address, before migrationFailed', async () => {
    h = await agentHarness();
    const c: LaunchSpec = testSpec({ uid: 'uid-c', name: 'c', hostname: 'c', nics: [pod('52:54:00:00:00:0c'), { ...vf('52:54:00:00:02:0c', 0), ipv4Cidr: '10.20.0.12/24' }] });
    h.agent.perform({ type: 'launch', spec: c });
    await h.settle();
    expect((await h.agent.observeGuests([c]))['uid-c']!.interfaces[1]).toMatchObject({ name: 'vf', ipv4: '10.20.0.12' });
    h.agent.perform({ type: 'migrate', uid: c.uid, migration: 'c-migration-1', targetNode: 'node02', nics: [c.nics[0]!, vf('52:54:00:00:02:0d', 1)] });
    h.agent.perform({ type: 'killMigrationTarget', uid: c.uid });
    expect(await h.waitFor((e) => e.type.startsWith('migration'))).toMatchObject({ type: 'migrationFailed', uid: c.uid });
    expect((await h.agent.observeGuests([c]))['uid-c']!.interfaces[1]).toMatchObject({ name: 'vf', mac: '52:54:00:00:02:0c', ipv4: '10.20.0.12' });
  }, 120_000);
});
