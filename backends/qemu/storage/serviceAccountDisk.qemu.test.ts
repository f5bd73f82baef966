/**
 * A serviceAccount volume on real QEMU (docs/spec.md R-S5): the ISO the qemu
 * backend builds holds the files the cluster core put in the launch spec
 * (KubeVirt pkg/config/service-account.go CreateServiceAccountDisk: token,
 * namespace and ca.crt under the `cfgdata` label), the guest reads them back,
 * and the observation of the disk equals the model's.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { Node, VirtualMachine, VirtualMachineInstanceSpec } from '../../../harness/api/types.ts';
import { launchDisks, serviceAccountFiles } from '../../../harness/cluster/launchDisks.ts';
import { GUEST_TOOLS } from '../../../guest/artefacts.ts';
import { createModelBackend } from '../../model/index.ts';
import type { Backend } from '../../contract.ts';
import { createQemuBackend } from '../index.ts';
import { agentHarness, type AgentHarness } from '../testing/agentHarness.ts';
import { testSpec } from '../testing/bootGuest.ts';

const saSpec = (): VirtualMachineInstanceSpec => ({
  domain: {
    cpu: { sockets: 1, cores: 1, threads: 1 },
    memory: { guest: '256Mi' },
    devices: { disks: [{ name: 'root', disk: { bus: 'virtio' } }, { name: 'sa', disk: { bus: 'virtio' }, serial: 'SA-1' }] },
  },
  volumes: [
    { name: 'root', containerDisk: { image: 'vmconform/guest:latest' } },
    { name: 'sa', serviceAccount: { serviceAccountName: 'builder' } },
  ],
  terminationGracePeriodSeconds: 5,
});

interface GuestDisk {
  serial: string | null;
  fstype?: string;
  label?: string;
  mount?: string;
}

let h: AgentHarness | null = null;
let backends: Backend[] = [];
afterEach(async () => {
  await h?.dispose();
  h = null;
  await Promise.all(backends.map((b) => b.dispose()));
  backends = [];
});

describe('serviceAccount volume on real QEMU (TCG)', () => {
  it('the guest finds a cfgdata ISO holding the account\'s token, namespace and ca.crt', async () => {
    h = await agentHarness();
    const disks = launchDisks(saSpec(), { name: 'vm1', hostname: 'vm1' }, { pvc: () => undefined, configMap: () => undefined, secret: () => undefined })
      .filter((d) => d.name === 'sa');
    const spec = testSpec({ disks });
    h.agent.perform({ type: 'launch', spec });
    await h.waitFor((e) => e.type === 'agentConnected' && e.connected);
    await h.settle();

    const qga = h.agent.launchers.get(spec.uid)!.proc.qga;
    const facts = JSON.parse((await qga.exec(GUEST_TOOLS.facts, [], 20_000)).stdout) as { disks: GuestDisk[] };
    const sa = facts.disks.find((d) => d.serial === 'SA-1');
    expect(sa).toMatchObject({ fstype: 'iso9660', label: 'cfgdata' });
    const read = async (f: string) => (await qga.readFile(`${sa!.mount}/${f}`, 10_000)).toString();
    const expected = serviceAccountFiles('builder');
    expect({ token: await read('token'), namespace: await read('namespace'), 'ca.crt': await read('ca.crt') }).toEqual(expected);
  }, 90_000);

  it('the VMI\'s disks in the qemu observation equal the model\'s', async () => {
    const node: Node = { apiVersion: 'v1', kind: 'Node', metadata: { name: 'node01' }, status: { capacity: { cpu: '4', memory: '8Gi' }, conditions: [{ type: 'Ready', status: 'True' }] } };
    const vm: VirtualMachine = { apiVersion: 'kubevirt.io/v1', kind: 'VirtualMachine', metadata: { name: 'vm1' }, spec: { runStrategy: 'Always', template: { spec: saSpec() } } };
    const model = createModelBackend();
    backends.push(model);
    const qemu = await createQemuBackend({ accel: 'tcg' });
    backends.push(qemu);
    const seen = [];
    for (const b of [model, qemu]) {
      expect(await b.apply(node)).toEqual({ ok: true });
      expect(await b.apply(vm)).toEqual({ ok: true });
      await b.settle(60_000);
      seen.push((await b.observe()).vmis['vm1']);
    }
    expect(seen[0]).toMatchObject({ phase: 'Running' });
    expect(seen[1]!.disks).toEqual(seen[0]!.disks);
    expect(seen[1]!.disks.find((d) => d.name === 'sa')).toEqual({ name: 'sa', serial: 'SA-1', sizeBytes: null, token: null, bus: 'virtio' });
  }, 120_000);
});
