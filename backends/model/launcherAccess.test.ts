/**
 * Console, VNC and virsh on the model backend's simulated launchers, with
 * the core reacting as virt-handler does to a domain changed behind its
 * back (pkg/virt-handler/vm.go: a domain paused by the user gives
 * Paused=PausedByUser; calculateVmPhaseForStatusReason: Shutoff/Shutdown →
 * Succeeded, Shutoff/Destroyed with ACPI → Failed, without ACPI →
 * Succeeded).
 */
import type { Duplex } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { READY_LINE_RE } from '../../guest/artefacts.ts';
import { distinctColours, readFramebuffer } from '../../harness/cli/rfb.ts';
import { LauncherUnavailable } from '../cluster/index.ts';
import { createModelBackend } from './index.ts';
import { node, vm } from './testObjects.ts';

type ModelBackend = ReturnType<typeof createModelBackend>;

async function started(acpi = true): Promise<ModelBackend> {
  const b = createModelBackend();
  await b.apply(node('node01'));
  await b.apply(vm('vm-a', 'Manual', { acpi }));
  expect(await b.vm({ verb: 'start', name: 'vm-a' })).toEqual({ ok: true });
  await b.settle(1000);
  return b;
}

async function vmi(b: ModelBackend): Promise<{ phase?: string; conditions?: Array<{ type: string; status: string; reason?: string }> }> {
  return ((await b.list('VirtualMachineInstance'))[0]?.status ?? {}) as never;
}

function firstText(s: Duplex): Promise<string> {
  return new Promise((resolve) => s.once('data', (c: Buffer) => resolve(c.toString())));
}

describe('model LauncherAccess', () => {
  it('console prints the ready line of the current boot; VNC serves a non-blank RFB frame', async () => {
    const b = await started();
    const con = await b.launcher!.console('default', 'vm-a');
    expect(await firstText(con)).toMatch(READY_LINE_RE);
    con.write('ignored\r');
    con.destroy();
    const vnc = await b.launcher!.vnc('default', 'vm-a');
    const fb = await readFramebuffer(vnc);
    vnc.destroy();
    expect([fb.width, fb.height, fb.name]).toEqual([640, 400, 'vm-a']);
    expect(distinctColours(fb)).toBe(2);
  });

  it('no VMI: 404; another namespace: 404; a VMI whose launcher is gone: 400 VMI is not running, 409 when it Failed (pkg/virt-api/rest/console.go validateVMIForConsole)', async () => {
    const b = createModelBackend();
    await expect(b.launcher!.virsh('default', 'vm-a', ['list'])).rejects.toMatchObject({ code: 404, reason: 'NotFound' });
    const s = await started();
    await expect(s.launcher!.console('other', 'vm-a')).rejects.toBeInstanceOf(LauncherUnavailable);
    await s.launcher!.virsh('default', 'vm-a', ['shutdown', 'default_vm-a']);
    await s.settle(1000);
    await expect(s.launcher!.vnc('default', 'vm-a')).rejects.toMatchObject({ code: 400, reason: 'BadRequest', message: 'VMI is not running' });
  });

  it('virsh list / suspend / resume / reset / reboot / shutdown: virsh\'s output, and the cluster follows', async () => {
    const b = await started();
    const virsh = (...argv: string[]) => b.launcher!.virsh('default', 'vm-a', argv);
    expect((await virsh('list')).stdout).toBe(' Id   Name           State\n------------------------------\n 1    default_vm-a   running\n\n');

    expect(await virsh('suspend', 'default_vm-a')).toEqual({ exitCode: 0, stdout: "Domain 'default_vm-a' suspended\n\n", stderr: '' });
    await b.settle(1000);
    expect((await vmi(b)).conditions).toContainEqual({ type: 'Paused', status: 'True', reason: 'PausedByUser' });
    expect((await b.observe()).vms['vm-a']).toMatchObject({ printableStatus: 'Paused' });
    expect((await virsh('domstate', 'default_vm-a', '--reason')).stdout).toBe('paused (user)\n\n');
    expect(await virsh('resume', 'default_vm-a')).toMatchObject({ exitCode: 0 });
    await b.settle(1000);
    expect((await vmi(b)).conditions?.find((c) => c.type === 'Paused')).toBeUndefined();

    const before = (await b.observe()).vmis['vm-a']!.bootId;
    expect(await virsh('reset', 'default_vm-a')).toMatchObject({ exitCode: 0, stdout: "Domain 'default_vm-a' was reset\n\n" });
    await b.settle(1000);
    expect((await b.observe()).vmis['vm-a']!.bootId).not.toBe(before);

    const beforeReboot = (await b.observe()).vmis['vm-a']!.bootId;
    expect(await virsh('reboot', 'default_vm-a')).toMatchObject({ exitCode: 0, stdout: "Domain 'default_vm-a' is being rebooted\n\n" });
    await b.settle(1000);
    expect((await b.observe()).vmis['vm-a']).toMatchObject({ phase: 'Running' });
    expect((await b.observe()).vmis['vm-a']!.bootId).not.toBe(beforeReboot);

    expect(await virsh('shutdown', 'default_vm-a')).toMatchObject({ exitCode: 0, stdout: "Domain 'default_vm-a' is being shutdown\n\n" });
    await b.settle(1000);
    expect((await vmi(b)).phase).toBe('Succeeded');
    expect((await b.observe()).vms['vm-a']).toMatchObject({ printableStatus: 'Stopped' });
  });

  it.each([
    [true, 'Failed'],
    [false, 'Succeeded'],
  ])('virsh destroy of a domain with ACPI %s ends the VMI %s (calculateVmPhaseForStatusReason)', async (acpi, phase) => {
    const b = await started(acpi);
    expect(await b.launcher!.virsh('default', 'vm-a', ['destroy', 'default_vm-a'])).toMatchObject({ exitCode: 0, stdout: "Domain 'default_vm-a' destroyed\n\n" });
    await b.settle(1000);
    expect((await vmi(b)).phase).toBe(phase);
    await expect(b.launcher!.console('default', 'vm-a')).rejects.toMatchObject(phase === 'Failed' ? { code: 409, message: expect.stringMatching(/VMI is in failed status$/) } : { code: 400 });
  });
});
