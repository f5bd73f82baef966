/**
 * Migrations in flight (docs/spec.md R-M4, R-M7, R-M8; docs/harness-choices.md
 * §2 "held migrations"), through the Backend API of the model: a migration
 * capped by `migrations.bandwidthPerMigration` is still Running at the settled
 * state after `migrate`, so the next step can act on it.
 */
import { describe, expect, it } from 'vitest';
import type { Backend, KubeObject, Observation, Result } from '../contract.ts';
import type { ClusterConfig } from '../../harness/api/types.ts';
import { migrationName, step, twoNodeCluster } from './twoNodes.testkit.ts';
import { createModelBackend, type SimAgent } from './index.ts';
import { node, sriovNad, vm } from './testObjects.ts';

const OK: Result = { ok: true };

/** 64 KiB/s: a 128 MiB guest takes 2048 s of virtual time. */
function bandwidth(q: string): ClusterConfig {
  return { apiVersion: 'vmconform.io/v1', kind: 'ClusterConfig', metadata: { name: 'cluster' }, spec: { configuration: { migrations: { bandwidthPerMigration: q } } } };
}

const cluster = (objs: KubeObject[]): Promise<Backend> => twoNodeCluster([bandwidth('64Ki'), ...objs]);

/** A running VM `v` on node-a with its migration held in flight. */
async function inFlight(): Promise<{ b: Backend; before: Observation; o: Observation }> {
  const b = await cluster([vm('v', 'Always')]);
  const before = await b.observe();
  const o = await step(b, b.vm({ verb: 'migrate', name: 'v' }));
  return { b, before, o };
}

describe('held migrations (bandwidthPerMigration)', () => {
  it('a capped migration is Running at the settled state after migrate, and done after the next step', async () => {
    const { b, before, o } = await inFlight();
    expect(o.migrations[migrationName(o, 'v')]).toEqual({ vmi: 'v', phase: 'Running' });
    expect(o.vmis.v).toMatchObject({ phase: 'Running', node: 'node-a', migration: { completed: false, failed: false, sourceNode: 'node-a', targetNode: 'node-b' } });
    const clock = (b as unknown as { clock(): number }).clock();
    await b.settle(1000); // a later settle lets it finish
    const done = await b.observe();
    expect(done.migrations[migrationName(done, 'v')]!.phase).toBe('Succeeded');
    expect(done.vmis.v).toMatchObject({ uid: before.vmis.v!.uid, bootId: before.vmis.v!.bootId, node: 'node-b' });
    // duration = memory / bandwidth: 128 MiB at 64 KiB/s on the virtual clock
    expect((b as unknown as { clock(): number }).clock() - clock).toBeGreaterThanOrEqual(2048_000);
  });

  it('without a cap the migration ends within the settle of migrate (unchanged)', async () => {
    const b = createModelBackend();
    for (const o of [node('node-a'), node('node-b'), bandwidth('0'), vm('v', 'Always')]) await b.apply(o);
    await b.settle(1000);
    const o = await step(b, b.vm({ verb: 'migrate', name: 'v' }));
    expect(o.migrations[migrationName(o, 'v')]!.phase).toBe('Succeeded');
  });
});

