/**
 * The core on its own: it reacts to agent events whenever they come (nothing
 * is assumed to complete instantly), and its rules can be overridden.
 */
import { describe, expect, it } from 'vitest';
import type { Effect } from './agent.ts';
import { ClusterCore } from './ClusterCore.ts';
import type { VmiStatus, VmimStatus, VmStatus } from './store/objects.ts';
import { SimCluster } from '../../backends/model/SimCluster.ts';
import { node, vm } from '../../backends/model/testObjects.ts';

const vmi = (core: ClusterCore, name: string) => core.object('VirtualMachineInstance', name)!.status as VmiStatus;
const vmStatus = (core: ClusterCore, name: string) => core.object('VirtualMachine', name)!.status as VmStatus;
const migrations = (core: ClusterCore) => core.objects('VirtualMachineInstanceMigration').map((m) => ({ name: m.metadata.name, vmiName: (m.spec as { vmiName: string }).vmiName, phase: (m.status as VmimStatus).phase }));

function launches(effects: Effect[]): Extract<Effect, { type: 'launch' }>[] {
  return effects.filter((e): e is Extract<Effect, { type: 'launch' }> => e.type === 'launch');
}

describe('ClusterCore without instant effects', () => {
  it('R-P1 a VMI stays Scheduled until the agent says running; Starting meanwhile', () => {
    const core = new ClusterCore();
    core.apply(node('n1'));
    core.apply(vm('v', 'Always'));
    const [launch] = launches(core.takeEffects());
    expect(launch!.spec).toMatchObject({ name: 'v', node: 'n1', memoryMiB: 256, vcpus: 1 });
    expect([vmi(core, 'v').phase, vmStatus(core, 'v').printableStatus]).toEqual(['Scheduled', 'Starting']);
    core.onEvent({ type: 'running', uid: launch!.spec.uid });
    expect([vmi(core, 'v').phase, vmStatus(core, 'v').printableStatus]).toEqual(['Running', 'Running']);
    core.onEvent({ type: 'exited', uid: 'unknown', reason: 'crashed' }); // ignored
    expect(vmi(core, 'v').phase).toBe('Running');
  });

  it('R-G4 exit reasons: destroyed (grace 0) → Succeeded, graceExpired → Failed', () => {
    for (const [reason, phase] of [
      ['destroyed', 'Succeeded'],
      ['graceExpired', 'Failed'],
      ['guestShutdown', 'Succeeded'],
      ['killed', 'Failed'],
    ] as const) {
      const core = new ClusterCore();
      core.apply(node('n1'));
      core.apply(vm('v', 'Manual'));
      core.vm({ verb: 'start', name: 'v' });
      const uid = launches(core.takeEffects())[0]!.spec.uid;
      core.onEvent({ type: 'running', uid });
      core.onEvent({ type: 'exited', uid, reason });
      expect(vmi(core, 'v').phase).toBe(phase);
    }
  });

  it('R-M5 at most 5 migrations per cluster and 2 outbound per node run; the rest wait Pending', () => {
    const core = new ClusterCore();
    for (const n of ['n1', 'n2', 'n3', 'n4']) core.apply(node(n, { cpu: '64', memory: '64Gi' }));
    for (let i = 0; i < 12; i++) core.apply(vm(`v${i}`, 'Always'));
    for (const l of launches(core.takeEffects())) core.onEvent({ type: 'running', uid: l.spec.uid });
    core.takeEffects();
    for (let i = 0; i < 12; i++) expect(core.vm({ verb: 'migrate', name: `v${i}` })).toEqual({ ok: true });
    const migrate = core.takeEffects().filter((e) => e.type === 'migrate');
    expect(migrate).toHaveLength(5);
    const running = migrations(core).filter((m) => m.phase === 'Running');
    const perSource = new Map<string, number>();
    for (const m of running) {
      const source = vmi(core, m.vmiName).migrationState!.sourceNode;
      perSource.set(source, (perSource.get(source) ?? 0) + 1);
    }
    expect(Math.max(...perSource.values())).toBeLessThanOrEqual(2);
    expect(migrations(core).filter((m) => m.phase === 'Pending')).toHaveLength(7);
    expect(vmStatus(core, running[0]!.vmiName).printableStatus).toBe('Migrating');
    // a second migration of the same VMI is denied
    expect(core.vm({ verb: 'migrate', name: running[0]!.vmiName })).toMatchObject({ ok: false, code: 500 });
    // completing one starts the next
    const m0 = migrate[0] as Extract<Effect, { type: 'migrate' }>;
    core.onEvent({ type: 'migrationCompleted', uid: m0.uid, migration: m0.migration, targetNode: m0.targetNode });
    expect(core.takeEffects().filter((e) => e.type === 'migrate')).toHaveLength(1);
  });

  it('R-M5/R-M6 a drain: 2 of the node\'s migrations run, each completion starts the oldest pending one; a pending one whose VMI ended fails and takes no slot', () => {
    const core = new ClusterCore();
    core.apply(node('n1', { cpu: '64', memory: '64Gi' }));
    for (let i = 0; i < 5; i++) core.apply(vm(`v${i}`, 'Manual'));
    for (let i = 0; i < 5; i++) core.vm({ verb: 'start', name: `v${i}` });
    const uids = new Map(launches(core.takeEffects()).map((l) => [l.spec.name, l.spec.uid]));
    for (const uid of uids.values()) core.onEvent({ type: 'running', uid });
    core.apply(node('n2', { cpu: '64', memory: '64Gi' }));
    core.takeEffects();
    expect(core.drain('n1')).toEqual({ ok: true });
    const started = () => core.takeEffects().filter((e): e is Extract<Effect, { type: 'migrate' }> => e.type === 'migrate');
    // a drain's migrations are named kubevirt-evacuation-<suffix>: which VMI each one moves
    const vmisOf = (ms: Extract<Effect, { type: 'migrate' }>[]) => ms.map((m) => (core.object('VirtualMachineInstanceMigration', m.migration)!.spec as { vmiName: string }).vmiName);
    const first = started();
    expect(vmisOf(first)).toEqual(['v0', 'v1']);
    // v2's VMI ends while its migration waits: the migration fails, and the slot v0 frees goes to v3
    core.vm({ verb: 'stop', name: 'v2' });
    core.onEvent({ type: 'exited', uid: uids.get('v2')!, reason: 'guestShutdown' });
    expect(migrations(core).find((m) => m.vmiName === 'v2')!.phase).toBe('Failed');
    expect(started()).toEqual([]);
    core.onEvent({ type: 'migrationCompleted', uid: first[0]!.uid, migration: first[0]!.migration, targetNode: 'n2' });
    expect(vmisOf(started())).toEqual(['v3']);
    core.onEvent({ type: 'migrationCompleted', uid: first[1]!.uid, migration: first[1]!.migration, targetNode: 'n2' });
    expect(vmisOf(started())).toEqual(['v4']);
    expect(vmi(core, 'v0').nodeName).toBe('n2');
  });

  it('R-M4 a failed migration keeps the VMI on its source with migrationState failed', () => {
    const core = new ClusterCore();
    core.apply(node('n1'));
    core.apply(node('n2'));
    core.apply(vm('v', 'Always'));
    const uid = launches(core.takeEffects())[0]!.spec.uid;
    core.onEvent({ type: 'running', uid });
    core.vm({ verb: 'migrate', name: 'v' });
    const m = core.takeEffects().find((e) => e.type === 'migrate') as Extract<Effect, { type: 'migrate' }>;
    core.onEvent({ type: 'migrationFailed', uid, migration: m.migration, reason: 'target died' });
    expect(vmi(core, 'v')).toMatchObject({ nodeName: 'n1', phase: 'Running', migrationState: { completed: true, failed: true, sourceNode: 'n1', targetNode: 'n2' } });
    // the target's reservation is given back (the scheduler's record, part of the saved state)
    expect((core.save().objects.Node!.n2!.rec as { usedCpuMilli: number }).usedCpuMilli).toBe(0);
    expect((core.object('VirtualMachineInstanceMigration', m.migration)!.status as VmimStatus).phase).toBe('Failed');
  });
});

