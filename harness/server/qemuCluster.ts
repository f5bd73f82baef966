/**
 * The qemu cluster served by the daemon: backends/qemu with its state dir
 * inside the cluster's, signals left to the daemon (it disposes the backend
 * on SIGTERM / SIGINT), fresh with the default cluster or restored (the
 * launchers died with the previous daemon: clusters.ts nodesRestarted).
 * Loaded only for `--backend qemu`. Internal to harness/server.
 */
import { rm } from 'node:fs/promises';
import { createQemuBackend, type AccelChoice } from '../../backends/qemu/index.ts';
import type { StoreJson } from '../cluster/index.ts';
import { defaultClusterObjects, nodesRestarted, type ServedCluster } from './clusters.ts';

export async function qemuCluster(opts: { stateDir: string; nodes: number; accel?: AccelChoice; restore?: StoreJson }): Promise<ServedCluster> {
  // what a killed daemon left: its QEMUs died with it (backends/qemu starts them with a parent-death signal), their files did not
  await rm(opts.stateDir, { recursive: true, force: true });
  const backend = await createQemuBackend({ stateDir: opts.stateDir, handleSignals: false, ...(opts.accel ? { accel: opts.accel } : {}), ...(opts.restore ? { restore: opts.restore } : {}) });
  backend.core.setTime(Date.now());
  if (opts.restore) nodesRestarted(backend.core);
  else for (const o of defaultClusterObjects(opts.nodes)) await backend.apply(o);
  return { backend };
}
