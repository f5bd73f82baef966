/**
 * Copies a VMI's node-local disks to the migration target while the guest
 * runs (KubeVirt migrates containerDisk and emptyDisk volumes with the VM:
 * libvirt's NBD block migration). Internal (migrate.ts).
 *
 * Target: an NBD server on a unix socket in its run dir exporting each
 * disk's format node, writable. Source: an NBD client node per disk and a
 * `blockdev-mirror` job (sync `top`: a containerDisk overlay's base is the
 * same read-only file on both sides; write-blocking so that every guest
 * write completed after READY is already on the target). After the
 * migration, cancelling a READY job completes it without pivot: the target
 * then holds every block, and only then does the target resume.
 * Shared PVCs are opened by both sides and need no copy; config disks and
 * cdroms are read-only and rebuilt identically on the target.
 */
import type { LaunchDisk, LaunchSpec } from '../../../harness/cluster/index.ts';
import { diskNodeNames } from '../devices.ts';
import type { QmpClient } from '../qmp/QmpClient.ts';
import { MIRROR_STEP_MS } from '../budgets.ts';


/** Disks whose data lives only with this VMI on this node. Pure. */
export function mirroredDisks(spec: LaunchSpec): LaunchDisk[] {
  return spec.disks.filter((d) => !d.readonly && !d.cdrom && (d.source.kind === 'containerDisk' || d.source.kind === 'emptyDisk' || d.source.kind === 'ephemeral'));
}

const jobId = (d: LaunchDisk): string => `mirror-${diskNodeNames(d.name).format}`;
const clientNode = (d: LaunchDisk): string => `m${diskNodeNames(d.name).format}`;

/** Starts the NBD export on the target and a mirror per disk on the source; resolves when all are READY. */
export async function startMirrors(src: QmpClient, tgt: QmpClient, disks: LaunchDisk[], nbdSocket: string): Promise<void> {
  if (disks.length === 0) return;
  // nbd-server-start still takes the legacy (boxed) SocketAddress.
  await tgt.executeRaw('nbd-server-start', { addr: { type: 'unix', data: { path: nbdSocket } } }, MIRROR_STEP_MS);
  for (const d of disks) {
    const fmt = diskNodeNames(d.name).format;
    await tgt.executeRaw('block-export-add', { type: 'nbd', id: `exp-${fmt}`, 'node-name': fmt, name: fmt, writable: true }, MIRROR_STEP_MS);
    await src.executeRaw('blockdev-add', { driver: 'nbd', 'node-name': clientNode(d), server: { type: 'unix', path: nbdSocket }, export: fmt }, MIRROR_STEP_MS);
    const ready = src.waitEvent('BLOCK_JOB_READY', MIRROR_STEP_MS, (e) => e['device'] === jobId(d));
    ready.catch(() => undefined);
    await src.executeRaw('blockdev-mirror', { 'job-id': jobId(d), device: fmt, target: clientNode(d), sync: 'top', 'copy-mode': 'write-blocking' }, MIRROR_STEP_MS);
    await ready;
  }
}

/** After the migration: completes every mirror without pivot (the data is then on the target) and stops the NBD server. */
export async function finishMirrors(src: QmpClient, tgt: QmpClient, disks: LaunchDisk[]): Promise<void> {
  if (disks.length === 0) return;
  for (const d of disks) {
    const done = src.waitEvent('BLOCK_JOB_COMPLETED', MIRROR_STEP_MS, (e) => e['device'] === jobId(d));
    done.catch(() => undefined);
    await src.executeRaw('block-job-cancel', { device: jobId(d) }, MIRROR_STEP_MS);
    const ev = await done;
    if (ev.data['error']) throw new Error(`disk ${d.name}: mirror failed: ${String(ev.data['error'])}`);
  }
  await tgt.executeRaw('nbd-server-stop', undefined, MIRROR_STEP_MS);
}

/** Abandons the mirrors after a failed migration (the source keeps its disks). Best effort. */
export async function abandonMirrors(src: QmpClient, disks: LaunchDisk[]): Promise<void> {
  for (const d of disks) {
    await src.executeRaw('block-job-cancel', { device: jobId(d), force: true }, MIRROR_STEP_MS).catch(() => undefined);
    await src.executeRaw('blockdev-del', { 'node-name': clientNode(d) }, MIRROR_STEP_MS).catch(() => undefined);
  }
}
