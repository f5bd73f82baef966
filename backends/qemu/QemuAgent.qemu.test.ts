import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { LaunchSpec } from '../../harness/cluster/agent.ts';
import { agentHarness, type AgentHarness } from './testing/agentHarness.ts';
import { testSpec } from './testing/bootGuest.ts';

let h: AgentHarness | null = null;
afterEach(async () => {
  await h?.dispose();
  h = null;
});

const MiB = 1024 * 1024;

function specWithDisk(over: Partial<LaunchSpec> = {}): LaunchSpec {
  return testSpec({
    disks: [{ name: 'data', serial: 'DATA-1', bus: 'virtio', cdrom: false, readonly: false, bootOrder: null, source: { kind: 'emptyDisk', sizeBytes: 16 * MiB } }],
    ...over,
  });
}

describe('QemuAgent against real QEMU (TCG)', () => {
  it('launch → running → agentConnected → facts from the guest → writeData → ACPI stop → exited guestShutdown (R-G1, R-G4)', async () => {
    h = await agentHarness();
    const scsi = { name: 'scsi', serial: 'DATA-2', bus: 'scsi' as const, cdrom: false, readonly: false, bootOrder: null, source: { kind: 'emptyDisk' as const, sizeBytes: 8 * MiB } };
    const base = specWithDisk();
    // 2 sockets and 384 MiB, a virtio and a SCSI disk: the guest's own view of each (docs/spec.md §13)
    const spec = { ...base, vcpus: 2, cpu: { sockets: 2, cores: 1, threads: 1 }, memoryMiB: 384, disks: [...base.disks, scsi] };
    h.agent.perform({ type: 'launch', spec });
    await h.waitFor((e) => e.type === 'running');
    await h.waitFor((e) => e.type === 'agentConnected' && e.connected);
    await h.settle();

    const facts = (await h.agent.observeGuests([spec]))[spec.uid]!;
    expect(facts.bootId).toMatch(/^[0-9a-f-]{36}$/);
    expect([facts.memoryMiB, facts.vcpus, facts.sockets]).toEqual([384, 2, 2]);
    expect(facts.disks).toEqual([
      { name: 'data', serial: 'DATA-1', sizeBytes: 16 * MiB, token: null, bus: 'virtio' },
      { name: 'scsi', serial: 'DATA-2', sizeBytes: 8 * MiB, token: null, bus: 'scsi' },
    ]);
    expect(facts.interfaces).toEqual([{ name: 'default', mac: '52:54:00:00:00:0a', macSource: 'generated', ipv4: '10.0.2.2', model: 'virtio' }]);

    h.agent.perform({ type: 'writeData', uid: spec.uid, disk: 'data', token: 'tok-1' });
    await h.settle();
    expect((await h.agent.observeGuests([spec]))[spec.uid]!.disks[0]!.token).toBe('tok-1');

    h.agent.perform({ type: 'shutdown', uid: spec.uid, graceSeconds: 20 });
    expect(await h.waitFor((e) => e.type === 'exited')).toEqual({ type: 'exited', uid: spec.uid, reason: 'guestShutdown' });
    await h.settle();
    expect(await h.agent.observeGuests([spec])).toEqual({});
    h.agent.perform({ type: 'cleanup', uid: spec.uid });
    await h.settle();
    expect(await readdir(join(h.stateDir, 'nodes', spec.node))).toEqual([]);
  }, 90_000);

  // libvirt qemuDomainShutdownFlags prefers the guest agent when it is connected (KubeVirt's graceful stop goes through
  // it: pkg/virt-handler/vm.go shutdownVMI); with ACPI off the power button would do nothing until the grace expired.
  it('the stop flow with ACPI off shuts the guest down through its agent (guest-shutdown) → exited guestShutdown (R-G4)', async () => {
    h = await agentHarness();
    const spec = testSpec({ acpi: false });
    h.agent.perform({ type: 'launch', spec });
    await h.waitFor((e) => e.type === 'agentConnected' && e.connected);
    await h.settle();
    // what the stop flow asks of QEMU (the real QMP client, recorded)
    const qmp = h.agent.launchers.get(spec.uid)!.proc.qmp;
    const sent: string[] = [];
    const execute = qmp.execute.bind(qmp);
    qmp.execute = ((command: string, ...rest: unknown[]) => (sent.push(command), (execute as (...a: unknown[]) => unknown)(command, ...rest))) as typeof qmp.execute;
    h.agent.perform({ type: 'shutdown', uid: spec.uid, graceSeconds: 30 });
    expect(await h.waitFor((e) => e.type === 'exited')).toEqual({ type: 'exited', uid: spec.uid, reason: 'guestShutdown' });
    expect(sent).not.toContain('system_powerdown');
    await h.settle();
    h.agent.perform({ type: 'cleanup', uid: spec.uid });
    await h.settle();
  }, 90_000);

  it('a guest whose firmware finds nothing to boot (a blank data disk first, R-G6) runs without an agent, and settle does not wait out the agent budget', async () => {
    h = await agentHarness();
    const spec = testSpec({
      boot: { kind: 'firmware' },
      disks: [
        { name: 'data', serial: null, bus: 'virtio', cdrom: false, readonly: false, bootOrder: 1, source: { kind: 'emptyDisk', sizeBytes: 16 * MiB } },
        { name: 'root', serial: null, bus: 'virtio', cdrom: false, readonly: false, bootOrder: 2, source: { kind: 'containerDisk', image: 'vmconform/guest:latest', format: 'qcow2' } },
      ],
    });
    const t0 = Date.now();
    h.agent.perform({ type: 'launch', spec });
    expect(await h.settle(40_000)).toEqual([{ type: 'running', uid: spec.uid }]); // before: in flight for the whole 60 s agent budget
    expect(Date.now() - t0).toBeLessThan(40_000);
    expect(h.agent.launchers.get(spec.uid)!.agentConnected).toBe(false);
    // A reset starts a new boot: it fails again, and is known again (the old log line does not count for it).
    h.agent.perform({ type: 'reset', uid: spec.uid });
    expect(await h.settle(40_000)).toEqual([]);
    expect(h.agent.launchers.get(spec.uid)!.ended).toBe(false);
    // No OS handles the ACPI power button: a soft reboot or an ACPI shutdown changes nothing, and
    // the step does not wait out the guest's 30 s reaction budget for it (before: 30 s each).
    for (const type of ['softReboot', 'acpiShutdown'] as const) {
      const t1 = Date.now();
      h.agent.perform({ type, uid: spec.uid });
      expect(await h.settle(40_000)).toEqual([]);
      expect(Date.now() - t1).toBeLessThan(15_000);
      expect(h.agent.launchers.get(spec.uid)!.ended).toBe(false);
    }
  }, 180_000);

  it('reset keeps the process, drops and regains the agent, and the guest boots again (R-G2); pause/unpause', async () => {
    h = await agentHarness();
    // Booted from its disk by the firmware: under TCG each reset scrubs the RAM the kernel decompresses into (qemuArgs.ts tcgResetScrubBytes).
    const spec = testSpec({
      boot: { kind: 'firmware' },
      disks: [{ name: 'root', serial: null, bus: 'virtio', cdrom: false, readonly: false, bootOrder: null, source: { kind: 'containerDisk', image: 'vmconform/guest:latest', format: 'qcow2' } }],
    });
    h.agent.perform({ type: 'launch', spec });
    await h.waitFor((e) => e.type === 'agentConnected' && e.connected);
    await h.settle();
    const pid = h.agent.launchers.get(spec.uid)!.proc.pid;
    const boot1 = (await h.agent.observeGuests([spec]))[spec.uid]!.bootId;

    h.agent.perform({ type: 'reset', uid: spec.uid });
    await h.waitFor((e) => e.type === 'agentConnected' && !e.connected);
    await h.waitFor((e) => e.type === 'agentConnected' && e.connected);
    await h.settle();
    expect(h.agent.launchers.get(spec.uid)!.proc.pid).toBe(pid);
    const boot2 = (await h.agent.observeGuests([spec]))[spec.uid]!.bootId;
    expect(boot2).toMatch(/^[0-9a-f-]{36}$/);
    expect(boot2).not.toBe(boot1);

    h.agent.perform({ type: 'pause', uid: spec.uid });
    expect(await h.settle()).toEqual([{ type: 'paused', uid: spec.uid, paused: true }]);
    const paused = (await h.agent.observeGuests([spec]))[spec.uid]!;
    expect(paused.bootId).toBeNull();
    expect(paused.interfaces[0]!.mac).toBe('52:54:00:00:00:0a');
    h.agent.perform({ type: 'unpause', uid: spec.uid });
    expect(await h.settle()).toEqual([{ type: 'paused', uid: spec.uid, paused: false }]);
    expect((await h.agent.observeGuests([spec]))[spec.uid]!.bootId).toBe(boot2);

    h.agent.perform({ type: 'shutdown', uid: spec.uid, graceSeconds: 0 });
    expect(await h.waitFor((e) => e.type === 'exited')).toEqual({ type: 'exited', uid: spec.uid, reason: 'destroyed' });
  }, 90_000);

  it('a QEMU that cannot start gives launchFailed naming the VMI and the cause, and leaves no files', async () => {
    h = await agentHarness({ binary: '/nonexistent/qemu-system-x86_64' });
    const spec = testSpec({ name: 'badvm' });
    h.agent.perform({ type: 'launch', spec });
    const ev = await h.waitFor((e) => e.type === 'launchFailed');
    expect(ev).toMatchObject({ type: 'launchFailed', uid: spec.uid });
    expect((ev as { message: string }).message).toMatch(/^vmi badvm: QEMU \(\/nonexistent\/qemu-system-x86_64\) failed to start: .*ENOENT/);
    await h.settle();
    expect(await readdir(join(h.stateDir, 'nodes', spec.node))).toEqual([]);
  });

  it('a disk image that is not in the catalogue gives launchFailed naming the VMI and the disk, and leaves no files', async () => {
    h = await agentHarness();
    const spec = testSpec({ name: 'noimage', disks: [{ name: 'root', serial: null, bus: 'virtio', cdrom: false, readonly: false, bootOrder: null, source: { kind: 'containerDisk', image: 'example/missing:1', format: 'qcow2' } }] });
    h.agent.perform({ type: 'launch', spec });
    const ev = await h.waitFor((e) => e.type === 'launchFailed');
    expect((ev as { message: string }).message).toMatch(/^vmi noimage: disk root: .*example\/missing:1/);
    await h.settle();
    expect(await readdir(join(h.stateDir, 'nodes', spec.node))).toEqual([]);
  });

  it('nodeLoss kills the launchers of that node only → exited killed (R-G5)', async () => {
    h = await agentHarness();
    const lost = testSpec({ uid: 'uid-lost', name: 'lost', startPaused: true });
    const kept = testSpec({ uid: 'uid-kept', name: 'kept', node: 'node02', startPaused: true });
    h.agent.perform({ type: 'launch', spec: lost });
    h.agent.perform({ type: 'launch', spec: kept });
    await h.settle();
    h.agent.perform({ type: 'nodeLoss', node: 'node01' });
    expect(await h.settle()).toEqual([{ type: 'exited', uid: 'uid-lost', reason: 'killed' }]);
    expect(h.agent.live('uid-kept')).toBeDefined();
  }, 60_000);
});
