/**
 * One test per docs/spec.md rule id, through the Backend API of the model
 * (apply / vm / guest / fault / settle / observe).
 */
import { describe, expect, it } from 'vitest';
import { fileURLToPath } from 'node:url';
import type { Backend, Fault, GuestAction, KubeObject, Observation, Result, VmAction } from '../contract.ts';
import type { DataSource, DataVolume, RunStrategy, VirtualMachine, VirtualMachineClusterInstancetype } from '../../harness/api/types.ts';
import { loadManifestFile } from '../../harness/engine/index.ts';
import { createModelBackend, type ModelBackendOptions } from './index.ts';
import { bridgeNad, node, pvc, sriovNad, storageClass, vm, vmi, type VmiSpecOptions } from './testObjects.ts';
import { migrationName } from './twoNodes.testkit.ts';

type B = Backend;

async function cluster(objs: KubeObject[], opts: ModelBackendOptions & { nodes?: KubeObject[] } = {}): Promise<B> {
  const b = createModelBackend(opts);
  for (const o of [...(opts.nodes ?? [node('node-a'), node('node-b')]), ...objs]) expect(await b.apply(o)).toEqual({ ok: true });
  await b.settle(1000);
  return b;
}

/** Waits for a command's answer, then for the cluster to settle. */
async function settled(b: B, r: Promise<Result>): Promise<Result> {
  const answer = await r;
  await b.settle(1000);
  return answer;
}
const verb = (b: B, a: VmAction) => settled(b, b.vm(a));
const guest = (b: B, a: GuestAction) => settled(b, b.guest(a));
const fault = (b: B, f: Fault) => settled(b, b.fault(f));

const OK: Result = { ok: true };
const err = (code: number, message?: string): Result => (message === undefined ? (expect.objectContaining({ ok: false, code }) as Result) : ({ ok: false, code, message } as Result));

function status(o: Observation, name: string): string {
  return o.vms[name]!.printableStatus;
}

describe('seed fixture', () => {
  it('mariadb-prod (running: true, 512Mi) ends Running with memoryMiB 512', async () => {
    const loaded = await loadManifestFile(fileURLToPath(new URL('../../fixtures/vms/mariadb-prod.yaml', import.meta.url)));
    const objs: KubeObject[] = loaded.ok ? loaded.objects : [vm('mariadb-prod', true, { memory: '512Mi' })];
    const b = await cluster(objs);
    const o = await b.observe();
    expect(o.vms['mariadb-prod']).toMatchObject({ printableStatus: 'Running', ready: true, created: true, runStrategy: 'Always' });
    expect(o.vmis['mariadb-prod']).toMatchObject({ phase: 'Running', memoryMiB: 512, vcpus: 1 });
  });
});

describe('§2 run strategies', () => {
  it('R-RS0 running: true reads as Always, running: false as Halted', async () => {
    const b = await cluster([vm('a', true), vm('h', false)]);
    const o = await b.observe();
    expect([o.vms.a!.runStrategy, o.vms.a!.printableStatus]).toEqual(['Always', 'Running']);
    expect([o.vms.h!.runStrategy, o.vms.h!.printableStatus, o.vms.h!.created]).toEqual(['Halted', 'Stopped', false]);
  });

  // strategy × guest event → [printableStatus, created, new VMI?]
  const table: [string, 'Always' | 'RerunOnFailure' | 'Manual' | 'Once', 'poweroff' | 'panic', string, boolean, 'new' | 'same' | 'none'][] = [
    ['R-RS1', 'Always', 'poweroff', 'Running', true, 'new'],
    ['R-RS1', 'Always', 'panic', 'Running', true, 'new'],
    ['R-RS2', 'RerunOnFailure', 'poweroff', 'Stopped', false, 'none'],
    ['R-RS2', 'RerunOnFailure', 'panic', 'Running', true, 'new'],
    ['R-RS3', 'Manual', 'poweroff', 'Stopped', true, 'same'],
    ['R-RS3', 'Manual', 'panic', 'Stopped', true, 'same'],
    ['R-RS5', 'Once', 'poweroff', 'Stopped', true, 'same'],
    ['R-RS5', 'Once', 'panic', 'Stopped', true, 'same'],
  ];
  it.each(table)('%s %s: guest %s → %s, created %s, VMI %s', async (_id, strategy, action, ps, created, identity) => {
    const b = await cluster([vm('v', strategy)]);
    if (strategy === 'Manual') expect(await verb(b, { verb: 'start', name: 'v' })).toEqual(OK);
    const before = (await b.observe()).vms.v!.vmi;
    expect(before).not.toBeNull();
    expect(await guest(b, { action, vmi: 'v' })).toEqual(OK);
    const o = await b.observe();
    expect(status(o, 'v')).toBe(ps);
    expect(o.vms.v!.created).toBe(created);
    const after = o.vms.v!.vmi;
    expect(identity === 'none' ? after : identity === 'same' ? after === before : after !== before && after !== null).toBe(identity === 'none' ? null : true);
    if (identity === 'same') expect(o.vmis.v!.phase).toBe(action === 'poweroff' ? 'Succeeded' : 'Failed');
  });

  it('R-RS2 RerunOnFailure starts on creation and a stop deletes without restart', async () => {
    const b = await cluster([vm('v', 'RerunOnFailure')]);
    expect(status(await b.observe(), 'v')).toBe('Running');
    expect(await verb(b, { verb: 'stop', name: 'v' })).toEqual(OK);
    const o = await b.observe();
    expect([status(o, 'v'), o.vms.v!.runStrategy, o.vms.v!.created]).toEqual(['Stopped', 'RerunOnFailure', false]);
  });

  it('R-RS3 Manual creates nothing until a start request', async () => {
    const b = await cluster([vm('v', 'Manual')]);
    expect((await b.observe()).vms.v).toMatchObject({ printableStatus: 'Stopped', created: false });
  });

  it('R-RS4 Halted: nothing runs; switching to Always by apply starts it', async () => {
    const b = await cluster([vm('v', 'Halted')]);
    expect((await b.observe()).vms.v).toMatchObject({ printableStatus: 'Stopped', created: false });
    await b.apply(vm('v', 'Always'));
    await b.settle(1000);
    expect(status(await b.observe(), 'v')).toBe('Running');
    await b.apply(vm('v', 'Halted'));
    await b.settle(1000);
    expect((await b.observe()).vms.v).toMatchObject({ printableStatus: 'Stopped', created: false });
  });

  // KubeVirt pkg/virt-controller/watch/vm/vm.go syncRunStrategy: startFailureBackoffTimeLeft > 0 re-queues the key
  // (Queue.AddAfter) and then startVMI: the backoff only delays.
  it.each<RunStrategy>(['Always', 'RerunOnFailure'])('R-RS6 %s: crash-loop backoff expires; once the launch works the VM runs at quiescence without a request', async (strategy) => {
    let fails = true;
    const b = await cluster([vm('v', strategy)], { agent: { launchFails: () => (fails ? 'no bootable disk' : null) } });
    expect(status(await b.observe(), 'v')).toBe('CrashLoopBackOff');
    fails = false;
    await b.settle(1000);
    const o = await b.observe();
    expect([status(o, 'v'), o.vms.v!.created]).toEqual(['Running', true]);
  });

  it('R-RS6 a VMI that never ran puts Always into CrashLoopBackOff; verbs answer as without a VMI', async () => {
    let fails = true;
    const b = await cluster([vm('v', 'Always')], { agent: { launchFails: () => (fails ? 'no bootable disk' : null) } });
    let o = await b.observe();
    expect([status(o, 'v'), o.vms.v!.created]).toEqual(['CrashLoopBackOff', false]);
    expect(await verb(b, { verb: 'restart', name: 'v' })).toEqual(err(409, 'VM is not running: Halted'));
    expect(await verb(b, { verb: 'start', name: 'v' })).toEqual(err(409, 'Always does not support manual start requests'));
    expect(status(await b.observe(), 'v')).toBe('CrashLoopBackOff');
    expect(await verb(b, { verb: 'stop', name: 'v' })).toEqual(OK);
    expect(status(await b.observe(), 'v')).toBe('Stopped');
    fails = false;
    expect(await verb(b, { verb: 'start', name: 'v' })).toEqual(OK);
    o = await b.observe();
    expect(status(o, 'v')).toBe('Running');
  });
});

