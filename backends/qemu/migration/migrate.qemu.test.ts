import { existsSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import type { LaunchSpec } from '../../../harness/cluster/agent.ts';
import { agentHarness, type AgentHarness } from '../testing/agentHarness.ts';
import { testSpec } from '../testing/bootGuest.ts';

let h: AgentHarness | null = null;
afterEach(async () => {
  await h?.dispose();
  h = null;
});

const MiB = 1024 * 1024;
const spec: LaunchSpec = testSpec({
  disks: [{ name: 'scratch', serial: 'S1', bus: 'virtio', cdrom: false, readonly: false, bootOrder: null, source: { kind: 'emptyDisk', sizeBytes: 8 * MiB } }],
});

async function running(harness: AgentHarness): Promise<void> {
  harness.agent.perform({ type: 'launch', spec });
  await harness.waitFor((e) => e.type === 'agentConnected' && e.connected);
  await harness.settle();
}

describe('live migration between two QEMUs (TCG)', () => {
  it('moves the running guest to the target node: same boot, disk data copied, source gone (R-M*)', async () => {
    h = await agentHarness();
    await running(h);
    h.agent.perform({ type: 'writeData', uid: spec.uid, disk: 'scratch', token: 'before-migration' });
    await h.settle();
    const before = (await h.agent.observeGuests([spec]))[spec.uid]!;
    const src = h.agent.launchers.get(spec.uid)!;

    h.agent.perform({ type: 'migrate', uid: spec.uid, migration: 'vm1-migration-1', targetNode: 'node02', nics: spec.nics });
    expect(await h.waitFor((e) => e.type.startsWith('migration'))).toEqual({ type: 'migrationCompleted', uid: spec.uid, migration: 'vm1-migration-1', targetNode: 'node02' });
    await h.settle();
    const tgt = h.agent.launchers.get(spec.uid)!;
    expect(tgt).not.toBe(src);
    expect(tgt.spec.node).toBe('node02');
    await src.done;
    expect(src.ended).toBe(true);
    expect(existsSync(src.proc.paths.dir)).toBe(false);
    expect(h.events.filter((e) => e.type === 'exited')).toEqual([]);

    const after = (await h.agent.observeGuests([{ ...spec, node: 'node02' }]))[spec.uid]!;
    expect(after.bootId).toBe(before.bootId);
    expect(after.disks[0]).toEqual({ name: 'scratch', serial: 'S1', sizeBytes: 8 * MiB, token: 'before-migration', bus: 'virtio' });
    expect(after.interfaces).toEqual(before.interfaces);
  }, 90_000);

  it('a VM on a shared (RWX) PVC migrates: the target opens the image the source had write-locked, and the data stays (R-M1)', async () => {
    h = await agentHarness();
    h.agent.perform({ type: 'provisionVolume', pvc: 'data', storage: 'shared', node: null, sizeBytes: 8 * MiB, source: { kind: 'blank' } });
    await h.waitFor((e) => e.type === 'volumeReady' && e.pvc === 'data');
    const shared: LaunchSpec = { ...spec, disks: [{ name: 'data', serial: 'D1', bus: 'virtio', cdrom: false, readonly: false, bootOrder: null, source: { kind: 'pvc', claim: 'data', storage: 'shared', node: null, sizeBytes: 8 * MiB } }] };
    h.agent.perform({ type: 'launch', spec: shared });
    await h.waitFor((e) => e.type === 'agentConnected' && e.connected);
    await h.settle();
    h.agent.perform({ type: 'writeData', uid: shared.uid, disk: 'data', token: 'on-shared-storage' });
    await h.settle();
    h.agent.perform({ type: 'migrate', uid: shared.uid, migration: 'vm1-migration-1', targetNode: 'node02', nics: shared.nics });
    expect(await h.waitFor((e) => e.type.startsWith('migration'))).toEqual({ type: 'migrationCompleted', uid: shared.uid, migration: 'vm1-migration-1', targetNode: 'node02' });
    await h.settle();
    const after = (await h.agent.observeGuests([{ ...shared, node: 'node02' }]))[shared.uid]!;
    expect(after.disks[0]).toEqual({ name: 'data', serial: 'D1', sizeBytes: 8 * MiB, token: 'on-shared-storage', bus: 'virtio' });
  }, 90_000);

  it('killMigrationTarget: the target dies mid-way, migrationFailed, the source keeps running', async () => {
    h = await agentHarness();
    await running(h);
    const src = h.agent.launchers.get(spec.uid)!;
    const boot = (await h.agent.observeGuests([spec]))[spec.uid]!.bootId;
    h.agent.perform({ type: 'migrate', uid: spec.uid, migration: 'vm1-migration-1', targetNode: 'node02', nics: spec.nics });
    h.agent.perform({ type: 'killMigrationTarget', uid: spec.uid });
    const ev = await h.waitFor((e) => e.type.startsWith('migration'));
    expect(ev).toMatchObject({ type: 'migrationFailed', uid: spec.uid, migration: 'vm1-migration-1' });
    await h.settle();
    expect(h.agent.launchers.get(spec.uid)).toBe(src);
    expect(src.ended).toBe(false);
    expect((await src.proc.qmp.execute('query-status')).status).toBe('running');
    expect((await h.agent.observeGuests([spec]))[spec.uid]!.bootId).toBe(boot);
    expect(existsSync(`${h.stateDir}/nodes/node02`) ? (await import('node:fs')).readdirSync(`${h.stateDir}/nodes/node02`) : []).toEqual([]);
  }, 90_000);

  describe('held migrations (bandwidthPerMigration, docs/harness-choices.md §2)', () => {
    const held = { type: 'migrate', uid: spec.uid, migration: 'vm1-migration-1', targetNode: 'node02', nics: spec.nics, bandwidthBytesPerSecond: 64 * 1024 } as const;
    const node02Empty = async (): Promise<string[]> => (existsSync(`${h!.stateDir}/nodes/node02`) ? (await import('node:fs')).readdirSync(`${h!.stateDir}/nodes/node02`) : []);

    it('a capped migration runs at max-bandwidth and parks the agent; released, it completes', async () => {
      h = await agentHarness();
      await running(h);
      h.agent.perform(held);
      expect(await h.settle()).toEqual([]); // idle with the migration in flight
      const sq = h.agent.launchers.get(spec.uid)!.proc.qmp;
      expect(((await sq.executeRaw('query-migrate-parameters')) as Record<string, unknown>)['max-bandwidth']).toBe(64 * 1024);
      expect(['setup', 'active']).toContain((await sq.execute('query-migrate')).status); // in flight
      h.agent.releaseHeld();
      expect(h.agent.idle()).toBe(false);
      const ev = await h.waitFor((e) => e.type.startsWith('migration'));
      expect(ev).toEqual({ type: 'migrationCompleted', uid: spec.uid, migration: 'vm1-migration-1', targetNode: 'node02' });
      await h.settle();
      expect(h.agent.launchers.get(spec.uid)!.spec.node).toBe('node02');
    }, 90_000);

    it('a verb on the VMI waits for the migration, which is then let go: pause lands on the target', async () => {
      h = await agentHarness();
      await running(h);
      h.agent.perform(held);
      h.agent.perform({ type: 'pause', uid: spec.uid }); // before the migration is held: it is not held at all
      const events = await h.settle(60_000);
      expect(events).toContainEqual({ type: 'migrationCompleted', uid: spec.uid, migration: 'vm1-migration-1', targetNode: 'node02' });
      expect(events).toContainEqual({ type: 'paused', uid: spec.uid, paused: true });
      const tgt = h.agent.launchers.get(spec.uid)!;
      expect(tgt.spec.node).toBe('node02');
      expect((await tgt.proc.qmp.execute('query-status')).status).toBe('paused');
    }, 90_000);

    // KubeVirt pkg/virt-launcher/virtwrap/live-migration-source.go asyncMigrationAbort: AbortJob on the source
    // (QMP migrate_cancel), abortStatus Succeeded; the source keeps running and the target is torn down.
    it('abortMigration cancels it on the source: migrationFailed (aborted), the source runs on, the target is gone', async () => {
      h = await agentHarness();
      await running(h);
      const src = h.agent.launchers.get(spec.uid)!;
      const boot = (await h.agent.observeGuests([spec]))[spec.uid]!.bootId;
      h.agent.perform(held);
      await h.settle();
      h.agent.perform({ type: 'abortMigration', uid: spec.uid, migration: 'vm1-migration-1' });
      h.agent.releaseHeld(); // the next settle: an aborted migration is not let go
      const ev = await h.waitFor((e) => e.type.startsWith('migration'));
      expect(ev).toMatchObject({ type: 'migrationFailed', uid: spec.uid, migration: 'vm1-migration-1', aborted: true });
      await h.settle();
      expect(h.agent.launchers.get(spec.uid)).toBe(src);
      expect((await src.proc.qmp.execute('query-status')).status).toBe('running');
      expect((await h.agent.observeGuests([spec]))[spec.uid]!.bootId).toBe(boot);
      expect(await node02Empty()).toEqual([]);
    }, 90_000);

    it('killMigrationTarget while held: migrationFailed (not aborted), the source runs on', async () => {
      h = await agentHarness();
      await running(h);
      const src = h.agent.launchers.get(spec.uid)!;
      h.agent.perform(held);
      await h.settle();
      h.agent.perform({ type: 'killMigrationTarget', uid: spec.uid });
      const ev = await h.waitFor((e) => e.type.startsWith('migration'));
      expect(ev).toMatchObject({ type: 'migrationFailed', uid: spec.uid, migration: 'vm1-migration-1' });
      expect(ev).not.toHaveProperty('aborted');
      await h.settle();
      expect(h.agent.launchers.get(spec.uid)).toBe(src);
      expect((await src.proc.qmp.execute('query-status')).status).toBe('running');
      expect(await node02Empty()).toEqual([]);
    }, 90_000);
  });
});