describe('R-M9 MigrationPolicy bandwidthPerMigration', () => {
  // KubeVirt pkg/virt-controller/watch/migration/migration.go matchMigrationPolicy / resolveMigrationConfig (at
  // hand-off: the cluster config's MigrationConfiguration, overridden by the matched policy's set fields,
  // applyMigrationPolicySpec) and migrationpolicy.go matchPolicy (selectors against the VMI's labels, which
  // vm.go SetupVMIFromVM takes from the template); virt-launcher caps the stream with the result.
  const policy = (name: string, bw: string, selector: Record<string, string>): KubeObject => ({
    apiVersion: 'migrations.kubevirt.io/v1alpha1', kind: 'MigrationPolicy', metadata: { name }, spec: { selectors: { virtualMachineInstanceSelector: selector }, bandwidthPerMigration: bw },
  } as KubeObject);
  const labelled = (name: string, labels: Record<string, string>): KubeObject => {
    const v = vm(name, 'Always');
    v.spec.template.metadata = { labels };
    return v;
  };
  const migrationState = async (b: Backend, name: string) =>
    ((await (b as unknown as { list(k: string): Promise<{ metadata: { name: string }; status: { migrationState?: Record<string, unknown> } }[]> }).list('VirtualMachineInstance'))
      .find((o) => o.metadata.name === name)!.status.migrationState);

  it('a matched policy with a small bandwidth holds the migration in flight while the cluster config has no cap', async () => {
    const b = await twoNodeCluster([bandwidth('0'), policy('slow-db', '64Ki', { tier: 'db' }), labelled('db', { tier: 'db' }), labelled('web', { tier: 'web' })]);
    const o = await step(b, b.vm({ verb: 'migrate', name: 'db' }));
    expect(o.migrations[migrationName(o, 'db')]).toEqual({ vmi: 'db', phase: 'Running' });
    expect(await migrationState(b, 'db')).toMatchObject({ migrationPolicyName: 'slow-db', migrationConfiguration: { bandwidthPerMigration: '64Ki' } });
    // the VMI the policy does not match migrates at the cluster's (uncapped) speed
    const w = await step(b, b.vm({ verb: 'migrate', name: 'web' }));
    expect(w.migrations[migrationName(w, 'web')]!.phase).toBe('Succeeded');
    expect(await migrationState(b, 'web')).not.toHaveProperty('migrationPolicyName');
  });

  it('a matched policy with bandwidth 0 lifts the cluster config\'s cap: the migration ends within its step', async () => {
    const b = await twoNodeCluster([bandwidth('64Ki'), policy('fast-db', '0', { tier: 'db' }), labelled('db', { tier: 'db' }), labelled('web', { tier: 'web' })]);
    const o = await step(b, b.vm({ verb: 'migrate', name: 'db' }));
    expect(o.migrations[migrationName(o, 'db')]!.phase).toBe('Succeeded');
    expect(o.vmis.db).toMatchObject({ node: 'node-b' });
    expect(await migrationState(b, 'db')).toMatchObject({ migrationPolicyName: 'fast-db', migrationConfiguration: { bandwidthPerMigration: '0' } });
    const w = await step(b, b.vm({ verb: 'migrate', name: 'web' }));
    expect(w.migrations[migrationName(w, 'web')]).toEqual({ vmi: 'web', phase: 'Running' });
  });
});

describe('R-M4 abort: deleting a Running migration', () => {
  // KubeVirt pkg/virt-controller/watch/migration/migration.go (*Controller).sync, case MigrationRunning with a
  // deletion timestamp: markMigrationAbortInVmiStatus; pkg/virt-handler/migration-source.go handleMigrationAbort
  // and pkg/virt-launcher/virtwrap/live-migration-source.go asyncMigrationAbort (AbortJob → abortStatus Succeeded,
  // "Live migration has been aborted"); migration-source.go setMigrationProgressStatus (failed → completed, abortStatus);
  // migration.go updateStatus (source reported failed → failMigration; final → finalizer removed, object gone).
  it('cancels it: the VMI stays on the source with failed=true and abortStatus Succeeded; the migration object goes', async () => {
    const { b, before, o: held } = await inFlight();
    const first = migrationName(held, 'v');
    const o = await step(b, b.delete({ kind: 'VirtualMachineInstanceMigration', name: first }));
    expect(o.migrations[first]).toBeUndefined();
    expect(o.vmis.v).toMatchObject({ uid: before.vmis.v!.uid, bootId: before.vmis.v!.bootId, phase: 'Running', node: 'node-a' });
    expect(o.vmis.v!.migration).toEqual({ completed: true, failed: true, sourceNode: 'node-a', targetNode: 'node-b', abortStatus: 'Succeeded' });
    // nothing left in flight: a new migration is accepted
    const again = await step(b, b.vm({ verb: 'migrate', name: 'v' }));
    expect(again.migrations[migrationName(again, 'v', [first])]!.phase).toBe('Running');
  });
});

