import { describe, expect, it } from 'vitest';
import type { LaunchSpec } from '../../../harness/cluster/agent.ts';
import type { QmpPciDevice } from '../qmp/QmpClient.ts';
import { busOfPath, guestReport, joinFacts, modelOfDriver, portAddresses, type RawFacts } from './guestFacts.ts';

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
    { name: 'data', serial: 'D1', bus: 'scsi', cdrom: false, readonly: false, bootOrder: null, source: { kind: 'emptyDisk', sizeBytes: 1 } },
  ],
  nics: [
    { name: 'default', mac: '52:54:00:AA:00:01', macSource: 'generated', kind: 'pod', network: null, ipv4Cidr: null, vf: null },
    { name: 'absent', mac: '52:54:00:aa:00:09', macSource: 'spec', kind: 'bridge', network: 'n', ipv4Cidr: '10.1.0.5/24', vf: null },
  ],
} as unknown as LaunchSpec;

const raw: RawFacts = {
  bootId: 'b', vcpus: 2, sockets: 2, memTotalKiB: 200000, ramBytes: 256 * 1024 * 1024,
  disks: [
    { dev: 'vda', pci: '0000:01:00.0', path: '/sys/devices/pci0000:00/0000:00:02.0/0000:01:00.0/virtio1', serial: null, sizeBytes: 67108864, token: 'T' },
    { dev: 'sr0', pci: '0000:02:00.0', path: '/sys/devices/pci0000:00/0000:00:02.1/0000:02:00.0/ata1/host0/target0:0:0/0:0:0:0', serial: 'CFG', sizeBytes: 364544, token: null, fstype: 'iso9660', label: 'cidata' },
    { dev: 'sda', pci: '0000:04:00.0', path: '/sys/devices/pci0000:00/0000:00:02.3/0000:04:00.0/virtio3/host1/target1:0:0/1:0:0:0', serial: 'D1', sizeBytes: 1, token: null },
  ],
  nics: [{ name: 'eth0', mac: '52:54:00:aa:00:01', driver: 'virtio_net', ipv4: ['10.0.2.2/24'] }],
};

const ports = new Map([['rp-d-root', '0000:01:00.0'], ['rp-d-cfg', '0000:02:00.0'], ['rp-d-gone', '0000:03:00.0'], ['rp-d-data', '0000:04:00.0']]);
const macs = { default: '52:54:00:AA:00:01', absent: '52:54:00:aa:00:09' };

describe('joinFacts (guest report joined to the spec by PCI address and MAC)', () => {
  it('takes serial/size/token by PCI address, nulls sizes of config disks, nulls what the guest does not show', () => {
    const got = joinFacts(spec, raw, ports, macs);
    expect(got.disks).toEqual([
      { name: 'root', serial: null, sizeBytes: 67108864, token: 'T', bus: 'virtio' },
      { name: 'cfg', serial: 'CFG', sizeBytes: null, token: null, bus: 'sata' },
      { name: 'gone', serial: null, sizeBytes: null, token: null, bus: null },
      { name: 'data', serial: 'D1', sizeBytes: 1, token: null, bus: 'scsi' },
    ]);
    expect(got.interfaces).toEqual([
      { name: 'default', mac: '52:54:00:aa:00:01', macSource: 'generated', ipv4: '10.0.2.2', model: 'virtio' },
      { name: 'absent', mac: null, macSource: 'spec', ipv4: null, model: null },
    ]);
  });

  it('memory is the RAM of the guest\'s e820 table (MiB), sockets and vCPUs as the guest counts them; a paused guest has no boot id', () => {
    const live = guestReport(spec, raw, ports, macs, true);
    expect([live.bootId, live.memoryMiB, live.vcpus, live.sockets]).toEqual(['b', 256, 2, 2]);
    expect(guestReport(spec, { ...raw, ramBytes: null }, ports, macs, false)).toMatchObject({ bootId: null, memoryMiB: null });
  });
});

describe('what the guest shows, in KubeVirt\'s names', () => {
  it('busOfPath: virtio-blk ends at its virtio device, virtio-scsi goes on to a SCSI host, AHCI under an ATA port, USB storage under a USB bus', () => {
    expect(busOfPath('/sys/devices/pci0000:00/0000:00:04.0/virtio0')).toBe('virtio');
    expect(busOfPath('/sys/devices/pci0000:00/0000:00:05.0/virtio1/host0/target0:0:0/0:0:0:0')).toBe('scsi');
    expect(busOfPath('/sys/devices/pci0000:00/0000:00:1f.2/ata1/host0/target0:0:0/0:0:0:0')).toBe('sata');
    expect(busOfPath('/sys/devices/pci0000:00/0000:00:03.0/usb2/2-1/2-1:1.0/host2/target2:0:0/2:0:0:0')).toBe('usb');
    expect(busOfPath('/sys/devices/platform/whatever')).toBeNull();
    expect(busOfPath(null)).toBeNull();
  });

  it('modelOfDriver: the kernel driver names the model; an unknown driver is shown as itself', () => {
    expect(['virtio_net', 'e1000e', 'e1000', '8139cp', '8139too', 'pcnet32', 'mystery'].map(modelOfDriver)).toEqual(['virtio', 'e1000e', 'e1000', 'rtl8139', 'rtl8139', 'pcnet', 'mystery']);
    expect(modelOfDriver(null)).toBeNull();
  });
});
