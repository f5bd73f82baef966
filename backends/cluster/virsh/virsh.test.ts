/**
 * virsh's command line, output and exit codes (libvirt tools/vsh.c,
 * tools/vsh-table.c, tools/virsh-domain*.c) over a recorded domain: the
 * domain stands in for a launcher (the real one is exercised in
 * backends/qemu/launcherAccess.qemu.test.ts).
 */
import { describe, expect, it } from 'vitest';
import { DomainError, type DomainInfo, type VirshDomain } from './VirshDomain.ts';
import { runVirsh, vshTable } from './virsh.ts';

function domain(over: Partial<DomainInfo> = {}): VirshDomain & { calls: string[] } {
  const calls: string[] = [];
  const info: DomainInfo = {
    id: 1, name: 'default_vm-a', uuid: '5a9fc181-957e-5c32-9e5a-2de5e9673531', state: 'running', reason: 'booted',
    vcpus: 2, maxMemoryKiB: 262144, usedMemoryKiB: 262144, cpuTimeNs: 12_340_000_000, ...over,
  };
  const act = (name: string) => async () => {
    calls.push(name);
    if (name === 'suspend' && info.state === 'paused') throw new DomainError('Requested operation is not valid: domain is already paused');
  };
  return {
    calls, info: async () => info,
    shutdown: act('shutdown'), reboot: act('reboot'), reset: act('reset'), suspend: act('suspend'), resume: act('resume'), destroy: act('destroy'),
  };
}

describe('virsh in a launcher', () => {
  it('list: vsh-table columns (" cell" padded to width + 2, a rule of width + 3 dashes per column), then an empty line', async () => {
    expect(vshTable(['Id', 'Name', 'State'], [['1', 'rhel9', 'running']])).toEqual([' Id   Name    State', '-----------------------', ' 1    rhel9   running']);
    expect(await runVirsh(domain(), ['list'])).toEqual({
      exitCode: 0, stderr: '',
      stdout: ' Id   Name           State\n------------------------------\n 1    default_vm-a   running\n\n',
    });
    expect((await runVirsh(domain({ id: null, state: 'shut off' }), ['list'])).stdout).toBe(' Id   Name   State\n--------------------\n\n');
    expect((await runVirsh(domain({ id: null, state: 'shut off' }), ['list', '--all'])).stdout).toMatch(/^ -    default_vm-a   shut off$/m);
    expect((await runVirsh(domain(), ['list', '--name'])).stdout).toBe('default_vm-a\n\n');
  });

  it('domstate [--reason] and dominfo, the domain by name, id or UUID', async () => {
    expect(await runVirsh(domain(), ['domstate', 'default_vm-a'])).toEqual({ exitCode: 0, stdout: 'running\n\n', stderr: '' });
    expect((await runVirsh(domain({ state: 'paused', reason: 'user' }), ['domstate', '1', '--reason'])).stdout).toBe('paused (user)\n\n');
    expect((await runVirsh(domain(), ['domstate', '--domain', '5a9fc181-957e-5c32-9e5a-2de5e9673531'])).exitCode).toBe(0);
    expect((await runVirsh(domain(), ['dominfo', 'default_vm-a'])).stdout).toBe([
      'Id:             1', 'Name:           default_vm-a', 'UUID:           5a9fc181-957e-5c32-9e5a-2de5e9673531', 'OS Type:        hvm',
      'State:          running', 'CPU(s):         2', 'CPU time:       12.3s', 'Max memory:     262144 KiB', 'Used memory:    262144 KiB',
      'Persistent:     yes', 'Autostart:      disable', 'Managed save:   no', 'Security model: none', 'Security DOI:   0', '', '',
    ].join('\n'));
  });

  it('actions: virsh\'s success line; a refusal prints virsh\'s line and libvirt\'s reason, exit 1', async () => {
    const d = domain();
    for (const [cmd, line] of [['shutdown', 'is being shutdown'], ['reboot', 'is being rebooted'], ['reset', 'was reset'], ['suspend', 'suspended'], ['resume', 'resumed'], ['destroy', 'destroyed']] as const) {
      expect(await runVirsh(d, [cmd, 'default_vm-a'])).toEqual({ exitCode: 0, stdout: `Domain 'default_vm-a' ${line}\n\n`, stderr: '' });
    }
    expect(d.calls).toEqual(['shutdown', 'reboot', 'reset', 'suspend', 'resume', 'destroy']);
    expect(await runVirsh(domain({ state: 'paused' }), ['suspend', 'default_vm-a'])).toEqual({
      exitCode: 1, stdout: '\n', stderr: "error: Failed to suspend domain 'default_vm-a'\nerror: Requested operation is not valid: domain is already paused\n",
    });
    expect((await runVirsh(domain({ id: null, state: 'shut off' }), ['reset', 'default_vm-a'])).stderr).toBe("error: Failed to reset domain 'default_vm-a'\nerror: Requested operation is not valid: domain is not running\n");
    expect(await runVirsh(domain(), ['start', 'default_vm-a'])).toEqual({ exitCode: 1, stdout: '\n', stderr: "error: Domain 'default_vm-a' is already active\n" });
  });

  it('migrate is refused and points to virtctl migrate; nothing is done', async () => {
    const d = domain();
    const r = await runVirsh(d, ['migrate', '--live', 'default_vm-a', 'qemu+tcp://node02/system']);
    expect(r.exitCode).toBe(1);
    expect(r.stderr).toMatch(/^error: virsh migrate is refused .*`vmconform virtctl migrate NAME`/);
    expect(d.calls).toEqual([]);
  });

  it('bad command lines: unknown command, unknown option, missing or unknown domain (exit 1, nothing done)', async () => {
    const d = domain();
    expect(await runVirsh(d, ['frobnicate'])).toEqual({ exitCode: 1, stdout: '', stderr: "error: unknown command: 'frobnicate'\n" });
    expect(await runVirsh(d, ['list', '--bogus'])).toEqual({ exitCode: 1, stdout: '', stderr: "error: command 'list' doesn't support option --bogus\n" });
    expect(await runVirsh(d, ['domstate'])).toEqual({ exitCode: 1, stdout: '', stderr: "error: command 'domstate' requires <domain> option\n" });
    expect(await runVirsh(d, ['suspend', 'default_vm-b'])).toEqual({ exitCode: 1, stdout: '\n', stderr: "error: failed to get domain 'default_vm-b'\n" });
    expect(await runVirsh(d, [])).toMatchObject({ exitCode: 1 });
    expect(d.calls).toEqual([]);
  });
});