describe('§2 crash loops per strategy', () => {
  it.each<[string, RunStrategy, string, boolean]>([
    ['R-RS6', 'Always', 'CrashLoopBackOff', false],
    ['R-RS6', 'RerunOnFailure', 'CrashLoopBackOff', false],
    ['R-RS6', 'Once', 'CrashLoopBackOff', true],
  ])('%s %s with a launch that always fails → %s (VMI kept: %s)', async (_id, strategy, ps, created) => {
    const b = await cluster([vm('v', strategy)], { agent: { launchFails: () => 'qemu: could not load firmware' } });
    const o = await b.observe();
    expect(o.vms.v).toMatchObject({ printableStatus: ps, created });
    if (created) expect(o.vmis.v!.phase).toBe('Failed');
  });

  // KubeVirt vm.go vmiFailedEarly counts every final VMI that never ran, also one the controller deleted
  // (a deleted VMI that never ran goes Failed first: pkg/virt-controller/watch/vmi/lifecycle.go updateStatus)
  it('R-RS6 RerunOnFailure: a stop of a VMI that never ran counts as a start failure (CrashLoopBackOff, not Stopped)', async () => {
    const b = await cluster([vm('v', 'RerunOnFailure', { memory: '64Gi' })]);
    expect(status(await b.observe(), 'v')).toBe('ErrorUnschedulable');
    expect(await verb(b, { verb: 'stop', name: 'v' })).toEqual(OK);
    expect((await b.observe()).vms.v).toMatchObject({ printableStatus: 'CrashLoopBackOff', created: false });
  });

  it('R-RS6 Manual never backs off: the failed VMI stays, the VM is Stopped', async () => {
    const b = await cluster([vm('v', 'Manual')], { agent: { launchFails: () => 'boom' } });
    await verb(b, { verb: 'start', name: 'v' });
    expect((await b.observe()).vms.v).toMatchObject({ printableStatus: 'Stopped', created: true });
  });
});

