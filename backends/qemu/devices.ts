/**
 * The names QEMU knows our devices by, in one place: qdev ids, root port
 * ids, netdev ids, block node names, the guest agent's port. The argument
 * builders (launcher/qemuArgs.ts, network/nicArgs.ts, storage/diskArgs.ts)
 * give them; QMP code (guest operations, observation, migration, hotplug)
 * finds devices and events by them. Internal (backends/qemu). Pure.
 */
import { createHash } from 'node:crypto';

/** Doubles commas so a value cannot break out of a QEMU key=value option string. */
export const optValue = (value: string): string => value.replaceAll(',', ',,');

/** Name of the virtio-serial port the guest agent listens on. */
export const QGA_PORT_NAME = 'org.qemu.guest_agent.0';
/** qdev id of that port: VSERPORT_CHANGE events name it when the guest opens or closes the channel. */
export const QGA_PORT_ID = 'qga-port';

/** Root port ids, by device: stable names the migration and hotplug code use too. */
export const portId = {
  disk: (name: string): string => `rp-d-${name}`,
  nic: (name: string): string => `rp-n-${name}`,
  serial: 'rp-serial',
} as const;

/** KubeVirt's interfaces[].model → QEMU device (libvirt's model names). */
export const NIC_MODEL_DEVICE: Readonly<Record<string, string>> = {
  virtio: 'virtio-net-pci',
  e1000e: 'e1000e',
  e1000: 'e1000',
  rtl8139: 'rtl8139',
  igb: 'igb',
  ne2k_pci: 'ne2k_pci',
  pcnet: 'pcnet',
};

/** QEMU device id of a NIC (also the id in DEVICE_DELETED). */
export function nicDeviceId(nic: { name: string }): string {
  return `nic-${nic.name}`;
}

/** QEMU netdev id of a NIC. */
export function nicNetdevId(nic: { name: string }): string {
  return `net-${nic.name}`;
}

/** QEMU device id of a disk. */
export function diskDeviceId(name: string): string {
  return `disk-${name}`;
}

/** QEMU node names: ≤31 characters, a letter first, then [A-Za-z0-9_-]. */
const NODE_KEY_MAX = 24;

/** A short key for node names: the disk name when it fits, else a prefix plus a digest. */
function nodeKey(name: string): string {
  if (/^[A-Za-z0-9_-]+$/.test(name) && name.length <= NODE_KEY_MAX) return name;
  const digest = createHash('sha256').update(name).digest('hex').slice(0, 7);
  return `${name.replace(/[^A-Za-z0-9_-]/g, '_').slice(0, NODE_KEY_MAX - 8)}-${digest}`;
}

/** Node names of a disk's block graph (QMP code queries blocks by node name). */
export function diskNodeNames(name: string): { format: string; file: string; baseFormat: string; baseFile: string } {
  const key = nodeKey(name);
  return { format: `d-${key}`, file: `f-${key}`, baseFormat: `b-${key}`, baseFile: `bf-${key}` };
}
