/**
 * Public API of harness/server: the Kubernetes REST API over a running
 * cluster backend (server.ts), its credentials and kubeconfig
 * (credentials.ts), and the local cluster daemon (daemon.ts).
 */
export { startApiServer, isLoopback, type ApiServer, type ApiServerOptions, type ServedBackend } from './server.ts';
export { ensureCredentials, kubeconfig, writeKubeconfig, type Credentials } from './credentials.ts';
export { runDaemon, paths as daemonPaths, type DaemonOptions, type DaemonInfo, type ClusterBackendName } from './daemon.ts';
