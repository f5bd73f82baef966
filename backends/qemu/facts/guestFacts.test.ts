import { describe, expect, it } from 'vitest';
import type { LaunchSpec } from '../../../harness/cluster/agent.ts';
import type { QmpPciDevice } from '../qmp/QmpClient.ts';
import { joinFacts, portAddresses, type RawFacts } from './guestFacts.ts';

const bridge = (qdev_id: string, slot: number, secondary: number, devices: QmpPciDevice[] = []): QmpPciDevice => ({
  bus: 0, slot, function: 0, qdev_id, class_info: { class: 1540 }, id: { device: 0x000c, vendor: 0x1b36 },
  pci_bridge: { bus: { number: 0, secondary, subordinate: secondary }, devices },
});

describe('portAddresses (query-pci → guest PCI address behind each root port)', () => {
  it('maps every root port by qdev id to slot 0 of its secondary bus, in hex', () => {
    const pci = [{ bus: 0, devices: [bridge('rp-d-root', 2, 1), bridge('rp-n-default', 3, 0x1a), { bus: 0, slot: 1, function: 0, qdev_id: '', class_info: { class: 768 }, id: { device: 0x1111, vendor: 0x1234 } }] }];
    expect([...portAddresses(pci)]).toEqual([['rp-d-root', '0000:01:00.0'], ['rp-n-default', '0000:1a:00.0']]);
  });
});

const spec = {
  disks: [
    { name: 'root', serial: null, bus: 'virtio', cdrom: false, readonly: false, bootOrder: null, source: { kind: 'containerDisk', image: 'x', format: 'qcow2' } },
    { name: 'cfg', serial: 'CFG', bus: 'sata', cdrom: true, readonly: true, bootOrder: null, source: { kind: 'configIso', label: 'cidata', files: {} } },
    { name: 'gone', serial: null, bus: 'virtio', cdrom: false, readonly: false, bootOrder: null, source: { kind: 'emptyDisk', sizeBytes: 1 } },
  ],
  nics: [
    { name: 'default', mac: '52:54:00:AA:00:01', macSource: 'generated', kind: 'pod', network: null, ipv4Cidr: null, vf: null },
    { name: 'absent', mac: '52:54:00:aa:00:09', macSource: 'spec', kind: 'bridge', network: 'n', ipv4Cidr: '10.1.0.5/24', vf: null },
  ],
} as unknown as LaunchSpec;

const raw: RawFacts = {
  bootId: 'b', vcpus: 2, memTotalKiB: 200000,
  disks: [
    { dev: 'vda', pci: '0000:01:00.0', serial: null, sizeBytes: 67108864, token: 'T' },
    { dev: 'sr0', pci: '0000:02:00.0', serial: 'CFG', sizeBytes: 364544, token: null, fstype: 'iso9660', label: 'cidata' },
  ],
  nics: [{ name: 'eth0', mac: '52:54:00:aa:00:01', ipv4: ['10.0.2.2/24'] }],
};

describe('joinFacts (guest report joined to the spec by PCI address and MAC)', () => {
  it('takes serial/size/token by PCI address, nulls sizes of config disks, nulls what the guest does not show', () => {
    const ports = new Map([['rp-d-root', '0000:01:00.0'], ['rp-d-cfg', '0000:02:00.0'], ['rp-d-gone', '0000:03:00.0']]);
    const got = joinFacts(spec, raw, ports, { default: '52:54:00:AA:00:01', absent: '52:54:00:aa:00:09' });
    expect(got.disks).toEqual([
      { name: 'root', serial: null, sizeBytes: 67108864, token: 'T' },
      { name: 'cfg', serial: 'CFG', sizeBytes: null, token: null },
      { name: 'gone', serial: null, sizeBytes: null, token: null },
    ]);
    expect(got.interfaces).toEqual([
      { name: 'default', mac: '52:54:00:aa:00:01', macSource: 'generated', ipv4: '10.0.2.2' },
      { name: 'absent', mac: null, macSource: 'spec', ipv4: null },
    ]);
  });
});
