/**
 * Public API of backends/cluster: the Backend over the cluster core and a
 * node agent, shared by the backends whose control plane is the core (model,
 * qemu).
 */
export { ClusterBackend, type ClusterBackendOptions } from './ClusterBackend.ts';
export { settle } from './settle.ts';
export { domainName, domainUuid, findVmi, LauncherUnavailable, notRunning } from './launcherTarget.ts';
export { DomainError, type DomainInfo, type DomainState, type VirshDomain } from './virsh/VirshDomain.ts';
export { MIGRATE_REFUSAL, runVirsh, VIRSH_COMMANDS, type VirshResult } from './virsh/virsh.ts';