describe('deviant models from rule overrides', () => {
  const boot = (opts: ConstructorParameters<typeof SimCluster>[0]) => {
    const c = new SimCluster(opts);
    c.apply(node('n1'));
    c.apply(node('n2'));
    return c;
  };

  it('RerunOnFailure restarting after Succeeded', () => {
    const c = boot({ core: { rules: { runStrategy: { RerunOnFailure: { succeeded: 'deleteRecreate' } } } } });
    c.apply(vm('v', 'RerunOnFailure'));
    c.settle();
    c.guest({ action: 'poweroff', vmi: 'v' });
    c.settle();
    expect(c.observe().vms.v!.printableStatus).toBe('Running');
  });

  it('reset creating a new VMI', () => {
    const c = boot({ core: { rules: { behaviour: { reset: 'newVmi' } } } });
    c.apply(vm('v', 'Always'));
    c.settle();
    const before = c.observe().vms.v!.vmi;
    c.guest({ action: 'reset', vmi: 'v' });
    c.settle();
    expect(c.observe().vms.v!.vmi).not.toBe(before);
  });

  it('migration keeping the old node', () => {
    const c = boot({ core: { rules: { behaviour: { migrationMovesNode: false } } } });
    c.apply(vm('v', 'Always'));
    c.settle();
    c.vm({ verb: 'migrate', name: 'v' });
    c.settle();
    const o = c.observe();
    expect(o.vmis.v!.node).toBe('n1');
    expect(o.vmis.v!.migration).toMatchObject({ completed: true, failed: false });
  });
});

