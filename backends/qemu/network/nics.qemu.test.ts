/**
 * Real guests on nicArgs' networks: two kernel-booted guests ping each other
 * through a bridge NAD's segment switch; an SR-IOV VF is hot-plugged (pool
 * MAC visible in the guest, traffic on the SR-IOV segment) and hot-unplugged
 * (DEVICE_DELETED, NIC gone from the guest); the pod network hands out the
 * masquerade address by DHCP even with slirp restricted.
 */
import { WAIT_BOOTED } from '../launcher/VmiLauncher.ts';
import { execa, type ResultPromise } from 'execa';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { LaunchNic } from '../../../harness/cluster/agent.ts';
import { DEFAULT_KERNEL_ARGS, GUEST_TOOLS, guestArtefacts, guestConfigFwCfgArg, guestConfigText } from '../../../guest/artefacts.ts';
import { QgaClient } from '../qga/QgaClient.ts';
import { QmpClient } from '../qmp/QmpClient.ts';
import { retryUntil } from '../retryUntil.ts';
import { privateDir } from '../testing/privateDir.ts';
import { HubSet } from './HubSet.ts';
import { nicDeviceId } from '../devices.ts';
import { nicArgs, vfPlugCommands, vfUnplugCommands } from './nicArgs.ts';
import { vfIdentity } from './vfPool.ts';

const QEMU = process.env['VMCONFORM_QEMU'] ?? 'qemu-system-x86_64';
const BOOT_MS = 90_000;

interface Guest {
  name: string;
  proc: ResultPromise;
  qmp: QmpClient;
  qga: QgaClient;
}

interface GuestNic {
  nic: LaunchNic;
  /** Static address the guest configures at boot (fw_cfg `static=MAC CIDR`). */
  cidr?: string;
}

const nic = (name: string, kind: LaunchNic['kind'], network: string, mac: string, over: Partial<LaunchNic> = {}): LaunchNic => ({
  name,
  mac,
  macSource: 'spec',
  kind,
  network,
  ipv4Cidr: null,
  vf: null,
  model: 'virtio',
  ...over,
});

const SRIOV_RESOURCE = 'intel.com/sriov_net';

