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
import type { GuestFacts, LaunchSpec } from '../../../harness/cluster/index.ts';
import type { ObservedDisk, ObservedInterface } from '../../../harness/observe/types.ts';
import { portId } from '../devices.ts';
import type { QgaClient } from '../qga/QgaClient.ts';
import type { QmpClient, QmpPciDevice } from '../qmp/QmpClient.ts';

/** What `/usr/bin/vmconform-facts` prints (guest). Internal. */
export interface RawFacts {
  bootId: string;
  vcpus: number;
  memTotalKiB: number;
  disks: Array<{ dev: string; pci: string | null; serial: string | null; sizeBytes: number; token: string | null; fstype?: string; label?: string; mount?: string }>;
  nics: Array<{ name: string; mac: string; ipv4: string[] }>;
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
    };
  });
  const interfaces = spec.nics.map((n): ObservedInterface => {
    const mac = (macs[n.name] ?? n.mac).toLowerCase();
    const g = raw.nics.find((x) => x.mac.toLowerCase() === mac);
    const ip = g?.ipv4[0];
    return { name: n.name, mac: g ? g.mac.toLowerCase() : null, macSource: n.macSource, ipv4: ip ? ip.split('/')[0]! : null };
  });
  return { interfaces, disks };
}

/** Guest facts of a running guest whose agent answered. Pure. */
export function runningFacts(spec: LaunchSpec, raw: RawFacts, ports: Map<string, string>, macs: Record<string, string>, memoryMiB: number | null): GuestFacts {
  return { bootId: raw.bootId, ...joinFacts(spec, raw, ports, macs), memoryMiB, vcpus: raw.vcpus };
}
