import { existsSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import type { Node, VirtualMachine } from '../../harness/api/types.ts';
import { createQemuBackend } from './index.ts';
import { privateDir } from './testing/privateDir.ts';

type QemuBackend = Awaited<ReturnType<typeof createQemuBackend>>;
let backend: QemuBackend | null = null;
afterEach(async () => {
  await backend?.dispose();
  backend = null;
});

const node: Node = { apiVersion: 'v1', kind: 'Node', metadata: { name: 'node01' }, status: { capacity: { cpu: '4', memory: '8Gi' }, conditions: [{ type: 'Ready', status: 'True' }] } };

function vm(name: string): VirtualMachine {
  return {
    apiVersion: 'kubevirt.io/v1', kind: 'VirtualMachine', metadata: { name },
    spec: {
      runStrategy: 'Halted',
      template: {
        spec: {
          domain: { cpu: { sockets: 1, cores: 1, threads: 1 }, memory: { guest: '256Mi' }, devices: { disks: [{ name: 'root', disk: { bus: 'virtio' } }] } },
          volumes: [{ name: 'root', containerDisk: { image: 'vmconform/guest:latest' } }],
          terminationGracePeriodSeconds: 20,
        },
      },
    },
  };
}

describe('qemu backend through the Backend API (TCG)', () => {
  it('apply Node + VM, start → Running with AgentConnected and the guest memory; stop → Stopped; dispose leaves nothing', async () => {
    const tmp = await privateDir();
    const stateDir = `${tmp.dir}/state`;
    backend = await createQemuBackend({ accel: 'tcg', stateDir });
    expect(backend.fingerprint()).toMatchObject({ backend: 'qemu', accel: 'tcg', qemuVersion: expect.stringMatching(/^\d+\.\d+\.\d+$/), machine: expect.stringMatching(/^pc-q35-/) });

    expect(await backend.apply(node)).toEqual({ ok: true });
    expect(await backend.apply(vm('vm1'))).toEqual({ ok: true });
    expect(await backend.vm({ verb: 'start', name: 'vm1' })).toEqual({ ok: true });
    await backend.settle(60_000);
    const obs = await backend.observe();
    expect(obs.header).toMatchObject({ backend: 'qemu', accel: 'tcg' });
    expect(obs.vms['vm1']).toMatchObject({ printableStatus: 'Running', ready: true });
    const vmi = obs.vmis['vm1']!;
    expect(vmi).toMatchObject({ phase: 'Running', node: 'node01', memoryMiB: 256, vcpus: 1, sockets: 1 });
    expect(vmi.conditions['AgentConnected']).toMatchObject({ status: 'True' });
    expect(vmi.bootId).toMatch(/^[0-9a-f-]{36}$/);
    expect(vmi.disks).toEqual([{ name: 'root', serial: null, sizeBytes: 64 * 1024 * 1024, token: null, bus: 'virtio' }]);

    expect(await backend.vm({ verb: 'stop', name: 'vm1' })).toEqual({ ok: true });
    await backend.settle(60_000);
    expect((await backend.observe()).vms['vm1']).toMatchObject({ printableStatus: 'Stopped' });

    await backend.dispose();
    backend = null;
    expect(existsSync(`${stateDir}/nodes`)).toBe(false);
    await tmp.cleanup();
  }, 120_000);

  it('an accelerator another thread probed (accelProbed, the --jobs parent) is taken as is: no canary boots, its account is in the fingerprint', async () => {
    const tmp = await privateDir();
    const stateDir = `${tmp.dir}/state`;
    const probe = 'auto: probed once by the run (test)';
    // --accel auto: without accelProbed this backend would boot the KVM canary and report its account.
    backend = await createQemuBackend({ accel: 'auto', accelProbed: { accel: 'tcg', probe }, stateDir });
    expect(backend.fingerprint()).toMatchObject({ backend: 'qemu', accel: 'tcg', accelProbe: probe });
    await backend.dispose();
    backend = null;
    await tmp.cleanup();
  }, 60_000);

  it('migrate through the Backend API: the VMI moves to the other node, same boot, migration Succeeded (R-V4)', async () => {
    backend = await createQemuBackend({ accel: 'tcg' });
    for (const name of ['node01', 'node02']) expect(await backend.apply({ ...node, metadata: { name } })).toEqual({ ok: true });
    expect(await backend.apply(vm('vm1'))).toEqual({ ok: true });
    expect(await backend.vm({ verb: 'start', name: 'vm1' })).toEqual({ ok: true });
    await backend.settle(60_000);
    const before = (await backend.observe()).vmis['vm1']!;
    expect(before.conditions['LiveMigratable']).toMatchObject({ status: 'True' });

    expect(await backend.vm({ verb: 'migrate', name: 'vm1' })).toEqual({ ok: true });
    await backend.settle(60_000);
    const obs = await backend.observe();
    const after = obs.vmis['vm1']!;
    expect(after.node).not.toBe(before.node);
    expect(after.phase).toBe('Running');
    expect(after.bootId).toBe(before.bootId);
    expect(after.migration).toMatchObject({ completed: true, failed: false, sourceNode: before.node, targetNode: after.node });
    expect(Object.values(obs.migrations)).toEqual([{ vmi: 'vm1', phase: 'Succeeded' }]);
  }, 120_000);
});