describe('§3 verbs', () => {
  it.each<[string, string, VmAction['verb'], Result]>([
    ['R-V1', 'Always', 'start', err(409, 'VM is already running')],
    ['R-V1', 'Once', 'start', err(409, 'VM is already running')],
    ['R-V1', 'Halted', 'start', OK],
    ['R-V1', 'Manual', 'start', OK],
    ['R-V2', 'Always', 'stop', OK],
    ['R-V2', 'Halted', 'stop', err(409, 'VM is not running')],
    ['R-V2', 'Manual', 'stop', err(409, 'VM is not running')],
    ['R-V3', 'Halted', 'restart', err(409, 'RunStategy Halted does not support manual restart requests')],
    ['R-V3', 'Once', 'restart', err(409, 'RunStategy Once does not support manual restart requests')],
    ['R-V3', 'Manual', 'restart', err(409, 'VM is not running: Halted')],
    ['R-V3', 'Always', 'restart', OK],
    ['R-V4', 'Manual', 'migrate', err(404, 'virtualmachineinstance.kubevirt.io "v" not found')],
    ['R-V5', 'Manual', 'pause', err(409, 'VM is not running')],
    ['R-V6', 'Manual', 'unpause', err(409, 'VMI is not running')],
    ['R-V7', 'Manual', 'softReboot', err(409, 'VM is not running')],
    ['R-V6', 'Always', 'unpause', err(409, 'VMI is not paused')],
    ['R-V7', 'Always', 'softReboot', OK],
  ])('%s %s: %s answers as KubeVirt', async (_id, strategy, v, expected) => {
    const b = await cluster([vm('v', strategy as RunStrategy)]);
    expect(await verb(b, { verb: v, name: 'v' } as VmAction)).toEqual(expected);
  });

  it('R-V1 start on Halted switches to Always and runs; a second start is rejected', async () => {
    const b = await cluster([vm('v', 'Halted')]);
    expect(await verb(b, { verb: 'start', name: 'v' })).toEqual(OK);
    expect((await b.observe()).vms.v).toMatchObject({ runStrategy: 'Always', printableStatus: 'Running' });
    expect(await verb(b, { verb: 'start', name: 'v' })).toEqual(err(409, 'VM is already running'));
    expect(await verb(b, { verb: 'start', name: 'nope' })).toEqual(err(404, 'virtualmachine.kubevirt.io "nope" not found'));
  });

  it('R-V1 start on Manual with a final VMI replaces it; start --paused runs paused', async () => {
    const b = await cluster([vm('v', 'Manual')]);
    await verb(b, { verb: 'start', name: 'v' });
    await guest(b, { action: 'poweroff', vmi: 'v' });
    const old = (await b.observe()).vms.v!.vmi;
    expect(await verb(b, { verb: 'start', name: 'v', paused: true })).toEqual(OK);
    const o = await b.observe();
    expect(o.vms.v!.vmi).not.toBe(old);
    expect(status(o, 'v')).toBe('Paused');
  });

  it('R-V1 RerunOnFailure start after a Succeeded VMI starts a new one', async () => {
    const b = await cluster([vm('v', 'RerunOnFailure')]);
    await guest(b, { action: 'poweroff', vmi: 'v' });
    expect(await verb(b, { verb: 'start', name: 'v' })).toEqual(OK);
    expect(status(await b.observe(), 'v')).toBe('Running');
  });

  it('R-V2 stop on Always/Once never errors and sets Halted; Halted with a live VMI only takes a shorter grace', async () => {
    const b = await cluster([vm('v', 'Once')]);
    await guest(b, { action: 'poweroff', vmi: 'v' });
    expect(await verb(b, { verb: 'stop', name: 'v' })).toEqual(OK);
    expect((await b.observe()).vms.v).toMatchObject({ runStrategy: 'Halted', created: false, printableStatus: 'Stopped' });
    const c = await cluster([vm('w', 'Always', { grace: 30 })]);
    expect(await c.vm({ verb: 'stop', name: 'w' })).toEqual(OK);
    // before settling, the VMI is still shutting down
    expect(await c.vm({ verb: 'stop', name: 'w' })).toEqual(err(409, 'Halted only supports manual stop requests with a shorter graceperiod'));
    expect(await c.vm({ verb: 'stop', name: 'w', gracePeriod: 0, force: true })).toEqual(OK);
    await c.settle(1000);
    expect((await c.observe()).vms.w).toMatchObject({ printableStatus: 'Stopped', created: false });
  });

  it('R-V2 stop on Manual deletes the VMI', async () => {
    const b = await cluster([vm('v', 'Manual')]);
    await verb(b, { verb: 'start', name: 'v' });
    expect(await verb(b, { verb: 'stop', name: 'v' })).toEqual(OK);
    expect((await b.observe()).vms.v).toMatchObject({ printableStatus: 'Stopped', created: false, runStrategy: 'Manual' });
  });

  it('R-V3 restart makes a new VMI; grace > 0 and < 0 are 400', async () => {
    const b = await cluster([vm('v', 'Always')]);
    const before = (await b.observe()).vms.v!.vmi;
    expect(await verb(b, { verb: 'restart', name: 'v', gracePeriod: 5 })).toEqual(err(400, 'For force restart, only gracePeriod=0 is supported for now'));
    expect(await verb(b, { verb: 'restart', name: 'v', gracePeriod: -1 })).toEqual(err(400, 'gracePeriod has to be greater or equal to 0'));
    expect(await verb(b, { verb: 'restart', name: 'v' })).toEqual(OK);
    const o = await b.observe();
    expect(o.vms.v!.vmi).not.toBe(before);
    expect(status(o, 'v')).toBe('Running');
  });

  it('R-V4 migrate moves a migratable VMI to the other node; the same uid and boot', async () => {
    const b = await cluster([vm('v', 'Always')]);
    const o1 = await b.observe();
    expect(await verb(b, { verb: 'migrate', name: 'v' })).toEqual(OK);
    const o2 = await b.observe();
    expect(o2.vmis.v).toMatchObject({ uid: o1.vmis.v!.uid, bootId: o1.vmis.v!.bootId, phase: 'Running', node: 'node-b' });
    expect(o2.vmis.v!.migration).toEqual({ completed: true, failed: false, sourceNode: 'node-a', targetNode: 'node-b' });
    expect(o2.migrations[migrationName(o2, 'v')]).toEqual({ vmi: 'v', phase: 'Succeeded' });
    expect(await verb(b, { verb: 'migrate', name: 'nope' })).toEqual(err(404, 'virtualmachine.kubevirt.io "nope" not found'));
  });

  it('R-V5 pause: Paused/PausedByUser, Ready False, VM Paused; again → 409', async () => {
    const b = await cluster([vm('v', 'Always')]);
    expect(await verb(b, { verb: 'pause', name: 'v' })).toEqual(OK);
    const o = await b.observe();
    expect(o.vms.v).toMatchObject({ printableStatus: 'Paused', ready: false });
    expect(o.vmis.v!.conditions).toMatchObject({ Ready: { status: 'False' }, Paused: { status: 'True', reason: 'PausedByUser' } });
    expect(await verb(b, { verb: 'pause', name: 'v' })).toEqual(err(409, 'VMI is already paused'));
  });

  it('R-V5 guest facts while paused: no boot id, no reachability; started paused: no IPv4 until the first unpause', async () => {
    const opts = {
      interfaces: [{ name: 'default', masquerade: {} }, { name: 'data', bridge: {} }],
      networks: [{ name: 'default', pod: {} }, { name: 'data', multus: { networkName: 'data-net' } }],
    };
    const b = await cluster([bridgeNad('data-net', '10.1.0.0/24'), vm('a', 'Always', opts), vm('p', 'Halted', opts)]);
    await verb(b, { verb: 'pause', name: 'a' });
    let o = await b.observe();
    expect(o.vmis.a).toMatchObject({ bootId: null, reachable: { 'data-net': [] }, memoryMiB: 256 });
    expect(o.vmis.a!.interfaces.map((i) => i.ipv4)).toEqual(['10.0.2.2', '10.1.0.2']);
    await verb(b, { verb: 'unpause', name: 'a' });
    await verb(b, { verb: 'start', name: 'p', paused: true });
    o = await b.observe();
    expect(o.vmis.p).toMatchObject({ phase: 'Running', bootId: null, reachable: { 'data-net': [] } });
    expect(o.vmis.p!.interfaces.map((i) => i.ipv4)).toEqual([null, null]);
    expect(o.vmis.a!.reachable).toEqual({ 'data-net': [] });
    await verb(b, { verb: 'unpause', name: 'p' });
    o = await b.observe();
    expect(o.vmis.p!.conditions.AgentConnected).toEqual({ status: 'True' });
    expect([o.vmis.a!.reachable, o.vmis.p!.reachable]).toEqual([{ 'data-net': ['p'] }, { 'data-net': ['a'] }]);
  });

  it('R-V6 unpause resumes; unpause of a non-running VMI → 409 VMI is not running', async () => {
    const b = await cluster([vm('v', 'Always'), vm('m', 'Manual')]);
    await verb(b, { verb: 'start', name: 'm' });
    await guest(b, { action: 'poweroff', vmi: 'm' });
    await verb(b, { verb: 'pause', name: 'v' });
    expect(await verb(b, { verb: 'unpause', name: 'v' })).toEqual(OK);
    expect((await b.observe()).vms.v).toMatchObject({ printableStatus: 'Running', ready: true });
    expect(await verb(b, { verb: 'unpause', name: 'm' })).toEqual(err(409, 'VMI is not running'));
  });

  it('R-V7 soft-reboot: same VMI, new boot; paused → 409', async () => {
    const b = await cluster([vm('v', 'Always')]);
    const o1 = await b.observe();
    expect(await verb(b, { verb: 'softReboot', name: 'v' })).toEqual(OK);
    const o2 = await b.observe();
    expect(o2.vmis.v!.uid).toBe(o1.vmis.v!.uid);
    expect(o2.vmis.v!.bootId).not.toBe(o1.vmis.v!.bootId);
    await verb(b, { verb: 'pause', name: 'v' });
    expect(await verb(b, { verb: 'softReboot', name: 'v' })).toEqual(err(409, 'VMI is paused'));
  });

  it('R-V8 reset: same VMI, new boot; non-running → "Failed to reset non-running VMI with phase"', async () => {
    const b = await cluster([vm('v', 'Manual')]);
    await verb(b, { verb: 'start', name: 'v' });
    const o1 = await b.observe();
    expect(await guest(b, { action: 'reset', vmi: 'v' })).toEqual(OK);
    const o2 = await b.observe();
    expect([o2.vmis.v!.uid === o1.vmis.v!.uid, o2.vmis.v!.bootId !== o1.vmis.v!.bootId, o2.vmis.v!.phase]).toEqual([true, true, 'Running']);
    await guest(b, { action: 'poweroff', vmi: 'v' });
    const r = await guest(b, { action: 'reset', vmi: 'v' });
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.message.startsWith('Failed to reset non-running VMI with phase Succeeded: ')).toBe(true);
  });

  it('R-V8 reset of a paused VMI: the machine is reset but stays paused, so the guest boots only on unpause', async () => {
    const b = await cluster([vm('v', 'Manual')]);
    await verb(b, { verb: 'start', name: 'v' });
    await verb(b, { verb: 'pause', name: 'v' });
    const paused = (await b.observe()).vmis.v!;
    expect(paused.interfaces[0]!.ipv4).not.toBeNull(); // what the guest reported before the pause
    expect(await guest(b, { action: 'reset', vmi: 'v' })).toEqual(OK);
    const reset = (await b.observe()).vmis.v!;
    expect([reset.uid, reset.phase, reset.bootId, reset.interfaces[0]!.ipv4, reset.conditions.AgentConnected]).toEqual([paused.uid, 'Running', null, null, undefined]);
    await verb(b, { verb: 'unpause', name: 'v' });
    const resumed = (await b.observe()).vmis.v!;
    expect(resumed.interfaces[0]!.ipv4).toBe(paused.interfaces[0]!.ipv4);
    expect(resumed.bootId).not.toBeNull();
    expect(resumed.conditions.AgentConnected).toEqual({ status: 'True' });
  });

  it('R-V9 only the head request acts: restart twice → 500 underway; start during a restart → 409; stop replaces the queue', async () => {
    const b = await cluster([vm('v', 'Manual')]);
    await verb(b, { verb: 'start', name: 'v' });
    expect(await b.vm({ verb: 'restart', name: 'v' })).toEqual(OK);
    expect(await b.vm({ verb: 'restart', name: 'v' })).toEqual(err(500, 'Internal error occurred: unable to complete request: stop/start already underway'));
    expect(await b.vm({ verb: 'start', name: 'v' })).toEqual(err(409, 'VM is already running'));
    expect(await b.vm({ verb: 'stop', name: 'v' })).toEqual(OK);
    await b.settle(1000);
    expect((await b.observe()).vms.v).toMatchObject({ printableStatus: 'Stopped', created: false });
  });
});