describe('R-M7 migration target death', () => {
  // KubeVirt migration.go updateStatus: `podExists && controller.PodIsDown(pod)` → interruptMigration ("Migration failed
  // because target pod shutdown during migration"); sync case MigrationFailed → handleMarkMigrationFailedOnVMI
  // (completed=true, failed=true, "Target pod is down"). The source keeps running.
  it('killMigrationTarget fails the migration; the VMI keeps running on the source, completed and failed', async () => {
    const { b, before } = await inFlight();
    const o = await step(b, b.fault({ fault: 'killMigrationTarget', vmi: 'v' }));
    expect(o.migrations[migrationName(o, 'v')]).toEqual({ vmi: 'v', phase: 'Failed' });
    expect(o.vmis.v).toMatchObject({ uid: before.vmis.v!.uid, bootId: before.vmis.v!.bootId, phase: 'Running', node: 'node-a' });
    expect(o.vmis.v!.migration).toEqual({ completed: true, failed: true, sourceNode: 'node-a', targetNode: 'node-b' });
  });

  it('losing the target node does the same, and the node is NotReady', async () => {
    const { b } = await inFlight();
    const o = await step(b, b.fault({ fault: 'nodeLoss', node: 'node-b' }));
    expect(o.migrations[migrationName(o, 'v')]!.phase).toBe('Failed');
    expect(o.vmis.v).toMatchObject({ phase: 'Running', node: 'node-a', migration: { completed: true, failed: true } });
    expect(o.nodes['node-b']!.ready).toBe(false);
  });

  it('losing the source node fails the VMI and the migration', async () => {
    const { b, before } = await inFlight();
    const o = await step(b, b.fault({ fault: 'nodeLoss', node: 'node-a' }));
    expect(o.migrations[migrationName(o, 'v')]!.phase).toBe('Failed');
    expect(o.vmis.v?.uid).not.toBe(before.vmis.v!.uid); // the VM (Always) made a new VMI
  });
});

describe('R-M8 verbs during a migration', () => {
  // KubeVirt pkg/virt-api/rest/lifecycle.go PauseVMIRequestHandler accepts a Running VMI whatever its migration;
  // pkg/virt-launcher/virtwrap/manager.go PauseVMI suspends the running source and the migration goes on;
  // pkg/virt-handler/migration-target.go domainIsActiveOnTarget: a user-paused domain is active on the target.
  it('pause: the migration completes and the VMI is paused on the target', async () => {
    const { b } = await inFlight();
    const o = await step(b, b.vm({ verb: 'pause', name: 'v' }));
    expect(o.migrations[migrationName(o, 'v')]!.phase).toBe('Succeeded');
    expect(o.vmis.v).toMatchObject({ phase: 'Running', node: 'node-b' });
    expect(o.vmis.v!.conditions.Paused).toMatchObject({ status: 'True' });
  });

  // A graceful shutdown is a libvirt job that waits for the outgoing migration job (harness choice, docs/harness-choices.md §2).
  it('stop: the VM stops; the migration is final', async () => {
    const { b, o: held } = await inFlight();
    const first = migrationName(held, 'v');
    const o = await step(b, b.vm({ verb: 'stop', name: 'v' }));
    expect(o.vms.v!.printableStatus).toBe('Stopped');
    expect(['Succeeded', 'Failed']).toContain(o.migrations[first]?.phase ?? 'Succeeded');
  });
});

