/**
 * The model backend: the cluster core (harness/cluster) driven by the
 * simulated node agent. Public. Same options ⇒ same trace.
 */
import type { Backend } from '../contract.ts';
import { ClusterBackend } from '../cluster/index.ts';
import { ClusterCore, type CoreOptions, type StoreJson } from '../../harness/cluster/index.ts';
import { SimAgent, type SimAgentOptions, type SimAgentState } from './SimAgent.ts';
import { ModelLauncherAccess } from './launcherAccess.ts';

export interface ModelBackendOptions {
  /** Rule overrides, cluster defaults and seed of the core. */
  core?: CoreOptions;
  agent?: SimAgentOptions;
  /** Shorthand for core.seed. */
  seed?: number;
}

/** A model backend's whole state as plain JSON, between commands: the core's store, the simulated node side, the timers' skew. Public. */
export interface ModelBackendState {
  core: StoreJson;
  agent: SimAgentState;
  skewMs: number;
}

/** The model backend: a ClusterBackend over the simulated agent whose state can be saved. Public. */
export class ModelBackend extends ClusterBackend {
  private constructor(
    core: ClusterCore,
    private readonly sim: SimAgent,
    launcher: ModelLauncherAccess,
    skewMs: number,
  ) {
    super('model', core, sim, { launcher, skewMs });
  }

  /** The backend over `core` and `sim`; its launcher access sends guest actions through it. */
  static over(core: ClusterCore, sim: SimAgent, skewMs = 0): ModelBackend {
    const launcher = new ModelLauncherAccess(core, sim, (a) => backend.guest(a));
    const backend = new ModelBackend(core, sim, launcher, skewMs);
    return backend;
  }

  /** The whole state (between commands): `createModelBackend(opts, state)` continues from it. */
  save(): ModelBackendState {
    return { core: this.core.save(), agent: this.sim.save(), skewMs: this.skew };
  }
}

/** A fresh model backend, or one continuing from `save()`'s state (copied) when `from` is given; `opts` as the saved one was made with. */
export function createModelBackend(opts: ModelBackendOptions = {}, from?: ModelBackendState): Backend & ModelBackend {
  const coreOpts = { ...opts.core, seed: opts.seed ?? opts.core?.seed ?? 0 };
  if (from) return ModelBackend.over(ClusterCore.restore(from.core, coreOpts), SimAgent.restore(from.agent, opts.agent), from.skewMs);
  return ModelBackend.over(new ClusterCore(coreOpts), new SimAgent(opts.agent));
}

export { SimAgent } from './SimAgent.ts';
export { SimCluster } from './SimCluster.ts';
export { traceHashes, type TraceHashes } from './traceHash.ts';