describe('§4 guest and hypervisor events', () => {
  it('R-G1 guest poweroff and completed ACPI shutdown → Succeeded', async () => {
    const b = await cluster([vm('p', 'Manual'), vm('a', 'Manual')]);
    await verb(b, { verb: 'start', name: 'p' });
    await verb(b, { verb: 'start', name: 'a' });
    await guest(b, { action: 'poweroff', vmi: 'p' });
    await guest(b, { action: 'acpiShutdown', vmi: 'a' });
    const o = await b.observe();
    expect([o.vmis.p!.phase, o.vmis.a!.phase]).toEqual(['Succeeded', 'Succeeded']);
  });

  it('R-G2 guest reboot is invisible: same VMI, Running, new boot, AgentConnected back', async () => {
    const b = await cluster([vm('v', 'Always')]);
    const o1 = await b.observe();
    expect(await guest(b, { action: 'reboot', vmi: 'v' })).toEqual(OK);
    const o2 = await b.observe();
    expect(o2.vmis.v).toMatchObject({ uid: o1.vmis.v!.uid, phase: 'Running', conditions: { AgentConnected: { status: 'True' } } });
    expect(o2.vmis.v!.bootId).not.toBe(o1.vmis.v!.bootId);
  });

  it.each<[string, Fault['fault'] | 'panic']>([
    ['R-G3', 'panic'],
    ['R-G3', 'killLauncher'],
  ])('%s %s → VMI Failed', async (_id, what) => {
    const b = await cluster([vm('v', 'Manual')]);
    await verb(b, { verb: 'start', name: 'v' });
    if (what === 'panic') await guest(b, { action: 'panic', vmi: 'v' });
    else await fault(b, { fault: 'killLauncher', vmi: 'v' });
    expect((await b.observe()).vmis.v!.phase).toBe('Failed');
  });

  // KubeVirt pkg/virt-handler/vm.go calculateVmPhaseForStatusReason: ReasonDestroyed is Failed only when isACPIEnabled;
  // libvirt's shutdown goes through the guest agent when it is connected (qemuDomainShutdownFlags).
  it('R-G4 eviction shutdown: ACPI or agent → Succeeded; paused → grace expiry → Failed with ACPI, Succeeded without', async () => {
    const names = ['ok', 'paused', 'noacpi', 'pausedNoacpi'] as const;
    const b = await cluster([vm('ok', 'Manual'), vm('paused', 'Manual'), vm('noacpi', 'Manual', { acpi: false }), vm('pausedNoacpi', 'Manual', { acpi: false })], {
      nodes: [node('node-a', { cpu: '8', memory: '16Gi' })],
      core: { cluster: { evictionStrategy: 'None' } },
    });
    for (const n of names) await verb(b, { verb: 'start', name: n });
    await verb(b, { verb: 'pause', name: 'paused' });
    await verb(b, { verb: 'pause', name: 'pausedNoacpi' });
    expect(await fault(b, { fault: 'drainNode', node: 'node-a' })).toEqual(OK);
    const o = await b.observe();
    expect(names.map((n) => o.vmis[n]!.phase)).toEqual(['Succeeded', 'Failed', 'Succeeded', 'Succeeded']);
  });

  it('R-G4 acpiShutdown is ignored by a paused guest; in-guest actions on a paused guest → 409', async () => {
    const b = await cluster([vm('v', 'Manual')]);
    await verb(b, { verb: 'start', name: 'v' });
    await verb(b, { verb: 'pause', name: 'v' });
    expect(await guest(b, { action: 'acpiShutdown', vmi: 'v' })).toEqual(OK);
    expect((await b.observe()).vmis.v!.phase).toBe('Running');
    expect(await guest(b, { action: 'poweroff', vmi: 'v' })).toEqual(err(409, 'VMI is paused'));
  });

  it('R-G4 a guest with nothing to boot: domain Running, no boot id or agent, in-guest poweroff ignored, eviction ends by grace expiry', async () => {
    const blank = vm('blank', 'Manual', { image: 'vmconform/guest-kernel:latest' });
    blank.spec.template.spec.evictionStrategy = 'None';
    const b = await cluster([blank], { nodes: [node('node-a')] });
    await verb(b, { verb: 'start', name: 'blank' });
    let o = await b.observe();
    expect(o.vmis.blank).toMatchObject({ phase: 'Running', bootId: null });
    expect(o.vmis.blank!.conditions.AgentConnected).toBeUndefined();
    expect(await guest(b, { action: 'poweroff', vmi: 'blank' })).toEqual(OK);
    expect((await b.observe()).vmis.blank!.phase).toBe('Running');
    await fault(b, { fault: 'drainNode', node: 'node-a' });
    o = await b.observe();
    expect(o.vmis.blank!.phase).toBe('Failed');
  });

  it('R-G5 node loss: its VMIs Failed, node NotReady, Always restarts elsewhere', async () => {
    const b = await cluster([vm('a', 'Always'), vm('m', 'Manual')]);
    await verb(b, { verb: 'start', name: 'm' });
    const o1 = await b.observe();
    const lost = o1.vmis.a!.node!;
    expect(await fault(b, { fault: 'nodeLoss', node: lost })).toEqual(OK);
    const o2 = await b.observe();
    expect(o2.nodes[lost]!.ready).toBe(false);
    expect(o2.vmis.a).toMatchObject({ phase: 'Running' });
    expect(o2.vmis.a!.node).not.toBe(lost);
    if (o1.vmis.m!.node === lost) expect(o2.vmis.m!.phase).toBe('Failed');
  });
});

describe('§5 VMI phases and conditions', () => {
  it('R-P1 unschedulable VMI stays Scheduling with PodScheduled False/Unschedulable', async () => {
    const b = await cluster([vm('big', 'Always', { memory: '64Gi' })]);
    const o = await b.observe();
    expect(o.vmis.big).toMatchObject({ phase: 'Scheduling', node: null, conditions: { PodScheduled: { status: 'False', reason: 'Unschedulable' } } });
    expect(status(o, 'big')).toBe('ErrorUnschedulable');
  });

  it('R-P2 conditions: AgentConnected present only when connected; LiveMigratable with reason', async () => {
    const b = await cluster([
      storageClass('local', true),
      pvc('data', 'local'),
      vm('rwo', 'Always', { volumes: [{ volume: { name: 'data', persistentVolumeClaim: { claimName: 'data' } } }] }),
      vm('podbridge', 'Always', { interfaces: [{ name: 'default', bridge: {} }], networks: [{ name: 'default', pod: {} }] }),
      vm('plain', 'Always'),
    ]);
    const o = await b.observe();
    expect(o.vmis.plain!.conditions).toEqual({ Ready: { status: 'True' }, AgentConnected: { status: 'True' }, LiveMigratable: { status: 'True' } });
    expect(o.vmis.rwo!.conditions.LiveMigratable).toEqual({ status: 'False', reason: 'DisksNotLiveMigratable' });
    expect(o.vmis.podbridge!.conditions.LiveMigratable).toEqual({ status: 'False', reason: 'InterfaceNotLiveMigratable' });
    expect(o.vms.rwo!.conditions.LiveMigratable).toEqual({ status: 'False', reason: 'DisksNotLiveMigratable' });
  });
});

