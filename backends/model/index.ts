/**
 * The model backend: the cluster core (harness/cluster) driven by the
 * simulated node agent. Public. Same options ⇒ same trace.
 */
import type { Backend } from '../contract.ts';
import { ClusterBackend } from '../cluster/index.ts';
import { ClusterCore, type CoreOptions } from '../../harness/cluster/index.ts';
import { SimAgent, type SimAgentOptions } from './SimAgent.ts';
import { ModelLauncherAccess } from './launcherAccess.ts';

export interface ModelBackendOptions {
  /** Rule overrides, cluster defaults and seed of the core. */
  core?: CoreOptions;
  agent?: SimAgentOptions;
  /** Shorthand for core.seed. */
  seed?: number;
}

export function createModelBackend(opts: ModelBackendOptions = {}): Backend & ClusterBackend {
  const core = new ClusterCore({ ...opts.core, seed: opts.seed ?? opts.core?.seed ?? 0 });
  const agent = new SimAgent(opts.agent);
  const launcher = new ModelLauncherAccess(core, agent, (a) => backend.guest(a));
  const backend = new ClusterBackend('model', core, agent, { launcher });
  return backend;
}

export { SimAgent } from './SimAgent.ts';
export { SimCluster } from './SimCluster.ts';
export { traceHashes, type TraceHashes } from './traceHash.ts';
