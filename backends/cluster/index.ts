/**
 * Public API of backends/cluster: the Backend over the cluster core and a
 * node agent, shared by the backends whose control plane is the core (model,
 * qemu).
 */
export { ClusterBackend, type ClusterBackendOptions } from './ClusterBackend.ts';
export { settle } from './settle.ts';