describe('R-M6 evacuation retries', () => {
  // KubeVirt pkg/virt-controller/watch/drain/evacuation/evacuation.go (*EvacuationController).sync: on node, VMI
  // and migration events, every VMI of a drained node without an active migration gets a new migration;
  // pkg/virt-controller/watch/migration/migration.go handleMigrationBackoff: an evacuation migration after a failed
  // one waits 20 s after that failure, doubled per consecutive failure (re-queued with After: a timer here).
  const later = async (b: Backend, ms: number): Promise<Observation> => {
    (b as unknown as { agent: SimAgent }).agent.clockMs += ms;
    await b.apply(bandwidth('64Ki')); // any command: the core's clock catches up and due timers fire
    await b.settle(1000);
    await b.settle(1000); // the retry started held; the next settle lets it finish
    return b.observe();
  };

  it('a failed evacuation migration is retried after the backoff, and the VMI leaves the drained node', async () => {
    const b = await cluster([vm('v', 'Always')]);
    let o = await step(b, b.fault({ fault: 'drainNode', node: 'node-a' }));
    const first = migrationName(o, 'v');
    expect(o.migrations[first]!.phase).toBe('Running');
    o = await step(b, b.fault({ fault: 'killMigrationTarget', vmi: 'v' }));
    expect(o.migrations[first]!.phase).toBe('Failed');
    // The settle moved the clock to the retry's timer (20 s backoff; timers at quiescence,
    // docs/harness-choices.md §2): the retry runs, held in flight, the VMI still on the source.
    const retry = migrationName(o, 'v', [first]);
    expect(o.migrations[retry]).toEqual({ vmi: 'v', phase: 'Running' });
    expect(o.vmis.v!.node).toBe('node-a');
    await b.settle(1000); // the held retry finishes
    o = await b.observe();
    expect(o.migrations[retry]!.phase).toBe('Succeeded');
    expect(o.vmis.v!.node).toBe('node-b');
  });

  it('with nowhere to go the retries end: three failed evacuation migrations, then none', async () => {
    const b = createModelBackend();
    for (const x of [node('node-a'), vm('v', 'Always')]) await b.apply(x);
    await b.settle(1000);
    let o = await step(b, b.fault({ fault: 'drainNode', node: 'node-a' }));
    for (const wait of [20_000, 40_000, 80_000]) o = await later(b, wait);
    expect(Object.values(o.migrations).map((m) => m.phase)).toEqual(['Failed', 'Failed', 'Failed']);
    expect(o.vmis.v).toMatchObject({ phase: 'Running', node: 'node-a' });
  });
});


describe('R-M2 SR-IOV NICs during a migration', () => {
  // KubeVirt pkg/virt-launcher/virtwrap/live-migration-source.go hotUnplugHostDevices: the source detaches its
  // SR-IOV host devices before migrating (sriov.SafelyDetachHostDevices); the target plugs its own VFs once it runs.
  it('while the migration is in flight the guest has no SR-IOV NIC; once it completes the NIC is back, on the target', async () => {
    const vfs = { cpu: '8', memory: '16Gi', 'intel.com/vf': '1' };
    const b = createModelBackend();
    const objs: KubeObject[] = [
      node('node-a', vfs),
      node('node-b', vfs),
      bandwidth('64Ki'),
      sriovNad('sriov-net', 'intel.com/vf'),
      vm('s', 'Always', { interfaces: [{ name: 'fast', sriov: {} }], networks: [{ name: 'fast', multus: { networkName: 'sriov-net' } }] }),
    ];
    for (const o of objs) expect(await b.apply(o)).toEqual(OK);
    await b.settle(1000);
    const before = (await b.observe()).vmis.s!.interfaces[0]!;
    expect(before).toMatchObject({ name: 'fast', model: 'virtio' });
    expect(before.mac).not.toBeNull();

    const held = await step(b, b.vm({ verb: 'migrate', name: 's' }));
    expect(held.migrations[migrationName(held, 's')]!.phase).toBe('Running');
    expect(held.vmis.s!.interfaces[0]).toMatchObject({ name: 'fast', mac: null, ipv4: null, model: null });

    await b.settle(1000); // the held migration is released and completes
    const done = await b.observe();
    expect(done.vmis.s).toMatchObject({ node: 'node-b' });
    expect(done.vmis.s!.interfaces[0]).toMatchObject({ name: 'fast', mac: before.mac, model: 'virtio' });
  });
});