describe('§5 condition reasons', () => {
  // KubeVirt pkg/virt-controller/watch/vmi/lifecycle.go syncReadyConditionFromPod (Ready reasons) and updateStatus
  // (a missing PVC: PodScheduled False/Unschedulable); pkg/virt-handler/vm.go vmiContainsNonMigratablePCIHostDevices.
  it('R-P2 Ready reasons PodNotExists / GuestNotRunning / PodTerminating; a missing PVC is PodScheduled False/Unschedulable', async () => {
    const b = await cluster([
      vm('nopvc', 'Always', { volumes: [{ volume: { name: 'data', persistentVolumeClaim: { claimName: 'absent' } } }] }),
      vm('big', 'Always', { memory: '64Gi' }),
      vm('done', 'Manual'),
    ]);
    await verb(b, { verb: 'start', name: 'done' });
    await guest(b, { action: 'poweroff', vmi: 'done' });
    const o = await b.observe();
    expect(o.vmis.nopvc!.conditions).toEqual({
      Ready: { status: 'False', reason: 'PodNotExists' },
      PodScheduled: { status: 'False', reason: 'Unschedulable' },
      Synchronized: { status: 'False', reason: 'FailedPvcNotFound' },
    });
    expect(o.vmis.big!.conditions.Ready).toEqual({ status: 'False', reason: 'GuestNotRunning' });
    expect(o.vmis.done!.conditions).toEqual({ Ready: { status: 'False', reason: 'PodTerminating' } });
  });

  it('R-M1 a VMI with a generic PCI host device is not live-migratable: HostDeviceNotLiveMigratable', async () => {
    const gates: KubeObject = {
      apiVersion: 'vmconform.io/v1',
      kind: 'ClusterConfig',
      metadata: { name: 'default' },
      spec: { configuration: { developerConfiguration: { featureGates: ['HostDevices'] } } },
    } as unknown as KubeObject;
    const withDevice = vm('hd', 'Always');
    (withDevice.spec.template.spec.domain.devices as Record<string, unknown>).hostDevices = [{ name: 'dev1', deviceName: 'vendor.com/dev' }];
    const b = await cluster([gates, withDevice]);
    const o = await b.observe();
    expect(o.vmis.hd!.conditions.LiveMigratable).toEqual({ status: 'False', reason: 'HostDeviceNotLiveMigratable' });
  });
});

describe('§6 VM status', () => {
  it('R-VS created/ready and the VM Ready condition', async () => {
    const b = await cluster([vm('on', 'Always'), vm('off', 'Halted')]);
    const o = await b.observe();
    expect(o.vms.on).toMatchObject({ created: true, ready: true, conditions: { Ready: { status: 'True' } } });
    expect(o.vms.off).toMatchObject({ created: false, ready: false, conditions: { Ready: { status: 'False', reason: 'VMINotExists' } } });
  });

  it('R-PS deleting a VM shows Terminating only while its VMI is torn down, then it is gone', async () => {
    const b = await cluster([vm('v', 'Always')]);
    expect(await b.delete({ kind: 'VirtualMachine', name: 'v' })).toEqual(OK);
    expect(status(await b.observe(), 'v')).toBe('Terminating');
    await b.settle(1000);
    const o = await b.observe();
    expect(o.vms.v).toBeUndefined();
    expect(o.vmis.v).toBeUndefined();
  });

  it('R-PS Stopping while a stop is in flight', async () => {
    const b = await cluster([vm('v', 'Always')]);
    await b.vm({ verb: 'stop', name: 'v' });
    expect(status(await b.observe(), 'v')).toBe('Stopping');
  });
});

describe('§7 live migration', () => {
  const rwx = [storageClass('shared', false), pvc('shared-data', 'shared', 'ReadWriteMany')];
  it('R-M1 RWO PVC → 500 DisksNotLiveMigratable; RWX migrates', async () => {
    const b = await cluster([
      storageClass('local', true),
      pvc('d', 'local'),
      ...rwx,
      vm('rwo', 'Always', { volumes: [{ volume: { name: 'd', persistentVolumeClaim: { claimName: 'd' } } }] }),
      vm('rwx', 'Always', { volumes: [{ volume: { name: 'shared-data', persistentVolumeClaim: { claimName: 'shared-data' } } }] }),
    ]);
    const r = await verb(b, { verb: 'migrate', name: 'rwo' });
    expect(r).toEqual(
      err(
        500,
        'Internal error occurred: admission webhook "migration-create-validator.kubevirt.io" denied the request: Cannot migrate VMI, Reason: DisksNotLiveMigratable, Message: cannot migrate VMI: PVC d is not shared, live migration requires that all PVCs must be shared (using ReadWriteMany access mode)',
      ),
    );
    expect(await verb(b, { verb: 'migrate', name: 'rwx' })).toEqual(OK);
    expect((await b.observe()).vmis.rwx!.migration).toMatchObject({ completed: true, failed: false });
  });

  it('R-M2 SR-IOV: the VF moves to the target; no free VF on the target → migration Failed, VMI stays', async () => {
    const nodes = [node('node-a', { cpu: '8', memory: '16Gi', 'intel.com/vf': '2' }), node('node-b', { cpu: '8', memory: '16Gi', 'intel.com/vf': '1' })];
    const sriov = (name: string) =>
      vm(name, 'Always', {
        interfaces: [{ name: 'default', masquerade: {} }, { name: 'fast', sriov: {} }],
        networks: [{ name: 'default', pod: {} }, { name: 'fast', multus: { networkName: 'sriov-net' } }],
      });
    const b = await cluster([sriovNad('sriov-net', 'intel.com/vf'), sriov('s1'), sriov('s2')], { nodes });
    let o = await b.observe();
    expect([o.vmis.s1!.node, o.vmis.s2!.node]).toEqual(['node-a', 'node-b']);
    expect(await verb(b, { verb: 'migrate', name: 's2' })).toEqual(OK);
    o = await b.observe();
    expect(o.vmis.s2!.node).toBe('node-a');
    expect(o.nodes['node-a']!.vfsInUse).toEqual({ 'intel.com/vf': 2 });
    expect(o.nodes['node-b']!.vfsInUse).toEqual({ 'intel.com/vf': 0 });
    await b.apply(sriov('s3'));
    await b.settle(1000);
    expect(await verb(b, { verb: 'migrate', name: 's3' })).toEqual(OK);
    o = await b.observe();
    expect(o.vmis.s3!.node).toBe('node-b');
    expect(o.migrations[migrationName(o, 's3')]!.phase).toBe('Failed');
  });

  it('R-M3 no other Ready node → migration Failed, VMI Running on the source', async () => {
    const b = await cluster([vm('v', 'Always')], { nodes: [node('only')] });
    expect(await verb(b, { verb: 'migrate', name: 'v' })).toEqual(OK);
    const o = await b.observe();
    expect(o.migrations[migrationName(o, 'v')]!.phase).toBe('Failed');
    expect(o.vmis.v).toMatchObject({ phase: 'Running', node: 'only' });
  });

  it('R-M6 drain: migratable VMIs leave, a non-migratable LiveMigrate VMI blocks, None shuts down and the VM reacts', async () => {
    const podBridge = { interfaces: [{ name: 'default', bridge: {} }], networks: [{ name: 'default', pod: {} }] };
    const none = (n: string, s: RunStrategy) => {
      const v = vm(n, s);
      v.spec.template.spec.evictionStrategy = 'None';
      return v;
    };
    const b = await cluster([vm('mig', 'Always'), vm('stuck', 'Always', podBridge), none('evicted', 'Always'), none('manual', 'Manual')], {
      nodes: [node('node-a')],
    });
    await verb(b, { verb: 'start', name: 'manual' });
    await b.apply(node('node-b'));
    expect(await fault(b, { fault: 'drainNode', node: 'node-a' })).toEqual(OK);
    let o = await b.observe();
    expect(o.vmis.mig!.node).toBe('node-b');
    expect(o.vmis.stuck!.node).toBe('node-a');
    expect(o.vmis.evicted).toMatchObject({ node: 'node-b', phase: 'Running' });
    expect(o.vmis.manual!.phase).toBe('Succeeded');
    expect(await fault(b, { fault: 'uncordonNode', node: 'node-a' })).toEqual(OK);
    await b.apply(vm('late', 'Always'));
    await b.settle(1000);
    o = await b.observe();
    expect(o.vmis.late!.node).toBe('node-a');
    expect(await fault(b, { fault: 'drainNode', node: 'nope' })).toEqual(err(404));
  });
});

