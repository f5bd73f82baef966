import { afterEach, describe, expect, it } from 'vitest';
import type { AgentEvent, LaunchSpec } from '../../harness/cluster/agent.ts';
import { agentHarness, type AgentHarness } from './testing/agentHarness.ts';
import { testSpec } from './testing/bootGuest.ts';

let h: AgentHarness | null = null;
afterEach(async () => {
  await h?.dispose();
  h = null;
});

const two = (): [LaunchSpec, LaunchSpec] => [
  testSpec({ uid: 'uid-a', name: 'a', hostname: 'a' }),
  testSpec({ uid: 'uid-b', name: 'b', hostname: 'b', nics: [{ ...testSpec().nics[0]!, mac: '52:54:00:00:00:0b' }] }),
];

async function bootAll(harness: AgentHarness, specs: LaunchSpec[]): Promise<void> {
  for (const spec of specs) harness.agent.perform({ type: 'launch', spec });
  await harness.settle(); // each launch is in flight until its agent answers
  for (const spec of specs) expect(harness.events).toContainEqual({ type: 'agentConnected', uid: spec.uid, connected: true });
}

const exitOf = (harness: AgentHarness, uid: string): AgentEvent | undefined => harness.events.find((e) => e.type === 'exited' && e.uid === uid);

describe('guest and hypervisor operations on real QEMU (TCG)', () => {
  it('startPaused → running+paused without agent; unpause → agent; softReboot and guestReboot boot again (R-G2); guestPanic → panicked (R-G3)', async () => {
    h = await agentHarness();
    const spec = testSpec({ startPaused: true });
    h.agent.perform({ type: 'launch', spec });
    expect(await h.settle()).toEqual([{ type: 'running', uid: spec.uid }, { type: 'paused', uid: spec.uid, paused: true }]);
    const never = (await h.agent.observeGuests([spec]))[spec.uid]!;
    expect(never).toEqual({ bootId: null, interfaces: [{ name: 'default', mac: '52:54:00:00:00:0a', macSource: 'generated', ipv4: null, model: 'virtio' }], disks: [], memoryMiB: 256, vcpus: 1, sockets: 1 });

    h.agent.perform({ type: 'unpause', uid: spec.uid });
    await h.waitFor((e) => e.type === 'agentConnected' && e.connected);
    await h.settle();
    const boots = [(await h.agent.observeGuests([spec]))[spec.uid]!.bootId];
    for (const type of ['softReboot', 'guestReboot'] as const) {
      h.agent.perform({ type, uid: spec.uid });
      await h.waitFor((e) => e.type === 'agentConnected' && !e.connected);
      await h.waitFor((e) => e.type === 'agentConnected' && e.connected);
      await h.settle();
      boots.push((await h.agent.observeGuests([spec]))[spec.uid]!.bootId);
    }
    expect(new Set(boots).size).toBe(3);

    h.agent.perform({ type: 'guestPanic', uid: spec.uid });
    expect(await h.waitFor((e) => e.type === 'exited')).toEqual({ type: 'exited', uid: spec.uid, reason: 'panicked' });
  }, 120_000);

  it('guestPoweroff → guestShutdown (R-G1); paused guest + graceful stop → graceExpired after the grace period (R-G4)', async () => {
    h = await agentHarness();
    const [a, b] = two();
    await bootAll(h, [a, b]);
    h.agent.perform({ type: 'pause', uid: b.uid });
    await h.settle();
    const t0 = Date.now();
    h.agent.perform({ type: 'guestPoweroff', uid: a.uid });
    h.agent.perform({ type: 'shutdown', uid: b.uid, graceSeconds: 2 });
    await h.settle();
    expect(exitOf(h, a.uid)).toEqual({ type: 'exited', uid: a.uid, reason: 'guestShutdown' });
    expect(exitOf(h, b.uid)).toEqual({ type: 'exited', uid: b.uid, reason: 'graceExpired' });
    expect(Date.now() - t0).toBeGreaterThanOrEqual(2000);
  }, 120_000);

  it('killLauncher → killed (R-G3); host ACPI button (acpiShutdown) → guestShutdown without a delete (R-G1)', async () => {
    h = await agentHarness();
    const [a, b] = two();
    await bootAll(h, [a, b]);
    const pid = h.agent.launchers.get(a.uid)!.proc.pid;
    h.agent.perform({ type: 'killLauncher', uid: a.uid });
    h.agent.perform({ type: 'acpiShutdown', uid: b.uid });
    await h.settle();
    expect(exitOf(h, a.uid)).toEqual({ type: 'exited', uid: a.uid, reason: 'killed' });
    expect(exitOf(h, b.uid)).toEqual({ type: 'exited', uid: b.uid, reason: 'guestShutdown' });
    expect(() => process.kill(pid, 0)).toThrow(); // the process is gone
  }, 120_000);

  it('softReboot without an answering agent falls back to the ACPI button (fake reboot): same process, new boot, no exit (R-G2, R-V7)', async () => {
    h = await agentHarness();
    const spec = testSpec();
    await bootAll(h, [spec]);
    const l = h.agent.launchers.get(spec.uid)!;
    const boot1 = (await h.agent.observeGuests([spec]))[spec.uid]!.bootId;
    l.agentConnected = false; // white-box: as if the agent had stopped answering
    h.agent.perform({ type: 'softReboot', uid: spec.uid });
    await h.settle();
    expect(h.events.filter((e) => e.type === 'exited')).toEqual([]);
    expect(h.agent.launchers.get(spec.uid)).toBe(l);
    expect((await l.proc.qmp.execute('query-status')).status).toBe('running');
    const boot2 = (await h.agent.observeGuests([spec]))[spec.uid]!.bootId;
    expect(boot2).toMatch(/^[0-9a-f-]{36}$/);
    expect(boot2).not.toBe(boot1);
  }, 60_000);
});

