import { describe, expect, it } from 'vitest';
import type { LaunchDisk, LaunchNic, LaunchSpec } from '../../../harness/cluster/agent.ts';
import { qemuArgs, tcgResetScrubBytes, type DeviceArgBuilders, type QemuArgsInput } from './qemuArgs.ts';
import { runPaths } from './RunPaths.ts';

/** Recording stand-ins for storage/diskArgs and network/nicArgs: the builder's job is ports and order. */
const devices: DeviceArgBuilders = {
  disk: (d, p, port) => ['-device', `DISK:${d.name}:${p.file}:${port}`],
  nic: (n, port, ctx) => ['-device', `NIC:${n.name}:${port}:${ctx.hubSocket ?? 'none'}`],
};

const disk = (name: string): LaunchDisk => ({ name, serial: null, bus: 'virtio', cdrom: false, readonly: false, bootOrder: null, source: { kind: 'emptyDisk', sizeBytes: 1 << 20 } });
const nic = (name: string, kind: LaunchNic['kind'], network: string | null = null): LaunchNic => ({
  name, mac: '52:54:00:00:00:01', macSource: 'generated', kind, network, ipv4Cidr: null, vf: kind === 'sriov' ? { resource: 'r', index: 0 } : null, model: 'virtio',
});

function spec(over: Partial<LaunchSpec> = {}): LaunchSpec {
  return {
    uid: 'u-1', name: 'vm1', node: 'node01', vcpus: 2, cpu: { sockets: 2, cores: 1, threads: 1 }, memoryMiB: 256, hostname: 'vm1', boot: { kind: 'firmware' },
    disks: [disk('root'), disk('data')], nics: [nic('default', 'pod'), nic('br', 'bridge', 'nad-a'), nic('vf', 'sriov', 'nad-s')],
    startPaused: false, terminationGracePeriodSeconds: 30, acpi: true, ...over,
  };
}

function input(over: Partial<QemuArgsInput> = {}): QemuArgsInput {
  return {
    spec: spec(), accel: 'tcg', paths: runPaths('/tmp/s', 'node01', 'u-1'), kernel: null,
    disks: { root: { name: 'root', file: '/f/root.qcow2', format: 'qcow2', readonly: false, cdrom: false }, data: { name: 'data', file: '/f/data.raw', format: 'raw', readonly: false, cdrom: false } },
    hubSockets: { 'nad-a': '/h/a.sock', 'nad-s': '/h/s.sock' }, devices, guestConfig: 'hostname=vm1\npod=52:54:00:00:00:01\n', ...over,
  };
}

/** Values of every occurrence of a flag. */
const values = (args: string[], flag: string): string[] => args.flatMap((a, i) => (a === flag ? [args[i + 1]!] : []));

