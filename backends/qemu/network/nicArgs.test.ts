import { describe, expect, it } from 'vitest';
import type { LaunchNic } from '../../../harness/cluster/agent.ts';
import { nicArgs, nicDevice, nicMac, vfPlugCommands, vfUnplugCommands } from './nicArgs.ts';
import { vfIdentity } from './vfPool.ts';

const nic = (over: Partial<LaunchNic>): LaunchNic => ({
  name: 'default',
  mac: '52:54:00:00:00:01',
  macSource: 'generated',
  kind: 'pod',
  network: null,
  ipv4Cidr: '10.0.2.2/24',
  vf: null,
  model: 'virtio',
  ...over,
});

describe('nicArgs', () => {
  it('pod network: masquerade layout on -netdev user, restricted to stay off the host network', () => {
    expect(nicArgs(nic({}), 'port3', {})).toEqual([
      '-netdev',
      'user,id=net-default,net=10.0.2.0/24,host=10.0.2.1,dhcpstart=10.0.2.2,dns=10.0.2.3,restrict=on',
      '-device',
      'virtio-net-pci,netdev=net-default,mac=52:54:00:00:00:01,id=nic-default,bus=port3',
    ]);
  });

  it('bridge NAD: stream client on the segment socket, no multicast anywhere', () => {
    const args = nicArgs(nic({ name: 'blue', kind: 'bridge', network: 'blue-net' }), 'p1', { hubSocket: '/run/x/seg-1.sock' });
    expect(args).toEqual([
      '-netdev',
      'stream,id=net-blue,server=off,addr.type=unix,addr.path=/run/x/seg-1.sock',
      '-device',
      'virtio-net-pci,netdev=net-blue,mac=52:54:00:00:00:01,id=nic-blue,bus=p1',
    ]);
    expect(args.join(' ')).not.toMatch(/mcast|dgram/);
  });

  it('the device is the interface model (KubeVirt names → QEMU devices); an SR-IOV NIC is its VF, a virtio-net function, whatever the model', () => {
    expect(['virtio', 'e1000e', 'e1000', 'rtl8139'].map((model) => nicDevice(nic({ model })))).toEqual(['virtio-net-pci', 'e1000e', 'e1000', 'rtl8139']);
    expect(nicArgs(nic({ model: 'e1000e' }), 'port3', {})[3]).toMatch(/^e1000e,netdev=net-default,/);
    expect(nicDevice(nic({ kind: 'sriov', model: 'e1000e' }))).toBe('virtio-net-pci');
    expect(() => nicDevice(nic({ model: 'tulip' }))).toThrow(/nic default: no QEMU device for interface model tulip/);
  });

  it('escapes commas so a path cannot inject options', () => {
    const [, netdev] = nicArgs(nic({ kind: 'bridge', network: 'n' }), 'p1', { hubSocket: '/tmp/a,b.sock' });
    expect(netdev).toBe('stream,id=net-default,server=off,addr.type=unix,addr.path=/tmp/a,,b.sock');
  });

  it('a bridge or sriov NIC without a hub socket is a caller bug that names the NIC', () => {
    expect(() => nicArgs(nic({ name: 'blue', kind: 'bridge', network: 'blue-net' }), 'p1', {})).toThrow(
      /nic blue: .*hubSocket.*blue-net/,
    );
  });
});

describe('SR-IOV VF MAC and hotplug commands', () => {
  const vfNic = nic({ name: 'sriov1', kind: 'sriov', network: 'sriov-net', vf: { resource: 'intel.com/sriov_net', index: 1 }, mac: '' });

  it('LaunchNic.mac is authoritative; the pool MAC is only the fallback', () => {
    expect(nicMac({ ...vfNic, mac: '02:00:00:00:00:aa' }, { node: 'node01' })).toBe('02:00:00:00:00:aa');
    expect(nicMac(vfNic, { node: 'node01' })).toBe(vfIdentity('node01', 'intel.com/sriov_net', 1).mac);
    expect(() => nicMac(vfNic, {})).toThrow(/nic sriov1: no mac/);
  });

  it('plug: netdev_add of a stream client, then device_add on the root port', () => {
    expect(vfPlugCommands(vfNic, 'port5', { hubSocket: '/r/s.sock', node: 'node02' })).toEqual([
      { execute: 'netdev_add', arguments: { type: 'stream', id: 'net-sriov1', server: false, addr: { type: 'unix', path: '/r/s.sock' } } },
      {
        execute: 'device_add',
        arguments: { driver: 'virtio-net-pci', id: 'nic-sriov1', netdev: 'net-sriov1', mac: vfIdentity('node02', 'intel.com/sriov_net', 1).mac, bus: 'port5' },
      },
    ]);
  });

  it('unplug: device_del by device id, then netdev_del', () => {
    expect(vfUnplugCommands(vfNic)).toEqual([
      { execute: 'device_del', arguments: { id: 'nic-sriov1' } },
      { execute: 'netdev_del', arguments: { id: 'net-sriov1' } },
    ]);
  });
});
