/**
 * The local cluster daemon (`vmconform cluster up` starts it detached): one
 * cluster (model or qemu) served over the Kubernetes API from a private state
 * dir that holds its pid file, log, credentials, kubeconfig and the store.
 * The store is saved as plain JSON (ClusterCore.save) shortly after every
 * change and at the stop; the next start restores it as KubeVirt comes back
 * after a full cluster restart (clusters.ts nodesRestarted). SIGTERM and
 * SIGINT stop it in order: no more requests, store saved, every QEMU
 * stopped, sockets and pid file removed, port freed. Public (through
 * harness/server/index.ts).
 */
import { existsSync } from 'node:fs';
import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { AccelChoice } from '../../backends/qemu/index.ts';
import type { StoreJson } from '../cluster/index.ts';
import { modelCluster, type ServedCluster } from './clusters.ts';
import { ensureCredentials, writeKubeconfig, type Credentials } from './credentials.ts';
import { startApiServer } from './server.ts';

export type ClusterBackendName = 'model' | 'qemu';

export interface DaemonOptions {
  stateDir: string;
  backend: ClusterBackendName;
  nodes: number;
  /** 0: any free port. */
  port: number;
  address: string;
  timeScale: number;
  /** The qemu backend's accelerator (`--accel`); default auto (a KVM canary decides). */
  accel?: AccelChoice;
}

/** What `up` and `status` read: written once the API answers, removed at the stop. */
export interface DaemonInfo {
  pid: number;
  url: string;
  port: number;
  backend: ClusterBackendName;
  startedAt: string;
  kubeconfig: string;
}

/** The files of a state dir. */
export const paths = (dir: string) => ({
  pid: join(dir, 'daemon.pid'),
  info: join(dir, 'daemon.json'),
  log: join(dir, 'daemon.log'),
  store: join(dir, 'store.json'),
  kubeconfig: join(dir, 'kubeconfig'),
  pki: join(dir, 'pki'),
  qemu: join(dir, 'qemu'),
});

/** The saved cluster: the store and the wire's last resourceVersion. */
interface SavedCluster {
  format: 'vmconform-cluster/1';
  backend: ClusterBackendName;
  wireResourceVersion: number;
  store: StoreJson;
}

async function loadSaved(file: string): Promise<SavedCluster | null> {
  if (!existsSync(file)) return null;
  const j = JSON.parse(await readFile(file, 'utf8')) as SavedCluster;
  if (j.format !== 'vmconform-cluster/1') throw new Error(`${file}: not a saved vmconform cluster (format ${String(j.format)})`);
  return j;
}

async function openCluster(o: DaemonOptions, saved: SavedCluster | null): Promise<ServedCluster> {
  if (saved && saved.backend !== o.backend) throw new Error(`${paths(o.stateDir).store}: the saved cluster ran on the ${saved.backend} backend, not ${o.backend} (use another --state-dir)`);
  if (o.backend === 'model') return modelCluster({ nodes: o.nodes, timeScale: o.timeScale, ...(saved ? { restore: saved.store } : {}) });
  const { qemuCluster } = await import('./qemuCluster.ts');
  return qemuCluster({ stateDir: paths(o.stateDir).qemu, nodes: o.nodes, ...(o.accel ? { accel: o.accel } : {}), ...(saved ? { restore: saved.store } : {}) });
}

/** Runs the daemon until SIGTERM / SIGINT; resolves when it has stopped. */
export async function runDaemon(o: DaemonOptions): Promise<void> {
  const p = paths(o.stateDir);
  await mkdir(o.stateDir, { recursive: true, mode: 0o700 });
  await writeFile(p.pid, `${process.pid}\n`, { mode: 0o600 });
  let cluster: ServedCluster | null = null;
  try {
    const creds = await ensureCredentials(p.pki, o.address);
    const saved = await loadSaved(p.store);
    cluster = await openCluster(o, saved);
    await serve(o, cluster, creds, saved);
  } finally {
    // whatever happened: no QEMU, socket dir, daemon.json or pid file left behind
    await cluster?.backend.dispose();
    await rm(p.info, { force: true });
    await rm(p.pid, { force: true });
  }
  console.log('vmconform cluster: stopped');
}

/** Serves `cluster` until SIGTERM / SIGINT; saves the store after changes and at the end. */
async function serve(o: DaemonOptions, cluster: ServedCluster, creds: Credentials, saved: SavedCluster | null): Promise<void> {
  const p = paths(o.stateDir);
  const core = cluster.backend.core;
  let saving: Promise<void> = Promise.resolve();
  let timer: NodeJS.Timeout | null = null;
  let wireRv = (): number => saved?.wireResourceVersion ?? 0;
  const save = () => {
    timer = null;
    const json: SavedCluster = { format: 'vmconform-cluster/1', backend: o.backend, wireResourceVersion: wireRv(), store: core.save() };
    saving = saving.then(async () => {
      await writeFile(`${p.store}.tmp`, JSON.stringify(json), { mode: 0o600 });
      await rename(`${p.store}.tmp`, p.store);
    });
  };
  const server = await startApiServer({
    backend: cluster.backend,
    ...(cluster.advanceClock ? { advanceClock: cluster.advanceClock } : {}),
    token: creds.token,
    tls: { key: creds.key, cert: creds.cert },
    host: o.address,
    port: o.port,
    startRv: (saved?.wireResourceVersion ?? 0) + 1,
    onChange: () => {
      timer ??= setTimeout(save, 300);
    },
  });
  wireRv = () => server.driver.feed.rv;
  try {
    await writeKubeconfig(p.kubeconfig, server.url, creds);
    const info: DaemonInfo = { pid: process.pid, url: server.url, port: server.port, backend: o.backend, startedAt: new Date().toISOString(), kubeconfig: p.kubeconfig };
    await writeFile(p.info, JSON.stringify(info, null, 2), { mode: 0o600 });
    console.log(`vmconform cluster: serving the ${o.backend} cluster at ${server.url} (pid ${process.pid})${saved ? ', restored from store.json' : ''}`);
    save();
    await new Promise<void>((resolve) => {
      const stop = (sig: string) => {
        console.log(`vmconform cluster: ${sig}: stopping`);
        resolve();
      };
      process.once('SIGTERM', () => stop('SIGTERM'));
      process.once('SIGINT', () => stop('SIGINT'));
    });
  } finally {
    await server.close();
    if (timer) clearTimeout(timer);
    save();
    await saving;
  }
}