describe('§8 networks', () => {
  const multus = (o: Partial<VmiSpecOptions> = {}, mac?: string): VmiSpecOptions => ({
    interfaces: [{ name: 'default', masquerade: {} }, { name: 'data', bridge: {}, ...(mac ? { macAddress: mac } : {}) }],
    networks: [{ name: 'default', pod: {} }, { name: 'data', multus: { networkName: 'data-net' } }],
    ...o,
  });

  it('R-N1 masquerade pod NIC: guest 10.0.2.2', async () => {
    const b = await cluster([vm('v', 'Always')]);
    expect((await b.observe()).vmis.v!.interfaces).toEqual([{ name: 'default', mac: expect.stringMatching(/^52:54:00:/), macSource: 'generated', ipv4: '10.0.2.2', model: 'virtio' }]);
  });

  // host-local (containernetworking/plugins allocator): the gateway .1 is never handed out, the first address is .2
  it('R-N2 bridge NAD: lowest free IPs from .2, reachability on the segment, release on VMI end; missing NAD keeps the VMI Pending', async () => {
    const b = await cluster([bridgeNad('data-net', '192.168.50.0/24'), vm('a', 'Manual', multus()), vm('b', 'Always', multus())]);
    await verb(b, { verb: 'start', name: 'a' });
    let o = await b.observe();
    expect(o.vmis.b!.interfaces[1]!.ipv4).toBe('192.168.50.2');
    expect(o.vmis.a!.interfaces[1]!.ipv4).toBe('192.168.50.3');
    expect(o.vmis.a!.reachable).toEqual({ 'data-net': ['b'] });
    await guest(b, { action: 'poweroff', vmi: 'b' }); // Always: new VMI, old IP released first
    o = await b.observe();
    expect(o.vmis.b!.interfaces[1]!.ipv4).toBe('192.168.50.2');
    const c = await cluster([vm('x', 'Always', multus())]);
    o = await c.observe();
    expect(o.vmis.x).toMatchObject({ phase: 'Pending', conditions: { Synchronized: { status: 'False', reason: 'FailedCreate' } } });
    expect(status(o, 'x')).toBe('Starting');
    await c.apply(bridgeNad('data-net'));
    await c.settle(1000);
    expect(status(await c.observe(), 'x')).toBe('Running');
  });

  it('R-N3 SR-IOV: no free VF anywhere → Scheduling, PodScheduled False/Unschedulable, ErrorUnschedulable', async () => {
    const nodes = [node('node-a', { cpu: '8', memory: '16Gi', 'intel.com/vf': '1' })];
    const s = (n: string) =>
      vm(n, 'Always', { interfaces: [{ name: 'fast', sriov: {} }], networks: [{ name: 'fast', multus: { networkName: 'sriov-net' } }] });
    const b = await cluster([sriovNad('sriov-net', 'intel.com/vf'), s('s1'), s('s2')], { nodes });
    let o = await b.observe();
    expect(status(o, 's1')).toBe('Running');
    expect(status(o, 's2')).toBe('ErrorUnschedulable');
    expect(o.vmis.s2!.conditions.PodScheduled).toEqual({ status: 'False', reason: 'Unschedulable' });
    await verb(b, { verb: 'stop', name: 's1' }); // VF released: s2 gets it
    o = await b.observe();
    expect(status(o, 's2')).toBe('Running');
    expect(o.nodes['node-a']!.vfsInUse).toEqual({ 'intel.com/vf': 1 });
  });

  it('R-N4 spec MAC verbatim across restart; generated MAC stable across reset and migration, new on restart', async () => {
    const b = await cluster([bridgeNad('data-net'), vm('v', 'Always', multus({}, '02:00:00:00:10:01'))]);
    const mac = async () => (await b.observe()).vmis.v!.interfaces.map((i) => i.mac);
    const m0 = await mac();
    expect(m0[1]).toBe('02:00:00:00:10:01');
    await guest(b, { action: 'reset', vmi: 'v' });
    expect(await mac()).toEqual(m0);
    await verb(b, { verb: 'migrate', name: 'v' });
    expect(await mac()).toEqual(m0);
    await verb(b, { verb: 'restart', name: 'v' });
    const m1 = await mac();
    expect(m1[1]).toBe('02:00:00:00:10:01');
    expect(m1[0]).not.toBe(m0[0]);
  });
});

