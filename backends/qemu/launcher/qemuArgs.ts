/**
 * The QEMU command line of one launcher: a pure function from the VMI's
 * LaunchSpec and the files prepared for it to an argument array. Internal
 * (backends/qemu); unit-tested without QEMU.
 *
 * Shape (docs/qemu-notes.md):
 * - q35, `-nodefaults -no-user-config -display none`, ACPI unless the spec
 *   turns it off;
 * - every PCI device on its own pcie-root-port, ports created in a fixed order
 *   (disks, NICs, virtio-serial) so that guest PCI addresses are stable across
 *   the two sides of a migration and hotplug (SR-IOV VFs) has a free port;
 * - QMP, the guest agent channel (virtio-serial), the serial console (with a
 *   log file) and VNC on unix sockets in the launcher's private run dir;
 * - ISA pvpanic with `-action panic=shutdown`: a guest panic shows as
 *   GUEST_PANICKED and SHUTDOWN(guest-panic), then QEMU exits;
 * - guest configuration through fw_cfg (guest README);
 * - `-S` for startPaused, `-incoming defer -S` for a migration target;
 * - under TCG, a reset scrub (`tcgResetScrub`): zeros written over the RAM the
 *   guest kernel decompresses into at every reset, so that a reboot is as fast
 *   as a cold boot.
 */
import type { LaunchDisk, LaunchNic, LaunchSpec } from '../../../harness/cluster/index.ts';
import { guestConfigFwCfgArg } from '../../../guest/guestConfig.ts';
import type { RunPaths } from './RunPaths.ts';
import { optValue, portId, QGA_PORT_ID, QGA_PORT_NAME } from '../devices.ts';

/** What the storage side prepared for one disk (storage/VolumeStore.ts). Internal. */
export interface PreparedDiskLike {
  name: string;
  file: string;
  format: 'raw' | 'qcow2';
  readonly: boolean;
  cdrom: boolean;
}

/** The per-device argument builders (storage/diskArgs.ts, network/nicArgs.ts), injected so this stays testable. */
export interface DeviceArgBuilders {
  disk(disk: LaunchDisk, prepared: PreparedDiskLike, port: string): string[];
  nic(nic: LaunchNic, port: string, ctx: { hubSocket?: string; node?: string }): string[];
}

export interface QemuArgsInput {
  spec: LaunchSpec;
  accel: 'kvm' | 'tcg';
  paths: RunPaths;
  /** Kernel + initrd files for a kernelBoot spec (from the guest artefacts). */
  kernel: { kernel: string; initrd: string } | null;
  /** Prepared disks by disk name. */
  disks: Record<string, PreparedDiskLike>;
  /** Segment socket per NAD name (bridge and SR-IOV NICs). */
  hubSockets: Record<string, string>;
  devices: DeviceArgBuilders;
  /** Guest configuration text (guest guestConfigText), passed through fw_cfg. */
  guestConfig: string;
  /** Migration target: `-incoming defer`, and SR-IOV VFs left out (plugged after the switch-over). */
  incoming?: boolean;
  /** Leave SR-IOV NICs out (their ports stay, empty). */
  omitVfs?: boolean;
}

/** The first pcie.0 slot used by root ports (slot 1 is the VGA). */
const FIRST_PORT_SLOT = 2;
/**
 * TCG runs every vCPU of a guest on one host thread. Multi-threaded TCG in
 * QEMU 7.2 (Debian 12) crashes now and then while a multi-vCPU guest boots
 * (SIGSEGV, or SIGABRT at hw/pci/msix.c msix_table_mmio_write: 2 of 12 4-vCPU
 * boots, 0 of 16 with thread=single; docs/qemu-notes.md), and on a 2-core
 * runner with two guests one thread each is also the fairer share. KVM is
 * what KubeVirt runs and is left as it is.
 */
const ACCEL_ARG: Record<QemuArgsInput['accel'], string> = { kvm: 'kvm', tcg: 'tcg,thread=single' };

/** Where the scrub starts: the x86-64 kernel's load address (CONFIG_PHYSICAL_START, 16 MiB; the guest boots with nokaslr). */
const SCRUB_START_MIB = 16;
/** The most it covers: the kernel, the decompressor's buffer and the early allocations of the next boot (docs/qemu-notes.md). */
const SCRUB_MAX_MIB = 128;
/** RAM left alone at the top (the firmware's tables are placed there after the reset anyway). */
const SCRUB_TOP_MARGIN_MIB = 16;

/**
 * The bytes of RAM that QEMU's generic loader (`-device loader`) overwrites
 * with zeros at each reset under TCG, from SCRUB_START_MIB; 0 for none. Pure.
 *
 * Why: TCG keeps the code it translated for the last boot's kernel. The next
 * boot's decompressor writes the new kernel over those pages, and each store
 * into a page that still holds translated code takes QEMU's slow path
 * (self-modifying-code checks), so a reboot took ~11 s against ~4 s for a cold
 * boot (docs/qemu-notes.md). A host-side write of the range (the loader's ROM
 * blob, copied in at every reset before the firmware runs) drops that code at
 * once. The guest cannot tell: RAM contents across a reset are undefined, the
 * firmware and the boot loader write what they need afterwards, and the
 * memory size and map (e820) do not change. None under KVM (no translated
 * code) and none for a kernel boot: QEMU itself loads that kernel (the
 * uncompressed ELF) into the same RAM at every reset, which already drops the
 * code there, and a scrub would overwrite it.
 */
