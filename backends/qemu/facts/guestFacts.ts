/**
 * Guest facts read from the real world: the guest's own report
 * (`vmconform-facts`, one guest-exec) joined with QMP (`query-pci` maps each
 * device's root port to the PCI address the guest sees). Internal.
 *
 * The join is by PCI address, not by guest device name: every disk and NIC
 * sits alone behind its own pcie-root-port (launcher/qemuArgs.ts), so the
 * port's secondary bus, slot 0, function 0 is the address of the disk's
 * controller / the NIC in the guest, whatever the bus type.
 */
import type { DiskBus } from '../../../harness/api/index.ts';
import type { GuestFacts, LaunchSpec } from '../../../harness/cluster/index.ts';
import type { ObservedDisk, ObservedInterface } from '../../../harness/observe/types.ts';
import { NIC_MODEL_DEVICE, portId } from '../devices.ts';
import type { QgaClient } from '../qga/QgaClient.ts';
import type { QmpClient, QmpPciDevice } from '../qmp/QmpClient.ts';

/** What `/usr/bin/vmconform-facts` prints (guest). Internal. */
export interface RawFacts {
  bootId: string;
  vcpus: number;
  /** CPU packages in /proc/cpuinfo. */
  sockets: number;
  memTotalKiB: number;
  /** RAM in the fw_cfg e820 table the guest reads; null without the table. */
  ramBytes: number | null;
  /** `path`: the disk's sysfs device path. */
  disks: Array<{ dev: string; pci: string | null; path: string | null; serial: string | null; sizeBytes: number; token: string | null; fstype?: string; label?: string; mount?: string }>;
  /** `driver`: the NIC's kernel driver. */
  nics: Array<{ name: string; mac: string; driver: string | null; ipv4: string[] }>;
}

export const FACTS_TOOL = '/usr/bin/vmconform-facts';

/** Runs the facts tool in the guest. Throws QgaError/QgaTimeout, or an Error on bad output. */
export async function readRawFacts(qga: QgaClient, timeoutMs: number): Promise<RawFacts> {
  const r = await qga.exec(FACTS_TOOL, [], timeoutMs);
  if (r.exitCode !== 0) throw new Error(`${FACTS_TOOL} exited ${r.exitCode ?? `by signal ${r.signal}`}: ${r.stderr.trim()}`);
  try {
    return JSON.parse(r.stdout) as RawFacts;
  } catch {
    throw new Error(`${FACTS_TOOL} printed no JSON: ${r.stdout.slice(0, 200)}`);
  }
}

/**
 * The bus a disk's sysfs device path shows, as KubeVirt names it: virtio-blk
 * ends at its virtio device, virtio-scsi goes on to a SCSI host, AHCI disks
 * sit under an ATA port, USB storage under a USB bus. Pure.
 */