describe('R-M2 SR-IOV and a guest that cannot release its VF', () => {
  // KubeVirt pkg/virt-launcher/virtwrap/live-migration-source.go hotUnplugHostDevices: the source detaches the
  // SR-IOV host devices and waits for the guest's device-removed event (hostdevice.SafelyDetachHostDevices,
  // with a timeout); a guest with no running OS never answers the hot-unplug, so the migration fails.
  it('a VMI whose guest never booted keeps its VF: the migration fails and the VMI stays on the source', async () => {
    const vfs = { cpu: '8', memory: '16Gi', 'intel.com/vf': '1' };
    const b = createModelBackend();
    const unbooted = vm('s', 'Always', {
      volumes: [{ volume: { name: 'data', emptyDisk: { capacity: '16Mi' } }, disk: { bootOrder: 1 } }],
      interfaces: [{ name: 'fast', sriov: {} }],
      networks: [{ name: 'fast', multus: { networkName: 'sriov-net' } }],
    });
    for (const o of [node('node-a', vfs), node('node-b', vfs), sriovNad('sriov-net', 'intel.com/vf'), unbooted]) expect(await b.apply(o)).toEqual(OK);
    await b.settle(1000);
    expect((await b.observe()).vmis.s).toMatchObject({ phase: 'Running', node: 'node-a', bootId: null });
    const o = await step(b, b.vm({ verb: 'migrate', name: 's' }));
    expect(o.migrations[migrationName(o, 's')]!.phase).toBe('Failed');
    expect(o.vmis.s).toMatchObject({ phase: 'Running', node: 'node-a' });
    expect(o.vmis.s!.migration).toMatchObject({ completed: true, failed: true });
    expect(o.nodes['node-a']!.vfsInUse).toEqual({ 'intel.com/vf': 1 });
  });
});

describe('migration names', () => {
  // KubeVirt pkg/virt-api/rest/subresource.go MigrateVMRequestHandler: virtctl migrate creates its migration with
  // GenerateName "kubevirt-migrate-vm-"; pkg/virt-controller/watch/drain/evacuation/evacuation.go GenerateNewMigration:
  // a drain's with "kubevirt-evacuation-" and the annotation kubevirt.io/evacuationMigration naming the drained node.
  // The API server appends 5 characters of k8s.io/apimachinery pkg/util/rand alphanums (docs/harness-choices.md §3).
  const SUFFIX = '[bcdfghjklmnpqrstvwxz2456789]{5}';
  const vmims = async (b: Backend) =>
    (await b.list('VirtualMachineInstanceMigration')).map((m) => ({ name: m.metadata.name, vmi: (m.spec as { vmiName: string }).vmiName, annotations: m.metadata.annotations }));

  it('virtctl migrate names its migration kubevirt-migrate-vm-<suffix>; a drain names each kubevirt-evacuation-<suffix>, annotated with the node', async () => {
    const b = await twoNodeCluster([bandwidth('0'), vm('v', 'Always'), vm('w', 'Always')]);
    expect((await b.observe()).vmis).toMatchObject({ v: { node: 'node-a' }, w: { node: 'node-b' } });
    await step(b, b.vm({ verb: 'migrate', name: 'v' }));
    const [byVerb] = await vmims(b);
    expect(byVerb!.name).toMatch(new RegExp(`^kubevirt-migrate-vm-${SUFFIX}$`));
    expect(byVerb!.annotations).toBeUndefined();
    await step(b, b.fault({ fault: 'drainNode', node: 'node-b' }));
    const evacuations = (await vmims(b)).filter((m) => m.name !== byVerb!.name);
    expect(evacuations.map((m) => m.vmi).sort()).toEqual(['v', 'w']);
    for (const m of evacuations) {
      expect(m.name).toMatch(new RegExp(`^kubevirt-evacuation-${SUFFIX}$`));
      expect(m.annotations).toEqual({ 'kubevirt.io/evacuationMigration': 'node-b' });
    }
  });

  it('backends with different seeds name a migration alike: the engine sends the reference\'s name to all of them', async () => {
    const names = [];
    for (const seed of [0, 1, 7]) {
      const b = await twoNodeCluster([bandwidth('0'), vm('v', 'Always')], seed);
      names.push(migrationName(await step(b, b.vm({ verb: 'migrate', name: 'v' })), 'v'));
    }
    expect(new Set(names).size).toBe(1);
  });
});
