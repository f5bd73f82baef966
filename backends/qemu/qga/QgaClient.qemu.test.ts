import { afterEach, describe, expect, it } from 'vitest';
import { bootGuest, type BootedGuest } from '../testing/bootGuest.ts';
import { QgaError } from './QgaClient.ts';

let g: BootedGuest | null = null;
afterEach(async () => {
  await g?.dispose();
  g = null;
});

describe('QgaClient against the real guest agent in a TCG guest', () => {
  it('syncs and pings, reads osinfo, NICs, exec output and files, then powers the guest off', async () => {
    g = await bootGuest();
    const qga = g.proc.qga;
    const t0 = Date.now();
    await qga.sync(30_000);
    await qga.ping(5000);
    const bootMs = Date.now() - t0;
    expect(bootMs).toBeLessThan(30_000);

    const os = await qga.execute('guest-get-osinfo', undefined, 5000);
    expect(os['kernel-release']).toMatch(/^6\.1\./);

    const r = await qga.exec('/bin/sh', ['-c', 'echo out; echo err >&2; exit 7'], 10_000);
    expect(r).toEqual({ exitCode: 7, signal: null, stdout: 'out\n', stderr: 'err\n' });
    const facts = JSON.parse((await qga.exec('/usr/bin/vmconform-facts', [], 30_000)).stdout) as { bootId: string; vcpus: number };
    expect(facts.bootId).toMatch(/^[0-9a-f-]{36}$/);
    expect(facts.vcpus).toBe(1);
    // The facts tool waits for the guest's late boot stage (drivers, network): NICs are there now.
    const nics = await qga.execute('guest-network-get-interfaces', undefined, 5000);
    expect(nics.map((n) => n['hardware-address'])).toContain('52:54:00:00:00:0a');

    await qga.writeFile('/tmp/x', 'written by the host', 5000);
    expect((await qga.readFile('/tmp/x', 5000)).toString()).toBe('written by the host');
    const err = await qga.execute('guest-file-open', { path: '/no/such/file' }, 5000).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(QgaError);

    const shutdown = g.proc.qmp.waitEvent('SHUTDOWN', 20_000);
    await qga.shutdown('powerdown', 5000);
    expect((await shutdown).data).toMatchObject({ guest: true, reason: 'guest-shutdown' });
    expect((await g.proc.exited).exitCode).toBe(0);
  }, 60_000);

  it('re-synchronises after a guest reboot (stale channel) and sees a new boot id', async () => {
    g = await bootGuest();
    const qga = g.proc.qga;
    await qga.ping(30_000);
    const boot1 = (await qga.exec('/bin/cat', ['/proc/sys/kernel/random/boot_id'], 5000)).stdout.trim();
    const reset = g.proc.qmp.waitEvent('RESET', 20_000);
    await qga.shutdown('reboot', 5000);
    expect((await reset).data).toMatchObject({ guest: true, reason: 'guest-reset' });
    await qga.ping(30_000);
    const boot2 = (await qga.exec('/bin/cat', ['/proc/sys/kernel/random/boot_id'], 5000)).stdout.trim();
    expect(boot2).toMatch(/^[0-9a-f-]{36}$/);
    expect(boot2).not.toBe(boot1);
  }, 60_000);
});
