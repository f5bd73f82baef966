/**
 * What the model predicts the guest sees (SimAgent, following the rule of
 * backends/qemu/observeGuests.ts): CPU sockets, memory, the bus of each disk
 * and the model of each NIC, for the harness's guest (guest/README.md: the
 * Debian cloud kernel drives virtio-blk, virtio-scsi and virtio-net; no AHCI,
 * no emulated NICs).
 */
import { describe, expect, it } from 'vitest';
import type { Backend, KubeObject } from '../contract.ts';
import type { VirtualMachine } from '../../harness/api/types.ts';
import { createModelBackend } from './index.ts';
import { node, vm } from './testObjects.ts';

async function running(objs: KubeObject[]): Promise<Backend> {
  const b = createModelBackend();
  for (const o of [node('node-a'), ...objs]) expect(await b.apply(o)).toEqual({ ok: true });
  await b.settle(1000);
  return b;
}

/** A VM whose template is changed by `edit`. */
function vmWith(name: string, edit: (spec: VirtualMachine['spec']['template']['spec']) => void): VirtualMachine {
  const v = vm(name, 'Always', { volumes: [{ volume: { name: 'data', emptyDisk: { capacity: '16Mi' } } }] });
  edit(v.spec.template.spec);
  return v;
}

describe('guest facts the model predicts', () => {
  it('sockets as spec.domain.cpu gives them (KubeVirt getCPUTopology); vCPUs are their product; memory in MiB as the spec writes it (1G = 954 MiB)', async () => {
    const b = await running([
      vmWith('t', (s) => {
        s.domain.cpu = { sockets: 2, cores: 2, threads: 1 };
        s.domain.memory = { guest: '1G' };
      }),
    ]);
    expect((await b.observe()).vmis.t).toMatchObject({ phase: 'Running', vcpus: 4, sockets: 2, memoryMiB: 954 });
  });

  it('without cpu counts, the requested vCPUs become sockets (KubeVirt getCPUTopology)', async () => {
    const b = await running([
      vmWith('r', (s) => {
        delete s.domain.cpu;
        s.domain.resources = { requests: { cpu: '2' } };
      }),
    ]);
    expect((await b.observe()).vmis.r).toMatchObject({ vcpus: 2, sockets: 2 });
  });

  it('disk bus: virtio and scsi disks show their bus; a sata disk is absent in the running guest (no AHCI driver)', async () => {
    const bus = (b: 'virtio' | 'scsi' | 'sata') =>
      vmWith(`d-${b}`, (s) => {
        s.domain.devices.disks = (s.domain.devices.disks ?? []).map((d) => ({ ...d, disk: { bus: b }, serial: `${d.name}-s` }));
      });
    const b = await running([bus('virtio'), bus('scsi'), bus('sata')]);
    const o = await b.observe();
    expect(o.vmis['d-virtio']!.disks.map((d) => [d.name, d.bus, d.serial])).toEqual([['root', 'virtio', 'root-s'], ['data', 'virtio', 'data-s']]);
    expect(o.vmis['d-scsi']!.disks.map((d) => [d.name, d.bus, d.serial])).toEqual([['root', 'scsi', 'root-s'], ['data', 'scsi', 'data-s']]);
    expect(o.vmis['d-sata']!.disks).toEqual([
      { name: 'root', serial: null, sizeBytes: null, token: null, bus: null },
      { name: 'data', serial: null, sizeBytes: null, token: null, bus: null },
    ]);
  });

  it('NIC model: unset reads as virtio; a model the guest has no driver for leaves the NIC absent in the running guest', async () => {
    const nic = (name: string, model?: string) =>
      vmWith(name, (s) => {
        s.domain.devices.interfaces = [{ name: 'default', masquerade: {}, ...(model ? { model } : {}) }];
        s.networks = [{ name: 'default', pod: {} }];
      });
    const b = await running([nic('n-unset'), nic('n-virtio', 'virtio'), nic('n-e1000e', 'e1000e')]);
    const o = await b.observe();
    expect(o.vmis['n-unset']!.interfaces[0]).toMatchObject({ model: 'virtio', ipv4: '10.0.2.2' });
    expect(o.vmis['n-virtio']!.interfaces[0]).toMatchObject({ model: 'virtio', ipv4: '10.0.2.2' });
    expect(o.vmis['n-e1000e']!.interfaces[0]).toMatchObject({ model: null, mac: null, ipv4: null });
  });
});

/**
 * R-G6: the firmware's boot list. SeaBIOS (src/boot.c `bcv_prepboot`,
 * `add_bev`, `do_boot`) gives every cdrom an entry of its own but all hard
 * disks a single one that reads only the first hard disk, so a data disk
 * first in the boot order leaves the bootable disk behind it untried.
 */
describe('R-G6 what the firmware boots', () => {
  const ordered = (name: string, root: number | undefined, data: number | undefined) =>
    vmWith(name, (s) => {
      s.domain.devices.disks = (s.domain.devices.disks ?? []).map((d) => {
        const order = d.name === 'root' ? root : data;
        return order === undefined ? d : { ...d, bootOrder: order };
      });
    });

  it('boots the bootable disk when it is the first hard disk in the boot order, and nothing when a data disk is', async () => {
    const b = await running([ordered('root-first', 1, 2), ordered('data-first', 2, 1), ordered('root-only', 1, undefined)]);
    const o = await b.observe();
    expect(o.vmis['root-first']!.bootId).not.toBeNull();
    expect(o.vmis['root-only']!.bootId).not.toBeNull();
    expect(o.vmis['data-first']).toMatchObject({ phase: 'Running', bootId: null });
    expect(o.vms['data-first']!.conditions?.AgentConnected).toBeUndefined();
  });

  it('without a boot order, the first hard disk in device order is the only one tried', async () => {
    const b = await running([
      vmWith('data-before-root', (s) => {
        s.domain.devices.disks = [...(s.domain.devices.disks ?? [])].reverse();
      }),
    ]);
    expect((await b.observe()).vmis['data-before-root']).toMatchObject({ phase: 'Running', bootId: null });
  });
});
