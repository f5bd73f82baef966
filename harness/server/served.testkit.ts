/**
 * An API server over a fresh model cluster in this process, with its
 * credentials and kubeconfig in a private temp dir; `close()` removes all.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { LauncherAccess } from '../../backends/contract.ts';
import { modelCluster, type ModelClusterOptions } from './clusters.ts';
import { ensureCredentials, writeKubeconfig, type Credentials } from './credentials.ts';
import { startApiServer, type ApiServer, type ApiServerOptions } from './server.ts';

export interface Served {
  server: ApiServer;
  dir: string;
  kubeconfig: string;
  creds: Credentials;
  close(): Promise<void>;
}

export async function serveModel(opts: ModelClusterOptions & Partial<Pick<ApiServerOptions, 'bookmarkMs' | 'maxBodyBytes' | 'tickMs'>> & { launcher?: LauncherAccess } = {}): Promise<Served> {
  const dir = await mkdtemp(join(tmpdir(), 'vmconform-server-'));
  const creds = await ensureCredentials(dir);
  const cluster = await modelCluster(opts);
  if (opts.launcher) Object.assign(cluster.backend, { launcher: opts.launcher });
  const server = await startApiServer({ backend: cluster.backend, advanceClock: cluster.advanceClock, token: creds.token, tls: { key: creds.key, cert: creds.cert }, ...(opts.bookmarkMs ? { bookmarkMs: opts.bookmarkMs } : {}), ...(opts.maxBodyBytes ? { maxBodyBytes: opts.maxBodyBytes } : {}), ...(opts.tickMs ? { tickMs: opts.tickMs } : {}) });
  const kubeconfig = join(dir, 'kubeconfig');
  await writeKubeconfig(kubeconfig, server.url, creds);
  return {
    server,
    dir,
    kubeconfig,
    creds,
    async close() {
      await server.close();
      await cluster.backend.dispose();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/** The seed's VM: memory.guest and an empty devices (the CRD requires the field). */
export const SEED_VM = `apiVersion: kubevirt.io/v1
kind: VirtualMachine
metadata:
  name: seed
spec:
  runStrategy: Always
  template:
    spec:
      domain:
        memory:
          guest: 512Mi
        devices: {}
`;
