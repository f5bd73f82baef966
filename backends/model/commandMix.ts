/**
 * A random mix of commands over a small cluster, drawn from a seeded PRNG:
 * every kind the model handles (VMs of each run strategy and volume /
 * network flavour, standalone VMIs, replica sets, pools, DataVolumes,
 * migrations, PVCs, nodes) and every verb, guest action and fault. Internal
 * (test support): the trace-hash tool and the save / restore property use
 * it; the engine's generators are the public ones.
 */
import type { Fault, GuestAction, KubeObject, ObjectRef, VmAction } from '../contract.ts';
import type { DataVolume, RunStrategy, VirtualMachine, VirtualMachineInstanceReplicaSet, VirtualMachinePool } from '../../harness/api/index.ts';
import { mulberry32 } from '../../harness/api/index.ts';
import { bridgeNad, node, pvc, sriovNad, storageClass, vm, vmi, vmiSpec, type VmiSpecOptions } from './testObjects.ts';

/** What a synchronous driver and a Backend both offer. */
export interface Driver {
  apply(o: KubeObject): unknown;
  delete(r: ObjectRef): unknown;
  vm(a: VmAction): unknown;
  guest(a: GuestAction): unknown;
  fault(f: Fault): unknown;
}

export type MixCommand =
  | { apply: KubeObject }
  | { delete: ObjectRef }
  | { vm: VmAction }
  | { guest: GuestAction }
  | { fault: Fault };

const VMS = ['a', 'b', 'c', 'd'];
const NODES = ['n1', 'n2', 'n3'];
const STRATEGIES: RunStrategy[] = ['Always', 'RerunOnFailure', 'Manual', 'Halted', 'Once'];

const FLAVOURS: Record<string, VmiSpecOptions> = {
  plain: {},
  bigmem: { memory: '3Gi' },
  noacpi: { acpi: false },
  rwo: { volumes: [{ volume: { name: 'data', persistentVolumeClaim: { claimName: 'rwo-vol' } } }] },
  rwx: { volumes: [{ volume: { name: 'data', persistentVolumeClaim: { claimName: 'rwx-vol' } } }] },
  wffc: { volumes: [{ volume: { name: 'data', persistentVolumeClaim: { claimName: 'wffc-vol' } } }] },
  empty: { volumes: [{ volume: { name: 'data', emptyDisk: { capacity: '1Gi' } } }] },
  missingImage: { image: 'nope/missing:1' },
  multus: {
    interfaces: [{ name: 'default', masquerade: {} }, { name: 'data', bridge: {} }],
    networks: [{ name: 'default', pod: {} }, { name: 'data', multus: { networkName: 'data-net' } }],
  },
  sriov: {
    interfaces: [{ name: 'default', masquerade: {} }, { name: 'fast', sriov: {} }],
    networks: [{ name: 'default', pod: {} }, { name: 'fast', multus: { networkName: 'sriov-net' } }],
  },
  noNad: {
    interfaces: [{ name: 'default', masquerade: {} }, { name: 'x', bridge: {} }],
    networks: [{ name: 'default', pod: {} }, { name: 'x', multus: { networkName: 'absent-net' } }],
  },
};
const FLAVOUR_NAMES = Object.keys(FLAVOURS);

const nodeObj = (n: string): KubeObject => node(n, { cpu: '4', memory: '4Gi', 'example.com/vf': n === 'n3' ? '0' : '1' });

/** The objects every mix starts from. */
export function baseObjects(): KubeObject[] {
  return [
    ...NODES.map(nodeObj),
    storageClass('local', true),
    storageClass('local-wffc', true, true),
    storageClass('shared', false),
    pvc('rwo-vol', 'local'),
    pvc('rwx-vol', 'shared', 'ReadWriteMany'),
    pvc('wffc-vol', 'local-wffc'),
    bridgeNad('data-net', '10.10.0.0/29'),
    sriovNad('sriov-net', 'example.com/vf'),
  ];
}

function withDv(name: string, strategy: RunStrategy, url: string): VirtualMachine {
  const v = vm(name, strategy, { volumes: [{ volume: { name: 'root2', dataVolume: { name: `${name}-dv` } } }] });
  v.spec.dataVolumeTemplates = [{ metadata: { name: `${name}-dv` }, spec: { source: { registry: { url } }, storage: { storageClassName: 'shared' } } }];
  return v;
}

function replicaSet(replicas: number): VirtualMachineInstanceReplicaSet {
  return {
    apiVersion: 'kubevirt.io/v1',
    kind: 'VirtualMachineInstanceReplicaSet',
    metadata: { name: 'rs' },
    spec: { replicas, selector: { matchLabels: { app: 'rs' } }, template: { metadata: { labels: { app: 'rs' } }, spec: vmiSpec() } },
  };
}

function pool(replicas: number): VirtualMachinePool {
  return {
    apiVersion: 'pool.kubevirt.io/v1beta1',
    kind: 'VirtualMachinePool',
    metadata: { name: 'pool' },
    spec: { replicas, selector: { matchLabels: { pool: 'pool' } }, virtualMachineTemplate: { metadata: { labels: { pool: 'pool' } }, spec: vm('x', 'Always').spec } },
  };
}