describe('NAD segments with real guests (QEMU q35, TCG, kernel boot)', () => {
  let dir: string;
  let cleanupDir: () => Promise<void>;
  let hubs: HubSet;
  const guests: Guest[] = [];
  const procs: ResultPromise[] = [];

  beforeEach(async () => {
    ({ dir, cleanup: cleanupDir } = await privateDir('vq-net'));
    hubs = new HubSet(dir);
  });

  afterEach(async () => {
    for (const g of guests.splice(0)) {
      await g.qga.close();
      await g.qmp.close();
    }
    for (const p of procs.splice(0)) {
      if (p.pid && p.exitCode === null) process.kill(-p.pid, 'SIGKILL');
      await p;
    }
    await hubs.close();
    await cleanupDir();
  });

  /**
   * Boots a guest with `nics` (each on its own root port) plus `freePorts`
   * empty root ports for hotplug; `incoming` starts a migration target
   * (same devices, own run dir) instead, without waiting for its agent.
   */
  async function boot(name: string, nics: GuestNic[], freePorts: string[] = [], incoming = false): Promise<Guest> {
    const a = guestArtefacts();
    const gdir = join(dir, incoming ? `${name}.target` : name);
    await execa('mkdir', ['-m', '0700', gdir]);
    const qmpPath = join(gdir, 'qmp');
    const qgaPath = join(gdir, 'qga');
    const pod = nics.find((n) => n.nic.kind === 'pod')?.nic.mac;
    const config = guestConfigText({
      hostname: name,
      ...(pod ? { pod } : {}),
      statics: nics.flatMap((n) => (n.cidr ? [{ mac: n.nic.mac, cidr: n.cidr }] : [])),
    });
    const args = [
      '-accel', 'tcg', '-machine', 'q35', '-m', '256', '-smp', '1', '-nodefaults', '-no-user-config', '-display', 'none',
      '-kernel', a.vmlinuz, '-initrd', a.initrd, '-append', DEFAULT_KERNEL_ARGS,
      '-fw_cfg', guestConfigFwCfgArg(config),
      '-qmp', `unix:${qmpPath},server=on,wait=off`,
      '-serial', `file:${join(gdir, 'console.log')}`,
      '-chardev', `socket,id=qga0,path=${qgaPath},server=on,wait=off`,
      ...(incoming ? ['-incoming', 'defer'] : []),
    ];
    const ports = [...nics.map((n) => `rp-${n.nic.name}`), ...freePorts, 'rp-serial'];
    ports.forEach((id, i) => args.push('-device', `pcie-root-port,id=${id},chassis=${i + 1}`));
    for (const n of nics) {
      const ctx = n.nic.network ? { hubSocket: await hubs.socketFor(n.nic.network) } : {};
      args.push(...nicArgs(n.nic, `rp-${n.nic.name}`, ctx));
    }
    args.push('-device', 'virtio-serial-pci,id=vser0,bus=rp-serial', '-device', 'virtserialport,bus=vser0.0,chardev=qga0,name=org.qemu.guest_agent.0');

    const proc = execa(QEMU, args, { reject: false, detached: true, stdin: 'ignore' });
    procs.push(proc);
    const giveUp = (): string | null => (proc.exitCode !== null ? `QEMU exited: ${String(proc.stderr ?? '')}` : null);
    const qmp = await retryUntil(() => QmpClient.connect(qmpPath, { timeoutMs: 1000 }), { timeoutMs: 10_000, what: `${name} QMP`, giveUp });
    const qga = await QgaClient.connect(qgaPath);
    const guest = { name, proc, qmp, qga };
    guests.push(guest);
    if (!incoming) {
      await qga.ping(BOOT_MS);
      // The agent answers before the guest has set up its NICs: wait for the end of its boot.
      const booted = await qga.exec(WAIT_BOOTED, [], BOOT_MS);
      if (booted.exitCode !== 0) throw new Error(`${name}: ${WAIT_BOOTED} exited ${booted.exitCode}`);
    }
    return guest;
  }

  /** Runs `vmconform-ping ip` in the guest until it answers (ARP may need a first round), up to `tries`. */
  async function pings(from: Guest, ip: string, tries = 5): Promise<boolean> {
    for (let i = 0; i < tries; i++) {
      if ((await from.qga.exec(GUEST_TOOLS.ping, [ip], 10_000)).exitCode === 0) return true;
    }
    return false;
  }

  /** The guest's NICs as vmconform-facts reports them. */
  async function guestNics(g: Guest): Promise<{ name: string; mac: string; ipv4: string[] }[]> {
    const r = await g.qga.exec(GUEST_TOOLS.facts, [], 20_000);
    return (JSON.parse(r.stdout) as { nics: { name: string; mac: string; ipv4: string[] }[] }).nics;
  }

  it('two guests on one bridge NAD segment ping each other; an address off the segment does not answer', { timeout: 240_000 }, async () => {
    const [a, b] = await Promise.all([
      boot('vm-a', [{ nic: nic('blue', 'bridge', 'blue-net', '02:00:00:00:0a:01'), cidr: '192.168.50.1/24' }]),
      boot('vm-b', [{ nic: nic('blue', 'bridge', 'blue-net', '02:00:00:00:0b:01'), cidr: '192.168.50.2/24' }]),
    ]);
    expect(await guestNics(a)).toEqual([{ name: expect.any(String), mac: '02:00:00:00:0a:01', driver: 'virtio_net', ipv4: ['192.168.50.1/24'] }]);
    expect(await pings(a, '192.168.50.2')).toBe(true);
    expect(await pings(b, '192.168.50.1')).toBe(true);
    expect(await pings(a, '192.168.50.9', 1)).toBe(false);
  });

  it('SR-IOV VF: hot-plug shows the pool MAC in the guest and joins the segment; hot-unplug removes it', { timeout: 240_000 }, async () => {
    const vf = { resource: SRIOV_RESOURCE, index: 2 };
    const bVf = nic('sriov1', 'sriov', 'sriov-net', vfIdentity('node02', SRIOV_RESOURCE, 0).mac, { vf: { resource: SRIOV_RESOURCE, index: 0 } });
    const [a, b] = await Promise.all([
      boot('vm-a', [], ['rp-vf']),
      boot('vm-b', [{ nic: bVf, cidr: '192.168.60.2/24' }]),
    ]);
    // LaunchNic without a MAC: the VF's pool MAC (vfIdentity) is used.
    const aVf = nic('sriov1', 'sriov', 'sriov-net', '', { vf });
    const poolMac = vfIdentity('node01', SRIOV_RESOURCE, 2).mac;
    for (const c of vfPlugCommands(aVf, 'rp-vf', { hubSocket: await hubs.socketFor('sriov-net'), node: 'node01' })) {
      await a.qmp.executeRaw(c.execute, c.arguments);
    }
    const plugged = await retryUntil(
      async () => {
        const found = (await guestNics(a)).find((n) => n.mac === poolMac);
        if (!found) throw new Error(`no NIC with ${poolMac} yet`);
        return found;
      },
      { timeoutMs: 20_000, intervalMs: 200, what: 'hot-plugged VF in the guest' },
    );
    // The guest configured its NICs at boot; address the new VF by hand, as a guest's hotplug handler would.
    const up = await a.qga.exec('/bin/sh', ['-c', 'ip link set "$1" up && ip addr add "$2" dev "$1"', 'sh', plugged.name, '192.168.60.1/24'], 10_000);
    expect(up.exitCode).toBe(0);
    expect(await pings(a, '192.168.60.2')).toBe(true);

    const [del, netdevDel] = vfUnplugCommands(aVf);
    const deleted = a.qmp.waitEvent('DEVICE_DELETED', 10_000, (d) => d['device'] === nicDeviceId(aVf));
    await a.qmp.executeRaw(del.execute, del.arguments);
    await deleted;
    await a.qmp.executeRaw(netdevDel.execute, netdevDel.arguments);
    expect((await guestNics(a)).map((n) => n.mac)).not.toContain(poolMac);
    expect(await pings(b, '192.168.60.1', 1)).toBe(false);
  });

  it('pod network: the guest gets the masquerade address 10.0.2.2/24 by DHCP and reaches the gateway', { timeout: 240_000 }, async () => {
    const pod = nic('default', 'pod', '', '52:54:00:00:00:0c', { network: null, ipv4Cidr: '10.0.2.2/24' });
    const g = await boot('vm-pod', [{ nic: pod }]);
    const lease = await retryUntil(
      async () => {
        const found = (await guestNics(g)).find((n) => n.mac === pod.mac && n.ipv4.length > 0);
        if (!found) throw new Error('no DHCP lease yet');
        return found.ipv4;
      },
      { timeoutMs: 30_000, intervalMs: 500, what: 'pod DHCP lease' },
    );
    expect(lease).toEqual(['10.0.2.2/24']);
    expect(await pings(g, '10.0.2.1')).toBe(true);
  });

  it('a migration target joins the segment while the source is attached; after the switch-over the peer reaches the migrated guest', { timeout: 240_000 }, async () => {
    const aNics = [{ nic: nic('blue', 'bridge', 'blue-net', '02:00:00:00:0a:01'), cidr: '192.168.50.1/24' }];
    const [a, b] = await Promise.all([
      boot('vm-a', aNics),
      boot('vm-b', [{ nic: nic('blue', 'bridge', 'blue-net', '02:00:00:00:0b:01'), cidr: '192.168.50.2/24' }]),
    ]);
    expect(await pings(b, '192.168.50.1')).toBe(true); // b has learned a's MAC on the source's port
    const target = await boot('vm-a', aNics, [], true);
    const uri = `unix:${join(dir, 'mig')}`;
    const events = { capabilities: [{ capability: 'events', state: true }] };
    await target.qmp.execute('migrate-set-capabilities', events);
    await target.qmp.execute('migrate-incoming', { uri });
    const completed = target.qmp.waitEvent('MIGRATION', 60_000, (d) => d['status'] === 'completed');
    await a.qmp.execute('migrate', { uri });
    await completed;
    // Source still attached (postmigrate) until it quits; the target announced the MAC on its own port.
    await a.qmp.execute('quit');
    await a.proc;
    expect(await pings(b, '192.168.50.1')).toBe(true);
    expect(await pings(target, '192.168.50.2')).toBe(true);
  });
});