describe('verbs on a VMI that is going away', () => {
  // KubeVirt pkg/virt-api/rest/lifecycle.go StopVMRequestHandler: a given grace period is patched onto the live VMI
  // first (patchVMITerminationGracePeriod); Halted then refuses a grace that is not shorter than the VMI's own value,
  // compared only when the VMI had one.
  it('R-V2 Halted with a live VMI: a stop grace is compared with the VMI\'s own terminationGracePeriodSeconds only when it is set', () => {
    const core = new ClusterCore();
    core.apply(node('n1'));
    const unset = vm('u', 'Always');
    delete unset.spec.template.spec.terminationGracePeriodSeconds;
    core.apply(unset);
    core.apply(vm('g', 'Always', { grace: 5 }));
    for (const l of launches(core.takeEffects())) core.onEvent({ type: 'running', uid: l.spec.uid });
    // stop switches both to Halted; their VMIs are still shutting down (no exit reported yet)
    for (const n of ['u', 'g']) expect(core.vm({ verb: 'stop', name: n })).toEqual({ ok: true });
    core.takeEffects();
    const halted = { ok: false, code: 409, message: 'Halted only supports manual stop requests with a shorter graceperiod' };
    expect(core.vm({ verb: 'stop', name: 'u' })).toMatchObject(halted);
    // unset: any grace is taken, even one longer than the 30 s default
    expect(core.vm({ verb: 'stop', name: 'u', gracePeriod: 60 })).toEqual({ ok: true });
    expect(core.vm({ verb: 'stop', name: 'g', gracePeriod: 5 })).toMatchObject(halted);
    expect(core.vm({ verb: 'stop', name: 'g', gracePeriod: 2 })).toEqual({ ok: true });
    // now set (patched): compared
    expect(core.vm({ verb: 'stop', name: 'u', gracePeriod: 60 })).toMatchObject(halted);
    expect(core.takeEffects().filter((e) => e.type === 'shutdown').map((e) => (e as { graceSeconds: number }).graceSeconds)).toEqual([60, 5, 2, 60]); // refused stops patched too
  });
});

describe('ready while stopping', () => {
  // KubeVirt pkg/virt-controller/watch/vmi/lifecycle.go sync (a deleted VMI's pods are deleted at once) and
  // syncReadyConditionFromPod (a pod going down: Ready False/PodTerminating); vm.go updateStatus (ready from it)
  it('R-VS a VM whose VMI is being deleted is not ready (Stopping), before the launcher exits', () => {
    const core = new ClusterCore();
    core.apply(node('n1'));
    core.apply(vm('v', 'Always'));
    for (const l of launches(core.takeEffects())) core.onEvent({ type: 'running', uid: l.spec.uid });
    expect(vmStatus(core, 'v')).toMatchObject({ printableStatus: 'Running', ready: true });
    expect(core.vm({ verb: 'stop', name: 'v' })).toEqual({ ok: true });
    expect(vmStatus(core, 'v')).toMatchObject({ printableStatus: 'Stopping', ready: false });
    expect(vmi(core, 'v').conditions.find((c) => c.type === 'Ready')).toMatchObject({ status: 'False', reason: 'PodTerminating' });
  });
});