describe('§9 storage', () => {
  const withPvc = (claim: string, name = 'data') => ({ volumes: [{ volume: { name, persistentVolumeClaim: { claimName: claim } }, disk: { serial: 'DATA1' } }] });

  it('R-S1 PVC data survives restart; missing PVC → ErrorPvcNotFound until it appears', async () => {
    const b = await cluster([storageClass('shared', false), pvc('d', 'shared', 'ReadWriteMany'), vm('v', 'Always', withPvc('d'))]);
    expect(await guest(b, { action: 'writeData', vmi: 'v', disk: 'data', token: 'T1' })).toEqual(OK);
    await verb(b, { verb: 'restart', name: 'v' });
    let o = await b.observe();
    expect(o.vmis.v!.disks.find((d) => d.name === 'data')).toEqual({ name: 'data', serial: 'DATA1', sizeBytes: 1024 ** 3, token: 'T1', bus: 'virtio' });
    const c = await cluster([storageClass('shared', false), vm('w', 'Always', withPvc('late'))]);
    o = await c.observe();
    expect(status(o, 'w')).toBe('ErrorPvcNotFound');
    expect(o.vmis.w!.conditions.Synchronized).toEqual({ status: 'False', reason: 'FailedPvcNotFound' });
    await c.apply(pvc('late', 'shared'));
    await c.settle(1000);
    expect(status(await c.observe(), 'w')).toBe('Running');
  });

  it('R-S1 WaitForFirstConsumer binds to the chosen node; a local volume pins the VMI to it', async () => {
    const b = await cluster([storageClass('wffc', true, true), pvc('d', 'wffc'), vm('x', 'Always'), vm('v', 'Always', withPvc('d'))]);
    let o = await b.observe();
    expect(o.pvcs.d).toEqual({ phase: 'Bound', node: 'node-b', sizeBytes: 1024 ** 3 });
    expect(o.vmis.v!.node).toBe('node-b');
    await b.apply(vm('y', 'Always'));
    await b.apply(vm('z', 'Always'));
    await b.settle(1000);
    await verb(b, { verb: 'restart', name: 'v' }); // node-b now has more VMIs, but the volume pins v there
    o = await b.observe();
    expect(o.vmis.v!.node).toBe('node-b');
  });

  it('R-S1 unbound PVC while set to start → WaitingForVolumeBinding', async () => {
    const b = await cluster([pvc('d', 'no-such-class'), vm('v', 'Always', withPvc('d'))]);
    expect(status(await b.observe(), 'v')).toBe('WaitingForVolumeBinding');
  });

  // KubeVirt vm.go isVirtualMachineStatusWaitingForVolumeBinding → isSetToStart: Manual with a VMI and no stop request
  // for it is set to start, even when that VMI ended.
  it('R-PS Manual VM with an ended VMI and an unbound PVC → WaitingForVolumeBinding', async () => {
    const b = await cluster([storageClass('local', true, true), pvc('d', 'local'), vm('v', 'Manual', withPvc('d'))]);
    expect(await verb(b, { verb: 'start', name: 'v' })).toEqual(OK);
    expect(await guest(b, { action: 'poweroff', vmi: 'v' })).toEqual(OK);
    expect((await b.observe()).vms.v).toMatchObject({ printableStatus: 'Stopped', created: true });
    // the claim goes and comes back unbound (WaitForFirstConsumer, no consumer yet)
    await settled(b, b.delete({ kind: 'PersistentVolumeClaim', name: 'd' }));
    await settled(b, b.apply(pvc('d', 'local')));
    const o = await b.observe();
    expect(o.pvcs.d!.phase).toBe('Pending');
    expect(o.vms.v).toMatchObject({ printableStatus: 'WaitingForVolumeBinding', created: true });
  });

  it('R-S2 dataVolumeTemplates clone a DataSource golden image; the clone is independent; unknown registry image → DataVolumeError', async () => {
    const golden: DataVolume = {
      apiVersion: 'cdi.kubevirt.io/v1beta1',
      kind: 'DataVolume',
      metadata: { name: 'golden' },
      spec: { source: { registry: { url: 'docker://vmconform/guest:latest' } }, storage: { storageClassName: 'shared', accessModes: ['ReadWriteMany'], resources: { requests: { storage: '64Mi' } } } },
    };
    const ds: DataSource = { apiVersion: 'cdi.kubevirt.io/v1beta1', kind: 'DataSource', metadata: { name: 'guest' }, spec: { source: { pvc: { name: 'golden' } } } };
    const withDv = (n: string, dv: DataVolume['spec']): VirtualMachine => {
      const v = vm(n, 'Always', { volumes: [{ volume: { name: 'root2', dataVolume: { name: `${n}-root` } } }] });
      v.spec.dataVolumeTemplates = [{ metadata: { name: `${n}-root` }, spec: dv }];
      return v;
    };
    const b = await cluster([storageClass('shared', false), golden, ds]);
    const writer = vm('writer', 'Manual', { volumes: [{ volume: { name: 'g', persistentVolumeClaim: { claimName: 'golden' } } }] });
    await b.apply(writer);
    await verb(b, { verb: 'start', name: 'writer' });
    await guest(b, { action: 'writeData', vmi: 'writer', disk: 'g', token: 'GOLD' });
    await verb(b, { verb: 'stop', name: 'writer' });
    await b.apply(withDv('c', { sourceRef: { kind: 'DataSource', name: 'guest' }, storage: { storageClassName: 'shared', accessModes: ['ReadWriteMany'] } }));
    await b.apply(withDv('bad', { source: { registry: { url: 'docker://nope/missing:1' } }, storage: { storageClassName: 'shared' } }));
    await b.settle(1000);
    let o = await b.observe();
    expect(status(o, 'c')).toBe('Running');
    expect(o.vmis.c!.disks.find((d) => d.name === 'root2')!.token).toBe('GOLD');
    expect(status(o, 'bad')).toBe('DataVolumeError');
    await guest(b, { action: 'writeData', vmi: 'c', disk: 'root2', token: 'MINE' });
    await verb(b, { verb: 'start', name: 'writer' });
    o = await b.observe();
    expect(o.vmis.writer!.disks.find((d) => d.name === 'g')!.token).toBe('GOLD');
    // A missing DataSource keeps the DV provisioning, even for a Halted VM
    const h = withDv('h', { sourceRef: { kind: 'DataSource', name: 'absent' }, storage: { storageClassName: 'shared' } });
    h.spec.runStrategy = 'Halted';
    await b.apply(h);
    await b.settle(1000);
    expect(status(await b.observe(), 'h')).toBe('Provisioning');
  });

  it.each<[string, 'containerDisk' | 'emptyDisk', 'reset' | 'reboot' | 'migrate' | 'restart', string | null]>([
    ['R-S3', 'containerDisk', 'reset', 'T'],
    ['R-S3', 'containerDisk', 'migrate', 'T'],
    ['R-S3', 'containerDisk', 'restart', null],
    ['R-S4', 'emptyDisk', 'reboot', 'T'],
    ['R-S4', 'emptyDisk', 'restart', null],
  ])('%s %s token after %s: %s', async (_id, kind, what, expected) => {
    const volume = kind === 'containerDisk' ? { name: 'x', containerDisk: { image: 'vmconform/guest-raw:latest' } } : { name: 'x', emptyDisk: { capacity: '16Mi' } };
    const b = await cluster([vm('v', 'Always', { volumes: [{ volume }] })]);
    await guest(b, { action: 'writeData', vmi: 'v', disk: 'x', token: 'T' });
    if (what === 'migrate' || what === 'restart') await verb(b, { verb: what, name: 'v' });
    else await guest(b, { action: what, vmi: 'v' });
    expect((await b.observe()).vmis.v!.disks.find((d) => d.name === 'x')!.token).toBe(expected);
  });

  it('R-S5 config disks are read-only ISOs: a write leaves no token, no size', async () => {
    const cm: KubeObject = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'cfg' }, data: { a: 'b' } };
    const b = await cluster([cm, vm('v', 'Always', { volumes: [{ volume: { name: 'cfg', configMap: { name: 'cfg' } }, disk: { serial: 'CFG' } }] })]);
    await guest(b, { action: 'writeData', vmi: 'v', disk: 'cfg', token: 'T' });
    expect((await b.observe()).vmis.v!.disks.find((d) => d.name === 'cfg')).toEqual({ name: 'cfg', serial: 'CFG', sizeBytes: null, token: null, bus: 'virtio' });
  });

  it('R-S6 serial as given, null when unset; writeData to an unknown disk → 400', async () => {
    const b = await cluster([vm('v', 'Always', { volumes: [{ volume: { name: 'e', emptyDisk: { capacity: '8Mi' } }, disk: { serial: 'S-E' } }] })]);
    const o = await b.observe();
    expect(o.vmis.v!.disks.map((d) => d.serial)).toEqual([null, 'S-E']);
    expect(await guest(b, { action: 'writeData', vmi: 'v', disk: 'zz', token: 'T' })).toEqual(err(400));
  });

  // KubeVirt pkg/ephemeral-disk/ephemeral-disk.go CreateBackedImageForVolume: a copy-on-write overlay on the PVC
  it('R-S4 ephemeral: the guest reads the PVC, its writes survive a reboot but not a new VMI, and never reach the PVC', async () => {
    const eph = { volumes: [{ volume: { name: 'e', ephemeral: { persistentVolumeClaim: { claimName: 'd' } } }, disk: { serial: 'EPH' } }] };
    const b = await cluster([storageClass('shared', false), pvc('d', 'shared', 'ReadWriteMany'), vm('w', 'Manual', withPvc('d')), vm('v', 'Manual', eph)]);
    // the PVC's content first (written by a VM that uses it directly), then the ephemeral user
    await verb(b, { verb: 'start', name: 'w' });
    expect(await guest(b, { action: 'writeData', vmi: 'w', disk: 'data', token: 'P' })).toEqual(OK);
    await verb(b, { verb: 'stop', name: 'w' });
    await verb(b, { verb: 'start', name: 'v' });
    const tokenOf = (o: Observation, n: string, disk: string) => o.vmis[n]!.disks.find((d) => d.name === disk)!.token;
    expect(tokenOf(await b.observe(), 'v', 'e')).toBe('P');
    expect(await guest(b, { action: 'writeData', vmi: 'v', disk: 'e', token: 'T' })).toEqual(OK);
    await guest(b, { action: 'reboot', vmi: 'v' });
    expect(tokenOf(await b.observe(), 'v', 'e')).toBe('T');
    await verb(b, { verb: 'restart', name: 'v' });
    await verb(b, { verb: 'start', name: 'w' });
    let o = await b.observe();
    expect(tokenOf(o, 'w', 'data')).toBe('P');
    o = await b.observe();
    expect(tokenOf(o, 'v', 'e')).toBe('P');
  });

  // KubeVirt pkg/emptydisk/emptydisk.go CreateTemporaryDisks (AlignImageSizeTo1MiB; "the size for volume … is too low")
  it('R-S4 an emptyDisk image is its capacity aligned down to 1 MiB; below 1 MiB the VMI fails to start', async () => {
    const b = await cluster([
      vm('v', 'Always', { volumes: [{ volume: { name: 'e', emptyDisk: { capacity: '5000Ki' } } }] }),
      vm('tiny', 'Once', { volumes: [{ volume: { name: 'e', emptyDisk: { capacity: '1000Ki' } } }] }),
    ]);
    const o = await b.observe();
    expect(o.vmis.v!.disks.find((d) => d.name === 'e')!.sizeBytes).toBe(4 * 1024 * 1024);
    expect(o.vmis.tiny!.phase).toBe('Failed');
  });

  it('ErrImagePull: containerDisk not in the catalogue → VMI Pending, Synchronized False/ErrImagePull', async () => {
    const b = await cluster([vm('v', 'Always', { image: 'quay.io/nope:1' })]);
    const o = await b.observe();
    expect(status(o, 'v')).toBe('ErrImagePull');
    expect(o.vmis.v).toMatchObject({ phase: 'Pending', conditions: { Synchronized: { status: 'False', reason: 'ErrImagePull' } } });
  });
});

