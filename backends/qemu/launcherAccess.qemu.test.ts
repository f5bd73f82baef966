/**
 * Console, VNC and virsh on a real launcher (TCG), through the qemu
 * Backend's LauncherAccess, with the cluster reacting to what virsh did
 * behind its back the way virt-handler does (pkg/virt-handler/vm.go: a
 * domain paused by the user gives Paused=PausedByUser; a guest that shut
 * down ends the VMI: Succeeded, and a Manual VM shows Stopped).
 */
import type { Duplex } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import { node, vm } from '../model/testObjects.ts';
import { READY_LINE_RE } from '../../guest/artefacts.ts';
import { distinctColours, framebufferPng, readFramebuffer } from '../../harness/cli/rfb.ts';
import { LauncherUnavailable } from '../cluster/index.ts';
import { createQemuBackend } from './index.ts';

type QemuBackend = Awaited<ReturnType<typeof createQemuBackend>>;
let backend: QemuBackend | null = null;
const streams: Duplex[] = [];
afterEach(async () => {
  for (const s of streams.splice(0)) s.destroy();
  await backend?.dispose();
  backend = null;
});

/** Everything read from `s` until `re` matches (or the timeout). */
function readUntil(s: Duplex, re: RegExp, timeoutMs: number): Promise<string> {
  let text = '';
  return new Promise((resolve, reject) => {
    const t = setTimeout(() => reject(new Error(`no ${re} on the console within ${timeoutMs} ms; got ${JSON.stringify(text.slice(-500))}`)), timeoutMs);
    s.on('data', (c: Buffer) => {
      text += c.toString('latin1');
      if (re.test(text)) {
        clearTimeout(t);
        resolve(text);
      }
    });
  });
}

async function vmiStatus(b: QemuBackend, name: string): Promise<{ phase?: string; conditions?: Array<{ type: string; status: string; reason?: string }> }> {
  const vmi = (await b.list('VirtualMachineInstance')).find((o) => o.metadata.name === name);
  return (vmi?.status ?? {}) as never;
}