describe('timers', () => {
  // KubeVirt pkg/virt-controller/watch/vm/vm.go syncStartFailureStatus, calculateStartBackoffTime,
  // syncRunStrategy (startFailureBackoffTimeLeft > 0 → Queue.AddAfter, then startVMI)
  it('R-RS6 crash-loop backoff is a timer on the core clock: the next VMI is created once 10·n² s (+ up to 50 % jitter) have passed', () => {
    const failOnce = (mode: 'expires' | 'never') => {
      const core = new ClusterCore({ rules: { behaviour: { crashLoopBackoff: mode } } });
      core.apply(node('n1'));
      core.apply(vm('v', 'Always'));
      const uid = launches(core.takeEffects())[0]!.spec.uid;
      core.onEvent({ type: 'launchFailed', uid, message: 'boom' });
      expect(vmStatus(core, 'v')).toMatchObject({ printableStatus: 'CrashLoopBackOff', startFailure: { consecutiveFailCount: 1, lastFailedVMIUID: uid } });
      core.takeEffects();
      return core;
    };
    const core = failOnce('expires');
    const due = core.nextTimerDue()!;
    expect(due).toBeGreaterThanOrEqual(10_000);
    expect(due).toBeLessThanOrEqual(15_000);
    expect(Date.parse(vmStatus(core, 'v').startFailure!.retryAfterTimestamp!)).toBe(due);
    core.setTime(due - 1);
    expect(launches(core.takeEffects())).toHaveLength(0);
    core.setTime(due);
    expect(launches(core.takeEffects())).toHaveLength(1);
    expect(vmStatus(core, 'v').printableStatus).toBe('Starting');
    // a second failure waits 40–60 s; the count goes on (it is cleared only once a VMI runs)
    const uid2 = core.objects('VirtualMachineInstance')[0]!.metadata.uid;
    core.onEvent({ type: 'launchFailed', uid: uid2, message: 'boom' });
    expect(vmStatus(core, 'v').startFailure!.consecutiveFailCount).toBe(2);
    expect(core.nextTimerDue()! - due).toBeGreaterThanOrEqual(40_000);
    expect(core.nextTimerDue()! - due).toBeLessThanOrEqual(60_000);
    // the deviant that never retries
    const never = failOnce('never');
    never.setTime(3_600_000);
    expect(launches(never.takeEffects())).toHaveLength(0);
    expect(vmStatus(never, 'v').printableStatus).toBe('CrashLoopBackOff');
  });

  // KubeVirt vm.go syncRunStrategy, case RunStrategyOnce: no VMI → startVMI, without a startFailureBackoffTimeLeft check
  it('R-RS5 Once: after a third-party delete of a VMI that never ran, a new VMI is created at once (no backoff wait)', () => {
    const core = new ClusterCore();
    core.apply(node('n1'));
    core.apply(vm('v', 'Once'));
    const uid = launches(core.takeEffects())[0]!.spec.uid;
    core.onEvent({ type: 'launchFailed', uid, message: 'boom' });
    expect(vmStatus(core, 'v')).toMatchObject({ printableStatus: 'CrashLoopBackOff', created: true });
    core.takeEffects();
    expect(core.delete({ kind: 'VirtualMachineInstance', name: 'v' })).toEqual({ ok: true });
    expect(launches(core.takeEffects())).toHaveLength(1);
    expect(core.time()).toBe(0);
    expect(vmStatus(core, 'v').printableStatus).toBe('Starting');
  });

  it('R-RS6 settle moves the clock to due timers: a launch that fails once ends Running at quiescence', () => {
    let fails = 1;
    const c = new SimCluster({ agent: { launchFails: () => (fails-- > 0 ? 'boom' : null) } });
    c.apply(node('n1'));
    c.apply(vm('v', 'Always'));
    c.settle();
    expect(c.observe().vms.v).toMatchObject({ printableStatus: 'Running', created: true });
    expect(c.core.time()).toBeGreaterThanOrEqual(10_000);
  });

  it('R-RS6 a launch that always fails retries once per settle and shows CrashLoopBackOff at quiescence', () => {
    const c = new SimCluster({ agent: { launchFails: () => 'boom' } });
    c.apply(node('n1'));
    c.apply(vm('v', 'Always'));
    c.settle();
    const count = () => (c.core.object('VirtualMachine', 'v')!.status as VmStatus).startFailure!.consecutiveFailCount;
    expect([c.observe().vms.v!.printableStatus, count()]).toEqual(['CrashLoopBackOff', 2]);
    c.settle();
    expect([c.observe().vms.v!.printableStatus, count()]).toEqual(['CrashLoopBackOff', 3]);
  });
});
