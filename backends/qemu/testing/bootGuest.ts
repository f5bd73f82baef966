/**
 * Test helper (internal): boots the vmconform guest (kernel boot, no disks,
 * one pod NIC) with the real launcher, in a private temp state dir. The
 * caller must call `dispose()` in afterEach: it kills QEMU and removes the dir.
 */
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { LaunchSpec } from '../../../harness/cluster/index.ts';
import { nicArgs } from '../network/nicArgs.ts';
import { qemuArgs } from '../launcher/qemuArgs.ts';
import { QemuProcess } from '../launcher/QemuProcess.ts';
import { runPaths } from '../launcher/RunPaths.ts';
import { privateDir } from './privateDir.ts';

const OUT = join(import.meta.dirname, '../../../guest/build/out');
export const QEMU_BINARY = process.env['VMCONFORM_QEMU'] ?? 'qemu-system-x86_64';

export function testSpec(over: Partial<LaunchSpec> = {}): LaunchSpec {
  return {
    uid: 'uid-test-1', name: 'vm1', node: 'node01', vcpus: 1, cpu: { sockets: 1, cores: 1, threads: 1 }, memoryMiB: 256, hostname: 'vm1',
    boot: { kind: 'kernel', image: 'vmconform/guest-kernel:latest', kernelArgs: 'console=ttyS0 quiet' },
    disks: [],
    nics: [{ name: 'default', mac: '52:54:00:00:00:0a', macSource: 'generated', kind: 'pod', network: null, ipv4Cidr: null, vf: null, model: 'virtio' }],
    startPaused: false, terminationGracePeriodSeconds: 5, acpi: true, ...over,
  };
}

export interface BootedGuest {
  proc: QemuProcess;
  spec: LaunchSpec;
  dispose(): Promise<void>;
}

export async function bootGuest(spec: LaunchSpec = testSpec()): Promise<BootedGuest> {
  const tmp = await privateDir();
  const paths = runPaths(tmp.dir, spec.node, spec.uid);
  await mkdir(paths.dir, { recursive: true, mode: 0o700 });
  const args = qemuArgs({
    spec, accel: 'tcg', paths, kernel: { kernel: join(OUT, 'vmlinuz'), initrd: join(OUT, 'initrd.img') },
    disks: {}, hubSockets: {}, devices: { disk: () => [], nic: nicArgs }, guestConfig: `hostname=${spec.hostname}\npod=${spec.nics[0]?.mac ?? ''}\n`,
  });
  const r = await QemuProcess.start({ binary: QEMU_BINARY, args, paths, label: spec.name });
  if ('error' in r) {
    await tmp.cleanup();
    throw new Error(r.error);
  }
  const proc = r.proc;
  return {
    proc, spec,
    async dispose() {
      proc.kill();
      await proc.exited;
      await proc.closeSessions();
      await tmp.cleanup();
    },
  };
}
