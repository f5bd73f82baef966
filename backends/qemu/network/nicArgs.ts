/**
 * QEMU arguments and QMP commands for one NIC of a LaunchSpec. Public
 * (internal to the qemu backend: the command-line builder and the migration
 * code call it). Pure: no I/O.
 *
 * - pod network (KubeVirt masquerade): `-netdev user` with the masquerade
 *   layout (guest 10.0.2.2 by DHCP, gateway 10.0.2.1, DNS 10.0.2.3) and
 *   `restrict=on`, so that slirp never opens a host socket for the guest:
 *   the host may send traffic only to loopback and unix sockets. DHCP and the
 *   virtual gateway are slirp-internal and keep working.
 * - bridge and SR-IOV NetworkAttachmentDefinitions: `-netdev stream` client
 *   on the unix socket of the NAD's segment switch (see HubSet).
 * - SR-IOV VFs are virtio-net-pci devices on a pcie-root-port: present at
 *   launch, hot-unplugged before a migration and hot-plugged on the target
 *   (vfUnplugCommands / vfPlugCommands).
 */
import type { LaunchNic } from '../../../harness/cluster/index.ts';
import { NIC_MODEL_DEVICE, nicDeviceId, nicNetdevId, optValue } from '../devices.ts';
import { vfIdentity } from './vfPool.ts';

/** Facts nicArgs needs besides the NIC. Public. */
export interface NicContext {
  /** Unix socket of the NAD's segment switch (HubSet.socketFor); required for bridge and sriov NICs. */
  hubSocket?: string;
  /** Node the NIC runs on: names the VF whose pool MAC an SR-IOV NIC without `mac` gets. */
  node?: string;
}

/** A QMP command as sent on the wire. Public. */
export interface QmpCommand {
  execute: string;
  arguments: Record<string, unknown>;
}

/** KubeVirt masquerade layout of the pod network. Public. */
export const POD_NETWORK = {
  cidr: '10.0.2.0/24',
  gateway: '10.0.2.1',
  guest: '10.0.2.2',
  dns: '10.0.2.3',
} as const;

function requireSocket(nic: LaunchNic, ctx: NicContext): string {
  if (!ctx.hubSocket) {
    throw new Error(`nic ${nic.name}: a ${nic.kind} NIC needs ctx.hubSocket (HubSet.socketFor(${nic.network ?? '?'}))`);
  }
  return ctx.hubSocket;
}

/**
 * The MAC of a NIC: `nic.mac` (authoritative, what the control plane
 * observes), else for an SR-IOV NIC the MAC of its VF in the node's pool.
 * Public, pure. Throws when neither exists (a caller bug).
 */
export function nicMac(nic: LaunchNic, ctx: NicContext): string {
  if (nic.mac) return nic.mac;
  if (nic.kind === 'sriov' && nic.vf && ctx.node) return vfIdentity(ctx.node, nic.vf.resource, nic.vf.index).mac;
  throw new Error(`nic ${nic.name}: no mac (a ${nic.kind} NIC needs LaunchNic.mac${nic.kind === 'sriov' ? ', or vf and ctx.node' : ''})`);
}

/** The `-netdev` option string of a NIC. */
function netdevOption(nic: LaunchNic, ctx: NicContext): string {
  const id = `id=${optValue(nicNetdevId(nic))}`;
  if (nic.kind === 'pod') {
    const p = POD_NETWORK;
    return `user,${id},net=${p.cidr},host=${p.gateway},dhcpstart=${p.guest},dns=${p.dns},restrict=on`;
  }
  return `stream,${id},server=off,addr.type=unix,addr.path=${optValue(requireSocket(nic, ctx))}`;
}

/** The QEMU device of a NIC; an SR-IOV NIC is its VF, a virtio-net function here (vfPool.ts). Public, pure. Throws on a model QEMU has no device for (admission refuses it first). */
export function nicDevice(nic: LaunchNic): string {
  if (nic.kind === 'sriov') return 'virtio-net-pci';
  const d = NIC_MODEL_DEVICE[nic.model];
  if (!d) throw new Error(`nic ${nic.name}: no QEMU device for interface model ${nic.model}`);
  return d;
}

function deviceOption(nic: LaunchNic, port: string, ctx: NicContext): string {
  return [
    nicDevice(nic),
    `netdev=${optValue(nicNetdevId(nic))}`,
    `mac=${optValue(nicMac(nic, ctx))}`,
    `id=${optValue(nicDeviceId(nic))}`,
    `bus=${optValue(port)}`,
  ].join(',');
}

/**
 * Command-line arguments of a NIC on pcie-root-port `port`. Public, pure.
 * Throws on a bridge/sriov NIC without ctx.hubSocket (a caller bug).
 */
export function nicArgs(nic: LaunchNic, port: string, ctx: NicContext): string[] {
  return ['-netdev', netdevOption(nic, ctx), '-device', deviceOption(nic, port, ctx)];
}

/**
 * QMP commands that hot-plug a VF NIC on `port` (netdev_add, then
 * device_add). Public, pure. The guest sees the NIC ~0.1 s after device_add.
 */
export function vfPlugCommands(nic: LaunchNic, port: string, ctx: NicContext): QmpCommand[] {
  return [
    {
      execute: 'netdev_add',
      arguments: {
        type: 'stream',
        id: nicNetdevId(nic),
        server: false,
        addr: { type: 'unix', path: requireSocket(nic, ctx) },
      },
    },
    {
      execute: 'device_add',
      arguments: { driver: 'virtio-net-pci', id: nicDeviceId(nic), netdev: nicNetdevId(nic), mac: nicMac(nic, ctx), bus: port },
    },
  ];
}

/**
 * QMP commands that hot-unplug a VF NIC, in order: `device_del`, then
 * `netdev_del`. Public, pure. The caller sends the first, waits for the
 * DEVICE_DELETED event whose `device` is nicDeviceId(nic) (a second
 * DEVICE_DELETED names only the virtio backend path), then sends the second.
 */
export function vfUnplugCommands(nic: LaunchNic): [QmpCommand, QmpCommand] {
  return [
    { execute: 'device_del', arguments: { id: nicDeviceId(nic) } },
    { execute: 'netdev_del', arguments: { id: nicNetdevId(nic) } },
  ];
}
