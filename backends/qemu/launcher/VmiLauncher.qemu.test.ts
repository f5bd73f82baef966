/**
 * The launcher reports what QEMU does on its own, not only what was asked of
 * it: a QEMU that exits after a reset (-no-reboot) ends the VMI, and a STOP
 * nobody asked for (QMP `stop` from elsewhere, a disk error with
 * werror=stop) shows as a pause with its reason. Real QEMU (TCG), through
 * test wrappers that add one behaviour to the real binary.
 */
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { agentHarness, type AgentHarness } from '../testing/agentHarness.ts';
import { QEMU_BINARY, testSpec } from '../testing/bootGuest.ts';

const ROOT = join(import.meta.dirname, '../../..');
const NO_REBOOT = join(ROOT, 'test/conformance/wrappers/no-reboot.sh');
const IO_ERROR = join(ROOT, 'backends/qemu/testing/wrappers/io-error-disk.sh');
// The wrappers exec $VMCONFORM_REAL_QEMU (else PATH): the QEMU these tests would use.
process.env['VMCONFORM_REAL_QEMU'] ??= QEMU_BINARY;

let h: AgentHarness | null = null;
afterEach(async () => {
  await h?.dispose();
  h = null;
});

describe('VmiLauncher: QEMU acting on its own (real QEMU, TCG)', () => {
  it('-no-reboot: a reset makes QEMU exit; the exit is reported before the agent is idle → exited guestShutdown (rebootPolicy Terminate)', async () => {
    h = await agentHarness({ binary: NO_REBOOT });
    const spec = testSpec({ startPaused: true }); // no boot needed: a reset of a stopped VM ends it too
    h.agent.perform({ type: 'launch', spec });
    expect(await h.settle()).toEqual([{ type: 'running', uid: spec.uid }, { type: 'paused', uid: spec.uid, paused: true }]);
    h.agent.perform({ type: 'reset', uid: spec.uid });
    expect(await h.settle()).toEqual([{ type: 'exited', uid: spec.uid, reason: 'guestShutdown' }]);
    expect(h.agent.live(spec.uid)).toBeUndefined();
  });

  it('-no-reboot: an in-guest reboot makes QEMU exit → exited guestShutdown once idle (R-G2 does not hold for this QEMU)', async () => {
    h = await agentHarness({ binary: NO_REBOOT });
    const spec = testSpec();
    h.agent.perform({ type: 'launch', spec });
    await h.waitFor((e) => e.type === 'agentConnected' && e.connected, 90_000);
    await h.settle(60_000);
    h.agent.perform({ type: 'guestReboot', uid: spec.uid });
    const events = await h.settle(60_000);
    expect(events.filter((e) => e.type === 'exited')).toEqual([{ type: 'exited', uid: spec.uid, reason: 'guestShutdown' }]);
    expect(await h.agent.observeGuests([spec])).toEqual({});
  }, 180_000);

  it('the agent channel\'s host end closing under a live QEMU (a reset seen under load) is opened again: the agent still connects', async () => {
    h = await agentHarness();
    const spec = testSpec();
    h.agent.perform({ type: 'launch', spec });
    await h.waitFor((e) => e.type === 'running');
    const l = h.agent.live(spec.uid)!;
    await l.proc.qga.close();
    expect(await h.waitFor((e) => e.type === 'agentConnected', 90_000)).toEqual({ type: 'agentConnected', uid: spec.uid, connected: true });
    expect(l.proc.qga.isClosed).toBe(false);
  }, 150_000);

  it('a QMP stop / cont behind the agent\'s back → paused true / false (PausedByUser: no reason), agent polled again', async () => {
    h = await agentHarness();
    const spec = testSpec();
    h.agent.perform({ type: 'launch', spec });
    await h.waitFor((e) => e.type === 'running');
    const l = h.agent.live(spec.uid)!;
    await l.proc.qmp.execute('stop');
    expect(await h.waitFor((e) => e.type === 'paused')).toEqual({ type: 'paused', uid: spec.uid, paused: true });
    expect(l.paused).toBe(true);
    await l.proc.qmp.execute('cont');
    expect(await h.waitFor((e) => e.type === 'paused')).toEqual({ type: 'paused', uid: spec.uid, paused: false });
    expect(l.paused).toBe(false);
    await h.waitFor((e) => e.type === 'agentConnected' && e.connected, 90_000);
  }, 150_000);

  it('a disk read error with rerror=stop → paused reason ioError (PausedIOError); unpause retries the read and pauses again', async () => {
    h = await agentHarness({ binary: IO_ERROR });
    const spec = testSpec();
    h.agent.perform({ type: 'launch', spec });
    expect(await h.waitFor((e) => e.type === 'paused', 90_000)).toEqual({ type: 'paused', uid: spec.uid, paused: true, reason: 'ioError' });
    const l = h.agent.live(spec.uid)!;
    expect(await l.proc.qmp.execute('query-status')).toMatchObject({ status: 'io-error', running: false });
    h.agent.perform({ type: 'unpause', uid: spec.uid });
    expect(await h.waitFor((e) => e.type === 'paused')).toEqual({ type: 'paused', uid: spec.uid, paused: false });
    expect(await h.waitFor((e) => e.type === 'paused', 60_000)).toEqual({ type: 'paused', uid: spec.uid, paused: true, reason: 'ioError' });
  }, 180_000);
});