const PATH_BUS: ReadonlyArray<[RegExp, DiskBus]> = [
  [/\/ata\d+\//, 'sata'],
  [/\/usb\d+\//, 'usb'],
  [/\/virtio\d+\/host\d+\//, 'scsi'],
  [/\/virtio\d+$/, 'virtio'],
];

export function busOfPath(path: string | null): DiskBus | null {
  if (path === null) return null;
  for (const [re, bus] of PATH_BUS) if (re.test(path)) return bus;
  return null;
}

/** Guest kernel driver → KubeVirt's interfaces[].model. Pure. */
const DRIVER_MODEL: Readonly<Record<string, string>> = {
  virtio_net: 'virtio',
  e1000e: 'e1000e',
  e1000: 'e1000',
  '8139cp': 'rtl8139',
  '8139too': 'rtl8139',
  igb: 'igb',
  'ne2k-pci': 'ne2k_pci',
  pcnet32: 'pcnet',
};

export function modelOfDriver(driver: string | null): string | null {
  return driver === null ? null : (DRIVER_MODEL[driver] ?? driver);
}

/** QEMU device type → KubeVirt's names (rule 3 of observeGuests.ts: what QMP shows of a guest that has not answered). Pure. */
const DEVICE_BUS: Readonly<Record<string, DiskBus>> = {
  'virtio-blk-pci': 'virtio',
  'scsi-hd': 'scsi',
  'scsi-cd': 'scsi',
  'ide-hd': 'sata',
  'ide-cd': 'sata',
  'usb-storage': 'usb',
};
const DEVICE_MODEL: Readonly<Record<string, string>> = Object.fromEntries(Object.entries(NIC_MODEL_DEVICE).map(([model, device]) => [device, model]));

export function busOfDevice(type: unknown): DiskBus | null {
  return typeof type === 'string' ? (DEVICE_BUS[type] ?? null) : null;
}

export function modelOfDevice(type: unknown): string | null {
  return typeof type === 'string' ? (DEVICE_MODEL[type] ?? type) : null;
}

const MiB = 1024 * 1024;

/** Guest RAM in MiB from the e820 table the guest read. Pure. */
export function ramMiB(raw: RawFacts): number | null {
  return typeof raw.ramBytes === 'number' ? Math.round(raw.ramBytes / MiB) : null;
}

const hex = (n: number, width: number): string => n.toString(16).padStart(width, '0');

/** Root port qdev id → guest PCI address (`0000:BB:00.0`) of the device behind it. Pure. */
export function portAddresses(buses: Array<{ bus: number; devices: QmpPciDevice[] }>): Map<string, string> {
  const out = new Map<string, string>();
  const walk = (devices: QmpPciDevice[]): void => {
    for (const d of devices) {
      const bridge = d.pci_bridge;
      if (!bridge) continue;
      if (d.qdev_id) out.set(d.qdev_id, `0000:${hex(bridge.bus.secondary, 2)}:00.0`);
      walk(bridge.devices ?? []);
    }
  };
  for (const b of buses) walk(b.devices);
  return out;
}

/** Reads the port → address map from QMP. */
export async function queryPortAddresses(qmp: QmpClient, timeoutMs: number): Promise<Map<string, string>> {
  return portAddresses(await qmp.execute('query-pci', undefined, timeoutMs));
}

/** Disks without a size in the observation: cdroms and config disks (harness/observe/types.ts). */
function hasSize(d: LaunchSpec['disks'][number]): boolean {
  return !d.cdrom && d.source.kind !== 'configIso';
}

/**
 * The interfaces and disks of a spec as the guest reports them. Pure. A
 * device the guest does not show gets nulls (absent in the guest).
 */
export function joinFacts(spec: LaunchSpec, raw: RawFacts, ports: Map<string, string>, macs: Record<string, string>): { interfaces: ObservedInterface[]; disks: ObservedDisk[] } {
  const disks = spec.disks.map((d): ObservedDisk => {
    const addr = ports.get(portId.disk(d.name));
    const g = addr ? raw.disks.find((x) => x.pci === addr) : undefined;
    return {
      name: d.name,
      serial: g ? g.serial : null,
      sizeBytes: g && hasSize(d) ? g.sizeBytes : null,
      token: g ? g.token : null,
      bus: g ? busOfPath(g.path) : null,
    };
  });
  const interfaces = spec.nics.map((n): ObservedInterface => {
    const mac = (macs[n.name] ?? n.mac).toLowerCase();
    const g = raw.nics.find((x) => x.mac.toLowerCase() === mac);
    const ip = g?.ipv4[0];
    return { name: n.name, mac: g ? g.mac.toLowerCase() : null, macSource: n.macSource, ipv4: ip ? ip.split('/')[0]! : null, model: g ? modelOfDriver(g.driver) : null };
  });
  return { interfaces, disks };
}

/**
 * Guest facts from the guest's own report: boot id (null for a paused
 * guest: it cannot answer), NICs, disks, memory, vCPUs and sockets. Pure.
 */
export function guestReport(spec: LaunchSpec, raw: RawFacts, ports: Map<string, string>, macs: Record<string, string>, live: boolean): GuestFacts {
  return { bootId: live ? raw.bootId : null, ...joinFacts(spec, raw, ports, macs), memoryMiB: ramMiB(raw), vcpus: raw.vcpus, sockets: raw.sockets };
}
