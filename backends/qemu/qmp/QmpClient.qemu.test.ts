import { execa, type ResultPromise } from 'execa';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { retryUntil } from '../retryUntil.ts';
import { privateDir } from '../testing/privateDir.ts';
import { QmpClient, QmpError } from './QmpClient.ts';

const QEMU = process.env['VMCONFORM_QEMU'] ?? 'qemu-system-x86_64';

let dir: { dir: string; cleanup: () => Promise<void> };
let proc: ResultPromise | null = null;
let qmp: QmpClient | null = null;

beforeEach(async () => {
  dir = await privateDir();
  const sock = join(dir.dir, 'qmp.sock');
  // No guest at all: QMP alone does not need one. -S keeps the vCPU stopped.
  proc = execa(QEMU, ['-S', '-machine', 'q35', '-accel', 'tcg', '-nodefaults', '-no-user-config', '-display', 'none', '-m', '64',
    '-qmp', `unix:${sock},server=on,wait=off`], { reject: false, detached: true, stdin: 'ignore' });
  qmp = await retryUntil(() => QmpClient.connect(sock, { timeoutMs: 1000 }), { timeoutMs: 10_000, what: 'QMP', giveUp: () => (proc?.exitCode != null ? 'QEMU exited' : null) });
});

afterEach(async () => {
  await qmp?.close();
  if (proc?.pid && proc.exitCode === null) process.kill(-proc.pid, 'SIGKILL');
  await proc;
  await dir.cleanup();
});

describe('QmpClient against real QEMU', () => {
  it('reads the version from the greeting and the prelaunch status', async () => {
    expect(qmp!.version?.qemu.major).toBeGreaterThanOrEqual(7);
    expect(await qmp!.execute('query-status')).toMatchObject({ status: 'prelaunch', running: false });
  });

  it('sees RESUME after cont and STOP after stop (events)', async () => {
    const resumed = qmp!.waitEvent('RESUME', 5000);
    await qmp!.execute('cont');
    await resumed;
    expect((await qmp!.execute('query-status')).status).toBe('running');
    const stopped = qmp!.waitEvent('STOP', 5000);
    await qmp!.execute('stop');
    await stopped;
    expect((await qmp!.execute('query-status')).status).toBe('paused');
  });

  it('carries the QMP error class of a real error', async () => {
    const err = await qmp!.executeRaw('no-such-command').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(QmpError);
    expect((err as QmpError).errorClass).toBe('CommandNotFound');
    const err2 = await qmp!.execute('device_del', { id: 'nope' }).catch((e: unknown) => e);
    expect((err2 as QmpError).errorClass).toBe('DeviceNotFound');
  });

  it('quit: SHUTDOWN host-qmp-quit, then the connection closes and QEMU exits 0', async () => {
    const shutdown = qmp!.waitEvent('SHUTDOWN', 5000);
    await qmp!.execute('quit');
    expect((await shutdown).data).toMatchObject({ guest: false, reason: 'host-qmp-quit' });
    await qmp!.closed;
    expect((await proc!).exitCode).toBe(0);
  });
});