describe('qemuArgs (pure command line)', () => {
  it('is a q35 machine without defaults, display or user config, with the chosen accelerator and sizes', () => {
    const a = qemuArgs(input());
    expect(values(a, '-machine')).toEqual(['q35,acpi=on']);
    expect(values(a, '-accel')).toEqual(['tcg,thread=single']); // one host thread per guest (qemuArgs.ts ACCEL_ARG)
    expect(values(qemuArgs(input({ accel: 'kvm' })), '-accel')).toEqual(['kvm']);
    expect(values(a, '-m')).toEqual(['256M']);
    expect(values(a, '-smp')).toEqual(['2,sockets=2,cores=1,threads=1']);
    expect(a).toContain('-nodefaults');
    expect(a).toContain('-no-user-config');
    expect(values(a, '-display')).toEqual(['none']);
    expect(a).not.toContain('-S');
    expect(a).not.toContain('-incoming');
  });

  it('under TCG and for firmware boots only, scrubs the RAM the next kernel decompresses into at every reset (generic loader over a zero file), within the guest RAM', () => {
    const MiB = 1024 * 1024;
    const firmware = (memoryMiB: number) => ({ memoryMiB, boot: { kind: 'firmware' as const } });
    expect(tcgResetScrubBytes('tcg', firmware(256))).toBe(128 * MiB);
    expect(tcgResetScrubBytes('tcg', firmware(1024))).toBe(128 * MiB);
    expect(tcgResetScrubBytes('tcg', firmware(128))).toBe(96 * MiB); // 16 MiB left at the top
    expect(tcgResetScrubBytes('tcg', firmware(32))).toBe(0);
    expect(tcgResetScrubBytes('kvm', firmware(256))).toBe(0);
    // QEMU loads a kernel boot's ELF kernel into that RAM itself at each reset: no scrub over it.
    expect(tcgResetScrubBytes('tcg', { memoryMiB: 256, boot: { kind: 'kernel', image: 'k', kernelArgs: '' } })).toBe(0);
    const loaders = (a: string[]) => values(a, '-device').filter((d) => d.startsWith('loader,'));
    expect(loaders(qemuArgs(input()))).toEqual([`loader,file=${runPaths('/tmp/s', 'node01', 'u-1').resetScrub},addr=0x1000000,force-raw=on`]);
    expect(loaders(qemuArgs(input({ accel: 'kvm' })))).toEqual([]);
    expect(loaders(qemuArgs(input({ spec: spec({ memoryMiB: 32 }) })))).toEqual([]);
  });

  it('gives the firmware a debug console logging to the run dir (how a failed boot is known at once)', () => {
    const a = qemuArgs(input());
    expect(values(a, '-chardev')).toContain(`file,id=fwlog,path=${runPaths('/tmp/s', 'node01', 'u-1').firmwareLog}`);
    expect(values(a, '-device')).toContain('isa-debugcon,iobase=0x402,chardev=fwlog');
  });

  it('tries only the devices with a boot order when there is one (libvirt: -boot strict=on), else QEMU\'s default order', () => {
    expect(values(qemuArgs(input()), '-boot')).toEqual([]);
    const ordered = spec({ disks: [{ ...disk('root'), bootOrder: 2 }, { ...disk('data'), bootOrder: 1 }] });
    expect(values(qemuArgs(input({ spec: ordered })), '-boot')).toEqual(['strict=on']);
  });

  it('puts every PCI device on its own root port, in disk, nic, serial order, on consecutive slots', () => {
    const a = qemuArgs(input());
    const devs = values(a, '-device');
    const ports = devs.filter((d) => d.startsWith('pcie-root-port'));
    expect(ports).toEqual([
      'pcie-root-port,id=rp-d-root,bus=pcie.0,chassis=1,addr=0x2',
      'pcie-root-port,id=rp-d-data,bus=pcie.0,chassis=2,addr=0x3',
      'pcie-root-port,id=rp-n-default,bus=pcie.0,chassis=3,addr=0x4',
      'pcie-root-port,id=rp-n-br,bus=pcie.0,chassis=4,addr=0x5',
      'pcie-root-port,id=rp-n-vf,bus=pcie.0,chassis=5,addr=0x6',
      'pcie-root-port,id=rp-serial,bus=pcie.0,chassis=6,addr=0x7',
    ]);
    expect(devs).toContain('DISK:root:/f/root.qcow2:rp-d-root');
    expect(devs).toContain('NIC:default:rp-n-default:none');
    expect(devs).toContain('NIC:br:rp-n-br:/h/a.sock');
    expect(devs).toContain('virtio-serial-pci,id=vser0,bus=rp-serial');
    expect(devs).toContain('virtserialport,bus=vser0.0,chardev=qga0,id=qga-port,name=org.qemu.guest_agent.0');
  });

  it('has QMP, QGA, serial console with a log, and VNC on unix sockets in the run dir', () => {
    const p = runPaths('/tmp/s', 'node01', 'u-1');
    const a = qemuArgs(input());
    const chardevs = values(a, '-chardev');
    expect(chardevs).toContain(`socket,id=qmp,path=${p.qmp},server=on,wait=off`);
    expect(chardevs).toContain(`socket,id=qga0,path=${p.qga},server=on,wait=off`);
    expect(chardevs).toContain(`socket,id=ser0,path=${p.console},server=on,wait=off,logfile=${p.consoleLog}`);
    expect(values(a, '-mon')).toEqual(['chardev=qmp,mode=control']);
    expect(values(a, '-vnc')).toEqual([`unix:${p.vnc}`]);
    for (const s of [p.qmp, p.qga, p.console, p.vnc]) expect(s.startsWith(`${p.dir}/`)).toBe(true);
  });

  it('has pvpanic with a panic action that ends the process, and the guest config in fw_cfg', () => {
    const a = qemuArgs(input());
    expect(values(a, '-device')).toContain('pvpanic');
    expect(values(a, '-action')).toEqual(['panic=shutdown,shutdown=poweroff,reboot=reset']);
    expect(values(a, '-fw_cfg')).toEqual(['name=opt/vmconform/config,string=hostname=vm1\npod=52:54:00:00:00:01\n']);
  });

  it('kernelBoot uses -kernel/-initrd/-append; ACPI off and startPaused are honoured', () => {
    const a = qemuArgs(input({ spec: spec({ boot: { kind: 'kernel', image: 'vmconform/guest-kernel:latest', kernelArgs: 'console=ttyS0 quiet' }, acpi: false, startPaused: true }), kernel: { kernel: '/a/vmlinuz', initrd: '/a/initrd.gz' } }));
    expect(values(a, '-kernel')).toEqual(['/a/vmlinuz']);
    expect(values(a, '-initrd')).toEqual(['/a/initrd.gz']);
    expect(values(a, '-append')).toEqual(['console=ttyS0 quiet']);
    expect(values(a, '-machine')).toEqual(['q35,acpi=off']);
    expect(a).toContain('-S');
  });

  it('a migration target listens with -incoming defer, stopped (-S), keeps every port, and leaves SR-IOV VFs out', () => {
    const src = qemuArgs(input({ omitVfs: true }));
    const dst = qemuArgs(input({ incoming: true, paths: runPaths('/tmp/s', 'node02', 'u-1') }));
    expect(values(dst, '-incoming')).toEqual(['defer']);
    expect(dst).toContain('-S'); // resumed only once its disks are complete (migration/diskMirror.ts)
    // The reset scrub's loader is no guest device (it writes RAM at reset) and reads a file of its own run dir.
    const devs = (a: string[]): string[] => values(a, '-device').filter((d) => !d.startsWith('loader,'));
    expect(devs(dst)).toEqual(devs(src)); // same device list ⇒ same PCI addresses
    expect(devs(dst).some((d) => d.startsWith('NIC:vf'))).toBe(false);
    expect(devs(dst)).toContain('pcie-root-port,id=rp-n-vf,bus=pcie.0,chassis=5,addr=0x6');
  });

  it('escapes commas in values taken from the spec and refuses unprepared disks or missing segments', () => {
    expect(values(qemuArgs(input({ spec: spec({ name: 'a,b' }) })), '-name')).toEqual(['guest=a,,b,debug-threads=on']);
    expect(() => qemuArgs(input({ disks: {} }))).toThrow(/disk root was not prepared/);
    expect(() => qemuArgs(input({ hubSockets: {} }))).toThrow(/nic br has no segment socket for network nad-a/);
    expect(() => qemuArgs(input({ spec: spec({ boot: { kind: 'kernel', image: 'k', kernelArgs: '' } }) }))).toThrow(/kernelBoot without kernel artefacts/);
  });
});