describe('§10 instance types', () => {
  it('R-I1 instancetype fills vCPU and memory; a missing one is an admission error', async () => {
    const it1: VirtualMachineClusterInstancetype = {
      apiVersion: 'instancetype.kubevirt.io/v1beta1',
      kind: 'VirtualMachineClusterInstancetype',
      metadata: { name: 'small' },
      spec: { cpu: { guest: 2 }, memory: { guest: '1Gi' } },
    };
    const mk = (it: string): VirtualMachine => {
      const v = vm('v', 'Always');
      delete v.spec.template.spec.domain.cpu;
      delete v.spec.template.spec.domain.memory;
      v.spec.instancetype = { name: it };
      return v;
    };
    const b = await cluster([it1]);
    const r = await b.apply(mk('absent'));
    expect(r).toMatchObject({ ok: false, code: 422 });
    if (!r.ok) expect(r.message).toContain('"absent" not found');
    expect(await b.apply(mk('small'))).toEqual(OK);
    await b.settle(1000);
    expect((await b.observe()).vmis.v).toMatchObject({ memoryMiB: 1024, vcpus: 2 });
  });
});

describe('§11 standalone VMI', () => {
  it('R-SA1 never restarted; VM verbs 404; pause, reset and migrate apply', async () => {
    const b = await cluster([vmi('solo')]);
    expect(await verb(b, { verb: 'start', name: 'solo' })).toEqual(err(404, 'virtualmachine.kubevirt.io "solo" not found'));
    expect(await verb(b, { verb: 'restart', name: 'solo' })).toEqual(err(404));
    expect(await verb(b, { verb: 'pause', name: 'nothing' })).toEqual(err(404, 'virtualmachineinstance.kubevirt.io "nothing" not found'));
    expect(await verb(b, { verb: 'pause', name: 'solo' })).toEqual(OK);
    expect(await verb(b, { verb: 'unpause', name: 'solo' })).toEqual(OK);
    expect(await guest(b, { action: 'reset', vmi: 'solo' })).toEqual(OK);
    expect(await verb(b, { verb: 'migrate', name: 'solo' })).toEqual(OK);
    let o = await b.observe();
    expect(o.vmis.solo).toMatchObject({ owner: 'standalone', phase: 'Running', node: 'node-b' });
    await guest(b, { action: 'poweroff', vmi: 'solo' });
    o = await b.observe();
    expect(o.vmis.solo!.phase).toBe('Succeeded');
    expect(Object.keys(o.vms)).toEqual([]);
  });
});

describe('scheduler (backends/contract.ts rule)', () => {
  it('fewest active VMIs, ties by node name; Ready nodes only; capacity for the launcher pods\' requests (R-SC1)', async () => {
    const b = await cluster([vm('a', 'Always'), vm('b', 'Always'), vm('c', 'Always', { memory: '15Gi' })], {
      nodes: [node('n2', { cpu: '4', memory: '16Gi' }), node('n1', { cpu: '4', memory: '16Gi' }), node('n0', { cpu: '64', memory: '64Gi' }, false)],
    });
    const o = await b.observe();
    expect([o.vmis.a!.node, o.vmis.b!.node]).toEqual(['n1', 'n2']);
    expect(o.vmis.c!.node).toBe('n1');
  });
});

// R-SC1: the scheduler fits the launcher pod's requests (renderresources.go WithoutDedicatedCPU,
// WithMemoryOverhead; hypervisorbackend.go GetMemoryOverhead), not the guest's vCPUs and memory.
/** The scheduler's words on the VMI (observations compare reasons, not messages). */
async function podScheduledMessage(b: B, vmiName: string): Promise<string | undefined> {
  const v = (await b.list('VirtualMachineInstance')).find((x) => x.metadata.name === vmiName);
  return (v?.status as { conditions?: { type: string; message?: string }[] } | undefined)?.conditions?.find((c) => c.type === 'PodScheduled')?.message;
}

describe('R-SC1 launcher pod requests', () => {
  it('the guest memory alone fills the node: the launcher overhead does not fit → ErrorUnschedulable, Insufficient memory', async () => {
    const b = await cluster([vm('v', 'Always', { memory: '2Gi' })], { nodes: [node('n1', { cpu: '4', memory: '2Gi' })] });
    const o = await b.observe();
    expect(status(o, 'v')).toBe('ErrorUnschedulable');
    expect(o.vmis.v!.conditions.PodScheduled).toMatchObject({ status: 'False', reason: 'Unschedulable' });
    expect(await podScheduledMessage(b, 'v')).toContain('Insufficient memory');
  });

  it('a vCPU asks for a tenth of a node cpu: a 4-vCPU VM runs on a 1-cpu node', async () => {
    const b = await cluster([vm('v', 'Always', { cpu: 4 })], { nodes: [node('n1', { cpu: '1', memory: '4Gi' })] });
    expect((await b.observe()).vmis.v).toMatchObject({ phase: 'Running', node: 'n1' });
  });

  it('a cpu request in the spec is asked in full: requests.cpu 2 does not fit a 1-cpu node', async () => {
    const v = vm('v', 'Always');
    v.spec.template.spec.domain.resources = { requests: { cpu: '2' } };
    const b = await cluster([v], { nodes: [node('n1', { cpu: '1', memory: '4Gi' })] });
    const o = await b.observe();
    expect(status(o, 'v')).toBe('ErrorUnschedulable');
    expect(await podScheduledMessage(b, 'v')).toContain('Insufficient cpu');
  });

  it('cpuAllocationRatio in the ClusterConfig: ratio 1 asks one cpu per vCPU', async () => {
    const config = { apiVersion: 'vmconform.io/v1', kind: 'ClusterConfig', metadata: { name: 'cluster' }, spec: { configuration: { developerConfiguration: { cpuAllocationRatio: 1 } } } } as KubeObject;
    const b = await cluster([config, vm('v', 'Always', { cpu: 2 })], { nodes: [node('n1', { cpu: '1', memory: '4Gi' })] });
    expect(status(await b.observe(), 'v')).toBe('ErrorUnschedulable');
  });
});