export function tcgResetScrubBytes(accel: QemuArgsInput['accel'], spec: Pick<LaunchSpec, 'memoryMiB' | 'boot'>): number {
  if (accel !== 'tcg' || spec.boot.kind === 'kernel') return 0;
  const mib = Math.min(SCRUB_MAX_MIB, spec.memoryMiB - SCRUB_START_MIB - SCRUB_TOP_MARGIN_MIB);
  return mib > 0 ? mib * 1024 * 1024 : 0;
}

/** q35 keeps slot 0x1f for the ICH9 functions. */
const LAST_PORT_SLOT = 0x1e;

function rootPort(id: string, index: number): string[] {
  const slot = FIRST_PORT_SLOT + index;
  if (slot > LAST_PORT_SLOT) throw new Error(`too many PCI devices: root port ${id} would need slot ${slot} (max ${LAST_PORT_SLOT})`);
  return ['-device', `pcie-root-port,id=${optValue(id)},bus=pcie.0,chassis=${index + 1},addr=0x${slot.toString(16)}`];
}

function unixServer(id: string, path: string, extra = ''): string {
  return `socket,id=${id},path=${optValue(path)},server=on,wait=off${extra}`;
}

/** The argument array (without the binary). Throws on a caller bug (a disk not prepared, a NAD without a socket). */
export function qemuArgs(input: QemuArgsInput): string[] {
  const { spec, paths } = input;
  const machine = ['q35', spec.acpi ? 'acpi=on' : 'acpi=off'].join(',');
  const args: string[] = [
    '-name', `guest=${optValue(spec.name)},debug-threads=on`,
    '-machine', machine,
    '-accel', ACCEL_ARG[input.accel],
    '-m', `${spec.memoryMiB}M`,
    '-smp', `${spec.vcpus},sockets=${spec.cpu.sockets},cores=${spec.cpu.cores},threads=${spec.cpu.threads}`,
    '-nodefaults', '-no-user-config', '-display', 'none',
    '-action', 'panic=shutdown,shutdown=poweroff,reboot=reset',
    '-chardev', unixServer('qmp', paths.qmp), '-mon', 'chardev=qmp,mode=control',
    '-chardev', unixServer('ser0', paths.console, `,logfile=${optValue(paths.consoleLog)}`), '-serial', 'chardev:ser0',
    '-device', 'VGA,bus=pcie.0,addr=0x1', '-vnc', `unix:${optValue(paths.vnc)}`,
    '-device', 'pvpanic',
    // SeaBIOS writes its log to the debug console when there is one: "No bootable device." tells the
    // launcher at once that the guest will not boot (VmiLauncher.ts firmwareGaveUp). No guest-visible device.
    '-chardev', `file,id=fwlog,path=${optValue(paths.firmwareLog)}`, '-device', 'isa-debugcon,iobase=0x402,chardev=fwlog',
    '-fw_cfg', guestConfigFwCfgArg(input.guestConfig),
  ];
  // With a boot order, only the listed devices are tried, as libvirt runs QEMU (`-boot strict=on`);
  // without one, QEMU's default order (hard disk, floppy, cdrom) applies (docs/harness-choices.md).
  if (spec.disks.some((d) => d.bootOrder !== null)) args.push('-boot', 'strict=on');
  if (spec.boot.kind === 'kernel') {
    if (!input.kernel) throw new Error(`vmi ${spec.name}: kernelBoot without kernel artefacts`);
    args.push('-kernel', input.kernel.kernel, '-initrd', input.kernel.initrd, '-append', spec.boot.kernelArgs);
  }
  if (tcgResetScrubBytes(input.accel, spec) > 0) {
    args.push('-device', `loader,file=${optValue(paths.resetScrub)},addr=0x${(SCRUB_START_MIB * 1024 * 1024).toString(16)},force-raw=on`);
  }
  // A migration target stays stopped after the switch-over until its disks are complete (migration/diskMirror.ts).
  if (spec.startPaused || input.incoming) args.push('-S');
  if (input.incoming) args.push('-incoming', 'defer');

  let port = 0;
  for (const disk of spec.disks) {
    const prepared = input.disks[disk.name];
    if (!prepared) throw new Error(`vmi ${spec.name}: disk ${disk.name} was not prepared`);
    const id = portId.disk(disk.name);
    args.push(...rootPort(id, port++), ...input.devices.disk(disk, prepared, id));
  }
  for (const nic of spec.nics) {
    const id = portId.nic(nic.name);
    args.push(...rootPort(id, port++));
    if (nic.kind === 'sriov' && (input.omitVfs || input.incoming)) continue;
    const ctx: { hubSocket?: string; node?: string } = { node: spec.node };
    if (nic.kind !== 'pod') {
      const hub = nic.network ? input.hubSockets[nic.network] : undefined;
      if (!hub) throw new Error(`vmi ${spec.name}: nic ${nic.name} has no segment socket for network ${nic.network ?? '(none)'}`);
      ctx.hubSocket = hub;
    }
    args.push(...input.devices.nic(nic, id, ctx));
  }
  args.push(
    ...rootPort(portId.serial, port++),
    '-device', `virtio-serial-pci,id=vser0,bus=${portId.serial}`,
    '-chardev', unixServer('qga0', paths.qga),
    '-device', `virtserialport,bus=vser0.0,chardev=qga0,id=${QGA_PORT_ID},name=${QGA_PORT_NAME}`,
  );
  return args;
}
