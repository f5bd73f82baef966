/**
 * The clusters the server can serve: the model (the cluster core with the
 * simulated agent, its virtual clock driven at wall-clock pace × a time
 * scale) and real QEMU (backends/qemu), fresh with the default cluster of
 * `--nodes` nodes, or restored from a saved store. A restored cluster comes
 * back as KubeVirt's does after a full restart (docs/harness-choices.md,
 * "Local cluster restart"): the launchers died with the nodes, so every VMI
 * that had one is reported gone by its node (`exited`, killed; `launchFailed`
 * for one still starting), and the controllers react per run strategy.
 * Public (through harness/server/index.ts).
 */
import { ClusterBackend } from '../../backends/cluster/index.ts';
import { SimAgent } from '../../backends/model/index.ts';
import { validateObject, type KubeObject } from '../api/index.ts';
import { ClusterCore, type ApiObject, type StoreJson, type VmiStatus } from '../cluster/index.ts';
import type { ServedBackend } from './server.ts';

export interface ServedCluster {
  backend: ServedBackend;
  /** The model's: brings the virtual clock to wall-clock pace × scale. */
  advanceClock?: () => void;
}

/** The default cluster of `nodes` nodes (fixtures/cluster/default.yaml's shape: 4 CPUs, 4 GiB, 2 SR-IOV VFs each; the two storage classes). */
export function defaultClusterObjects(nodes: number): KubeObject[] {
  const name = (i: number) => `node-${i < 26 ? String.fromCharCode(97 + i) : `${String.fromCharCode(97 + Math.floor(i / 26) - 1)}${String.fromCharCode(97 + (i % 26))}`}`;
  const objs: unknown[] = [
    { apiVersion: 'vmconform.io/v1', kind: 'ClusterConfig', metadata: { name: 'default' }, spec: { defaultNetworkInterface: 'masquerade', evictionStrategy: 'LiveMigrate', defaultTerminationGracePeriodSeconds: 30, parallelMigrationsPerCluster: 5, parallelOutboundMigrationsPerNode: 2 } },
    ...Array.from({ length: nodes }, (_, i) => ({
      apiVersion: 'v1',
      kind: 'Node',
      metadata: { name: name(i) },
      status: { capacity: { cpu: '4', memory: '4Gi', 'intel.com/sriov_net': '2' }, conditions: [{ type: 'Ready', status: 'True' }] },
    })),
    { apiVersion: 'storage.k8s.io/v1', kind: 'StorageClass', metadata: { name: 'local' }, provisioner: 'vmconform.io/local', volumeBindingMode: 'WaitForFirstConsumer' },
    { apiVersion: 'storage.k8s.io/v1', kind: 'StorageClass', metadata: { name: 'shared' }, provisioner: 'vmconform.io/shared', volumeBindingMode: 'Immediate' },
  ];
  return objs.map((o) => {
    const v = validateObject(o);
    if (!v.ok) throw new Error(`default cluster: ${v.issues.map((i) => `${i.path}: ${i.message}`).join('; ')}`);
    return v.object;
  });
}

/** Tells a restored core that the node side restarted: every launcher it knew is gone. */
export function nodesRestarted(core: ClusterCore): void {
  for (const o of core.objects('VirtualMachineInstance') as ApiObject[]) {
    const phase = (o.status as VmiStatus).phase;
    if (phase === 'Running') core.onEvent({ type: 'exited', uid: o.metadata.uid, reason: 'killed' });
    else if (phase === 'Scheduled') core.onEvent({ type: 'launchFailed', uid: o.metadata.uid, message: 'the node restarted before the launcher started' });
  }
}

export interface ModelClusterOptions {
  nodes?: number;
  /** Virtual seconds per wall-clock second. */
  timeScale?: number;
  restore?: StoreJson;
  /** Wall clock (tests). */
  now?: () => number;
}

/** A model cluster on a virtual clock that runs at wall pace × timeScale from the wall clock's now. */
export async function modelCluster(opts: ModelClusterOptions = {}): Promise<ServedCluster> {
  const now = opts.now ?? Date.now;
  const scale = opts.timeScale ?? 1;
  const core = opts.restore ? ClusterCore.restore(opts.restore) : new ClusterCore({ seed: 1 });
  const agent = new SimAgent();
  const saved = opts.restore ? ((opts.restore.books.clock as number | undefined) ?? 0) : 0;
  const wall0 = now();
  const virtual0 = Math.max(wall0, saved);
  agent.clockMs = virtual0;
  const backend = new ClusterBackend('model', core, agent);
  // the agent's clock only moves forward: a simulated shutdown may have moved it past wall pace
  const advanceClock = () => {
    agent.clockMs = Math.max(agent.clockMs, virtual0 + (now() - wall0) * scale);
  };
  core.setTime(agent.clockMs);
  if (opts.restore) nodesRestarted(core);
  else for (const o of defaultClusterObjects(opts.nodes ?? 3)) await backend.apply(o);
  await backend.settle(10_000);
  return { backend, advanceClock };
}