const golden: DataVolume = {
  apiVersion: 'cdi.kubevirt.io/v1beta1',
  kind: 'DataVolume',
  metadata: { name: 'golden' },
  spec: { source: { registry: { url: 'docker://vmconform/guest:latest' } }, storage: { storageClassName: 'shared', resources: { requests: { storage: '64Mi' } } } },
};

/** One command drawn by `rnd`: a weighted table of makers. */
type Maker = (pick: <T>(xs: readonly T[]) => T) => MixCommand;
const MAKERS: [weight: number, make: Maker][] = [
  [6, (p) => ({ apply: vm(p(VMS), p(STRATEGIES), FLAVOURS[p(FLAVOUR_NAMES)]) })],
  [1, (p) => ({ apply: withDv(p(VMS), p(STRATEGIES), p(['docker://vmconform/guest:latest', 'docker://nope/missing:1'])) })],
  [2, (p) => ({ delete: { kind: 'VirtualMachine', name: p(VMS) } })],
  [10, (p) => ({ vm: { verb: p(['start', 'migrate', 'pause', 'unpause', 'softReboot'] as const), name: p([...VMS, 's1']) } })],
  [2, (p) => ({ vm: { verb: 'start', name: p(VMS), paused: true } })],
  [6, (p) => ({ vm: { verb: p(['stop', 'restart'] as const), name: p(VMS), ...p([{}, { gracePeriod: 0 }, { gracePeriod: 1 }, { gracePeriod: 30 }]) } })],
  [6, (p) => ({ guest: { action: p(['reset', 'acpiShutdown', 'poweroff', 'reboot', 'panic'] as const), vmi: p([...VMS, 's1']) } })],
  [2, (p) => ({ guest: { action: 'writeData', vmi: p(VMS), disk: p(['root', 'data']), token: p(['t1', 't2']) } })],
  [2, (p) => ({ fault: { fault: 'killLauncher', vmi: p([...VMS, 's1']) } })],
  [1, (p) => ({ fault: { fault: 'nodeLoss', node: p(NODES) } })],
  [1, (p) => ({ fault: { fault: 'killMigrationTarget', vmi: p(VMS) } })],
  [2, (p) => ({ fault: { fault: p(['drainNode', 'uncordonNode'] as const), node: p(NODES) } })],
  [1, (p) => ({ apply: nodeObj(p(NODES)) })],
  [1, (p) => ({ apply: node(p(NODES), { cpu: '4', memory: '4Gi' }, false) })],
  [1, (p) => ({ apply: vmi('s1', FLAVOURS[p(FLAVOUR_NAMES)]) })],
  [1, (p) => ({ delete: { kind: 'VirtualMachineInstance', name: p(['s1', ...VMS]) } })],
  [1, (p) => ({ delete: { kind: 'PersistentVolumeClaim', name: p(['rwo-vol', 'rwx-vol', 'wffc-vol']) } })],
  [1, (p) => ({ apply: p([pvc('rwo-vol', 'local'), pvc('rwx-vol', 'shared', 'ReadWriteMany'), pvc('wffc-vol', 'local-wffc')]) })],
  [1, (p) => ({ apply: { apiVersion: 'kubevirt.io/v1', kind: 'VirtualMachineInstanceMigration', metadata: { name: p(['m1', 'm2']) }, spec: { vmiName: p(VMS) } } })],
  // kubevirt-migrate-vm-p824l: the name of VMI a's first `virtctl migrate` (harness/cluster/common/migrations.ts)
  [1, (p) => ({ delete: { kind: 'VirtualMachineInstanceMigration', name: p(['m1', 'm2', 'kubevirt-migrate-vm-p824l']) } })],
  [1, (p) => ({ apply: replicaSet(p([0, 1, 2, 3])) })],
  [1, () => ({ delete: { kind: 'VirtualMachineInstanceReplicaSet', name: 'rs' } })],
  [1, (p) => ({ apply: pool(p([0, 1, 2])) })],
  [1, () => ({ delete: { kind: 'VirtualMachinePool', name: 'pool' } })],
  [1, () => ({ apply: golden })],
  [1, (p) => ({ apply: p([bridgeNad('absent-net'), bridgeNad('data-net', '10.10.0.0/29')]) })],
  [1, () => ({ delete: { kind: 'NetworkAttachmentDefinition', name: 'absent-net' } })],
];
const TOTAL_WEIGHT = MAKERS.reduce((n, [w]) => n + w, 0);

/** `count` commands from `seed`: same seed ⇒ same commands. */
export function mixCommands(seed: number, count: number): MixCommand[] {
  const rnd = mulberry32(seed);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)]!;
  const out: MixCommand[] = [];
  for (let i = 0; i < count; i++) {
    let r = rnd() * TOTAL_WEIGHT;
    let k = 0;
    while (r >= MAKERS[k]![0]) r -= MAKERS[k++]![0];
    out.push(MAKERS[k]![1](pick));
  }
  return out;
}

/** Runs one command on a driver; returns its answer. */
export function runMixCommand(d: Driver, c: MixCommand): unknown {
  if ('apply' in c) return d.apply(c.apply);
  if ('delete' in c) return d.delete(c.delete);
  if ('vm' in c) return d.vm(c.vm);
  if ('guest' in c) return d.guest(c.guest);
  return d.fault(c.fault);
}
