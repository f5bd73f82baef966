/**
 * Launching one VMI instance: a fresh 0700 run dir on its node, its disks
 * prepared, its NICs joined to their segments, the command line built
 * (qemuArgs), QEMU started (QemuProcess) and wrapped in its supervisor
 * (VmiLauncher). Internal (backends/qemu: the node agent's launch effect
 * and the migration target).
 *
 * Errors are values naming the VMI; on error nothing is left behind: no
 * process, no run dir. A launch that ends after the node agent was
 * disposed kills its QEMU and sweeps again.
 */
import { mkdir, rm, truncate, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { LaunchSpec } from '../../../harness/cluster/index.ts';
import type { GuestArtefacts } from '../../../guest/artefacts.ts';
import { guestConfigText } from '../../../guest/guestConfig.ts';
import type { HubSet } from '../network/HubSet.ts';
import { nicArgs } from '../network/nicArgs.ts';
import { diskArgs } from '../storage/diskArgs.ts';
import type { VolumeStore } from '../storage/VolumeStore.ts';
import { qemuArgs, tcgResetScrubBytes } from './qemuArgs.ts';
import { QemuProcess } from './QemuProcess.ts';
import { runPaths, tooLongSocket, type RunPaths } from './RunPaths.ts';
import { VmiLauncher, type LauncherHooks } from './VmiLauncher.ts';

/** What a launch needs from the node agent. */
export interface LaunchContext {
  stateDir: string;
  binary: string;
  accel: 'kvm' | 'tcg';
  artefacts: GuestArtefacts;
  volumes: VolumeStore;
  hubs: HubSet;
  hooks: LauncherHooks;
  /** True once the node agent is disposed: no launch may start any more, one in progress ends. */
  disposed(): boolean;
}

export interface LaunchOptions {
  /** A migration target: `-incoming defer`, VFs left out. */
  incoming?: boolean;
  omitVfs?: boolean;
}

export type LaunchResult = { launcher: VmiLauncher; paths: RunPaths } | { error: string };

/** The guest configuration a launch passes through fw_cfg: hostname, pod MAC, static addresses. */
export function guestConfigFor(spec: LaunchSpec): string {
  const pod = spec.nics.find((n) => n.kind === 'pod');
  const cfg: Parameters<typeof guestConfigText>[0] = {
    hostname: spec.hostname,
    statics: spec.nics.filter((n) => n.kind !== 'pod' && n.ipv4Cidr).map((n) => ({ mac: n.mac, cidr: n.ipv4Cidr! })),
  };
  if (pod) cfg.pod = pod.mac;
  return guestConfigText(cfg);
}

/**
 * Starts a QEMU for `spec` in a fresh run dir (`instance` tells a migration
 * target from its source on the same node) and wraps it in a VmiLauncher.
 */
export async function launchVmi(ctx: LaunchContext, spec: LaunchSpec, instance: number, opts: LaunchOptions = {}): Promise<LaunchResult> {
  // A launch queued behind another effect may start after dispose(): it must not recreate dirs.
  if (ctx.disposed()) return { error: `vmi ${spec.name}: the node agent was disposed before the launch` };
  const paths = runPaths(ctx.stateDir, spec.node, spec.uid, instance);
  const long = tooLongSocket(paths);
  if (long) return { error: `vmi ${spec.name}: socket path ${long} is too long for a unix socket; use a shorter state dir` };
  await mkdir(paths.dir, { recursive: true, mode: 0o700 });
  try {
    const prepared = await ctx.volumes.prepare(spec, paths.dir);
    const hubSockets: Record<string, string> = {};
    for (const n of spec.nics) if (n.kind !== 'pod' && n.network) hubSockets[n.network] = await ctx.hubs.socketFor(n.network);
    const args = qemuArgs({
      spec,
      accel: ctx.accel,
      paths,
      kernel: spec.boot.kind === 'kernel' ? { kernel: ctx.artefacts.vmlinux ?? ctx.artefacts.vmlinuz, initrd: ctx.artefacts.initrd } : null,
      disks: Object.fromEntries(prepared.map((d) => [d.name, d])),
      hubSockets,
      devices: { disk: diskArgs, nic: nicArgs },
      guestConfig: guestConfigFor(spec),
      ...opts,
    });
    const scrub = tcgResetScrubBytes(ctx.accel, spec);
    if (scrub > 0) {
      // Sparse: no disk space, QEMU reads zeros (qemuArgs.ts tcgResetScrubBytes).
      await writeFile(paths.resetScrub, '', { mode: 0o600 });
      await truncate(paths.resetScrub, scrub);
    }
    const r = await QemuProcess.start({ binary: ctx.binary, args, paths, label: spec.name });
    if ('error' in r) throw new Error(r.error);
    if (ctx.disposed()) {
      // dispose() ran while this QEMU was starting: it must not outlive the agent.
      r.proc.kill();
      await r.proc.exited;
      await r.proc.closeSessions();
      throw new Error('the node agent was disposed during the launch');
    }
    const launcher = new VmiLauncher(spec, r.proc, ctx.hooks, spec.startPaused || !!opts.incoming);
    return { launcher, paths };
  } catch (err) {
    await rm(paths.dir, { recursive: true, force: true });
    // dispose() may have swept the state dir before our mkdir recreated the node's dir: sweep again.
    if (ctx.disposed()) await rm(join(ctx.stateDir, 'nodes'), { recursive: true, force: true });
    const msg = err instanceof Error ? err.message : String(err);
    return { error: msg.startsWith(`vmi ${spec.name}`) ? msg : `vmi ${spec.name}: ${msg}` };
  }
}
