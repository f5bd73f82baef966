/**
 * Test helper (internal), run as a child process by StateDir.qemu.test.ts:
 * creates a qemu backend in the state dir given as argv[2], starts a paused
 * VM, prints `ready <qemu pid>` and waits to be signalled.
 */
import type { QemuAgent } from '../QemuAgent.ts';
import { createQemuBackend } from '../index.ts';

const stateDir = process.argv[2]!;
const backend = await createQemuBackend({ accel: 'tcg', stateDir });
await backend.apply({ apiVersion: 'v1', kind: 'Node', metadata: { name: 'node01' }, status: { capacity: { cpu: '4', memory: '8Gi' }, conditions: [{ type: 'Ready', status: 'True' }] } });
await backend.apply({
  apiVersion: 'kubevirt.io/v1', kind: 'VirtualMachine', metadata: { name: 'vm1' },
  spec: {
    runStrategy: 'Halted',
    template: { spec: { domain: { memory: { guest: '128Mi' }, devices: { disks: [{ name: 'root', disk: { bus: 'virtio' } }] } }, volumes: [{ name: 'root', containerDisk: { image: 'vmconform/guest:latest' } }] } },
  },
});
await backend.vm({ verb: 'start', name: 'vm1', paused: true });
await backend.settle(30_000);
const pids = [...(backend.agent as QemuAgent).launchers.values()].map((l) => l.proc.pid);
console.log(`ready ${pids.join(' ')}`);
setInterval(() => undefined, 1000); // wait for the signal
