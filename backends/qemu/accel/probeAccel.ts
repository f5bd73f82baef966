/**
 * The accelerator choice: `--accel auto|kvm|tcg`. Internal (createQemuBackend).
 *
 * `/dev/kvm` existing is not enough (docs/qemu-notes.md: a nested PVM device crawls
 * and dies on a stock kernel), so `auto` and `kvm` boot a canary guest under
 * KVM and require its guest agent to answer `guest-ping` within a bound.
 * `auto` falls back to TCG and says why; `kvm` fails with the reason. The
 * result (accel + a one-line probe account) goes into every fingerprint.
 */
import { constants } from 'node:fs';
import { access, mkdir, rm } from 'node:fs/promises';
import type { LaunchSpec } from '../../../harness/cluster/index.ts';
import type { GuestArtefacts } from '../../../guest/artefacts.ts';
import { DEFAULT_KERNEL_ARGS } from '../../../guest/manifest.ts';
import { guestConfigText } from '../../../guest/guestConfig.ts';
import { qemuArgs } from '../launcher/qemuArgs.ts';
import { QemuProcess } from '../launcher/QemuProcess.ts';
import { nodeDir, runPaths } from '../launcher/RunPaths.ts';
import { KVM_CANARY_MS } from '../budgets.ts';

export type AccelChoice = 'auto' | 'kvm' | 'tcg';

export interface AccelResult {
  accel: 'kvm' | 'tcg';
  probe: string;
}

export interface ProbeOptions {
  binary: string;
  artefacts: GuestArtefacts;
  /** Private directory for the canary's run dir (removed afterwards). */
  stateDir: string;
  /** Bound for the canary: spawn → guest-ping answered. */
  timeoutMs?: number;
  kvmDevice?: string;
}

const CANARY: LaunchSpec = {
  uid: 'accel-canary', name: 'accel-canary', node: 'probe', vcpus: 1, cpu: { sockets: 1, cores: 1, threads: 1 }, memoryMiB: 256, hostname: 'canary',
  boot: { kind: 'kernel', image: 'vmconform/guest-kernel:latest', kernelArgs: DEFAULT_KERNEL_ARGS },
  disks: [], nics: [], startPaused: false, terminationGracePeriodSeconds: 0, acpi: true,
};

/** Boots the canary under KVM: how long until its agent answered, or why it did not. */
export async function kvmCanary(opts: ProbeOptions): Promise<{ ok: true; ms: number } | { ok: false; why: string }> {
  const timeoutMs = opts.timeoutMs ?? KVM_CANARY_MS;
  const paths = runPaths(opts.stateDir, CANARY.node, CANARY.uid);
  await mkdir(paths.dir, { recursive: true, mode: 0o700 });
  const t0 = Date.now();
  try {
    const args = qemuArgs({
      spec: CANARY, accel: 'kvm', paths, kernel: { kernel: opts.artefacts.vmlinux ?? opts.artefacts.vmlinuz, initrd: opts.artefacts.initrd },
      disks: {}, hubSockets: {}, devices: { disk: () => [], nic: () => [] }, guestConfig: guestConfigText({ hostname: 'canary', statics: [] }),
    });
    const r = await QemuProcess.start({ binary: opts.binary, args, paths, label: CANARY.name });
    if ('error' in r) return { ok: false, why: r.error };
    try {
      await Promise.race([r.proc.qga.ping(timeoutMs), r.proc.exited.then(async () => Promise.reject(new Error(`QEMU exited: ${await r.proc.stderr()}`)))]);
      return { ok: true, ms: Date.now() - t0 };
    } catch (err) {
      const stderr = await r.proc.stderr();
      return { ok: false, why: `${(err as Error).message}${stderr ? ` (${stderr.split('\n')[0]})` : ''}` };
    } finally {
      r.proc.kill();
      await r.proc.exited;
      await r.proc.closeSessions();
    }
  } finally {
    await rm(nodeDir(opts.stateDir, CANARY.node), { recursive: true, force: true });
  }
}

/** Chooses the accelerator. Throws an Error (the caller's infrastructure error) when `kvm` is forced and unusable. */
export async function probeAccel(choice: AccelChoice, opts: ProbeOptions): Promise<AccelResult> {
  if (choice === 'tcg') return { accel: 'tcg', probe: 'tcg requested (--accel tcg); KVM not probed' };
  const dev = opts.kvmDevice ?? '/dev/kvm';
  const usable = await access(dev, constants.R_OK | constants.W_OK).then(() => true, () => false);
  if (!usable) {
    if (choice === 'kvm') throw new Error(`--accel kvm: ${dev} is missing or not read/writable`);
    return { accel: 'tcg', probe: `auto: ${dev} missing or not accessible; using TCG` };
  }
  const canary = await kvmCanary(opts);
  if (canary.ok) return { accel: 'kvm', probe: `${choice}: canary guest booted under KVM, agent answered in ${canary.ms} ms` };
  if (choice === 'kvm') throw new Error(`--accel kvm: the canary guest did not answer under KVM: ${canary.why}`);
  return { accel: 'tcg', probe: `auto: ${dev} exists but the KVM canary failed (${canary.why}); using TCG` };
}