describe('qemu LauncherAccess (TCG)', () => {
  it('console shows the ready line, VNC gives a non-blank frame, virsh list/domstate/suspend/resume/reset/shutdown act and the cluster follows', async () => {
    backend = await createQemuBackend({ accel: 'tcg' });
    const access = backend.launcher!;
    expect(access).toBeDefined();
    expect(await backend.apply(node('node01'))).toEqual({ ok: true });
    expect(await backend.apply(vm('vm1', 'Manual', { grace: 20 }))).toEqual({ ok: true });

    // No VMI yet: 404; another namespace: 404.
    await expect(access.virsh('default', 'vm1', ['list'])).rejects.toMatchObject({ code: 404 });
    expect(await backend.vm({ verb: 'start', name: 'vm1' })).toEqual({ ok: true });
    await expect(access.console('other', 'vm1')).rejects.toBeInstanceOf(LauncherUnavailable);

    // Attach the console as soon as the launcher runs, before the guest has booted: the ready line comes live.
    let con: Duplex | null = null;
    for (const deadline = Date.now() + 60_000; !con; ) {
      try {
        con = await access.console('default', 'vm1');
      } catch (err) {
        if (!(err instanceof LauncherUnavailable) || err.code !== 400 || Date.now() > deadline) throw err;
        await new Promise((r) => setTimeout(r, 50));
      }
    }
    streams.push(con);
    const seen = readUntil(con, READY_LINE_RE, 90_000);
    await backend.settle(90_000);
    expect(await seen).toMatch(READY_LINE_RE);

    const vnc = await access.vnc('default', 'vm1');
    streams.push(vnc);
    const fb = await readFramebuffer(vnc);
    expect(fb.width).toBeGreaterThan(0);
    expect(distinctColours(fb)).toBeGreaterThan(1);
    expect(framebufferPng(fb).subarray(1, 4).toString()).toBe('PNG');

    const virsh = (...argv: string[]) => access.virsh('default', 'vm1', argv);
    expect(await virsh('list')).toEqual({
      exitCode: 0,
      stdout: ' Id   Name          State\n-----------------------------\n 1    default_vm1   running\n\n',
      stderr: '',
    });
    expect(await virsh('domstate', 'default_vm1', '--reason')).toMatchObject({ exitCode: 0, stdout: 'running (booted)\n\n' });
    expect(await virsh('domstate', 'nosuch')).toEqual({ exitCode: 1, stdout: '\n', stderr: "error: failed to get domain 'nosuch'\n" });
    expect((await virsh('dominfo', 'default_vm1')).stdout).toMatch(/^Name: +default_vm1\nUUID: +[0-9a-f-]{36}\n[\s\S]*Max memory: +262144 KiB\n/m);

    // suspend behind KubeVirt's back → QEMU's STOP → Paused=PausedByUser (virt-handler: domain paused, reason user).
    expect(await virsh('suspend', 'default_vm1')).toEqual({ exitCode: 0, stdout: "Domain 'default_vm1' suspended\n\n", stderr: '' });
    await backend.settle(30_000);
    expect((await vmiStatus(backend, 'vm1')).conditions).toContainEqual(expect.objectContaining({ type: 'Paused', status: 'True', reason: 'PausedByUser' }));
    expect(await virsh('domstate', 'default_vm1', '--reason')).toMatchObject({ stdout: 'paused (user)\n\n' });
    expect(await virsh('shutdown', 'default_vm1')).toEqual({
      exitCode: 1, stdout: '\n', stderr: "error: Failed to shutdown domain 'default_vm1'\nerror: Requested operation is not valid: domain is not running\n",
    });
    expect(await virsh('resume', 'default_vm1')).toMatchObject({ exitCode: 0, stdout: "Domain 'default_vm1' resumed\n\n" });
    await backend.settle(30_000);
    expect((await vmiStatus(backend, 'vm1')).conditions?.find((c) => c.type === 'Paused')).toBeUndefined();

    // reset: same VMI, a new boot.
    const bootBefore = (await backend.observe()).vmis['vm1']!.bootId;
    expect(await virsh('reset', 'default_vm1')).toMatchObject({ exitCode: 0, stdout: "Domain 'default_vm1' was reset\n\n" });
    await backend.settle(90_000);
    const afterReset = (await backend.observe()).vmis['vm1']!;
    expect(afterReset.phase).toBe('Running');
    expect(afterReset.bootId).toMatch(/^[0-9a-f-]{36}$/);
    expect(afterReset.bootId).not.toBe(bootBefore);

    expect((await virsh('migrate', '--live', 'default_vm1', 'qemu+tcp://node02/system')).stderr).toMatch(/virtctl migrate/);

    // shutdown: the guest powers off, the VMI ends Succeeded, the Manual VM is Stopped.
    expect(await virsh('shutdown', 'default_vm1')).toEqual({ exitCode: 0, stdout: "Domain 'default_vm1' is being shutdown\n\n", stderr: '' });
    await backend.settle(60_000);
    expect((await vmiStatus(backend, 'vm1')).phase).toBe('Succeeded');
    expect((await backend.observe()).vms['vm1']).toMatchObject({ printableStatus: 'Stopped' });
    await expect(virsh('list')).rejects.toMatchObject({ code: 400, reason: 'BadRequest', message: 'VMI is not running' });

    // destroy of an ACPI guest: virt-handler reads Shutoff/Destroyed with ACPI as Failed
    // (pkg/virt-handler/vm.go calculateVmPhaseForStatusReason). No need to wait for the boot.
    const ended = (await backend.list('VirtualMachineInstance'))[0]!.metadata.uid;
    expect(await backend.vm({ verb: 'start', name: 'vm1' })).toEqual({ ok: true });
    for (const deadline = Date.now() + 60_000; ; await new Promise((r) => setTimeout(r, 50))) {
      expect(Date.now()).toBeLessThan(deadline);
      const vmi = (await backend.list('VirtualMachineInstance'))[0];
      const r = !vmi || vmi.metadata.uid === ended ? null : await virsh('destroy', 'default_vm1').catch((err: unknown) => ((err as { code?: number }).code === 400 ? null : Promise.reject(err)));
      if (!r) continue;
      expect(r).toEqual({ exitCode: 0, stdout: "Domain 'default_vm1' destroyed\n\n", stderr: '' });
      break;
    }
    await backend.settle(60_000);
    expect((await vmiStatus(backend, 'vm1')).phase).toBe('Failed');
  }, 240_000);
});
