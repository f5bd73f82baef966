/**
 * Cluster arbitrary: the generated cluster (docs/harness-choices.md §1). Public.
 *
 * 1–3 nodes with capacities and SR-IOV VF pools, two storage classes (a
 * node-local one binding at first consumer, a shared one binding at once),
 * the NADs the suite's networks need, the harness's instance types (the
 * suite's `spec.instancetype`) and preference, and a golden image (DataVolume imported from the catalogue +
 * DataSource) for DataVolume clones. The object set is fixed by the suite and
 * consistent by construction; only node count and capacities vary, so
 * shrinking a cluster never breaks a VM spec that refers to it.
 */
import fc from 'fast-check';
import type { KubeObject, Node } from '../api/index.ts';
import { deepFreeze } from '../api/index.ts';
import type { Suite } from './suite.ts';

export const SRIOV_RESOURCE = 'intel.com/sriov_net';
export const LOCAL_SC = 'local';
export const SHARED_SC = 'shared';
export const BRIDGE_NAD = 'br-net';
export const SRIOV_NAD = 'sriov-net';
/** The harness's instance types, by the value of the `instancetype` spec dimension (specSpace.ts). */
export const INSTANCETYPES = {
  tiny: { name: 'vmconform.tiny', cpu: 1, memory: '256Mi' },
  small: { name: 'vmconform.small', cpu: 2, memory: '512Mi' },
} as const;
export const PREFERENCE = 'vmconform.virtio';
export const GOLDEN = 'golden';
export const GUEST_IMAGE = 'vmconform/guest:latest';
/**
 * KubeVirt's `migrations.bandwidthPerMigration` of generated clusters: low
 * enough that a migration is still in flight (held) at the settled state
 * after `migrate` on real QEMU too, so the next step can act on it
 * (docs/harness-choices.md §2).
 */
export const MIGRATION_BANDWIDTH = '64Ki';
/**
 * The generated cluster's MigrationPolicy where a suite migrates: VMIs with
 * its label migrate without a bandwidth cap (R-M9: the policy's
 * bandwidthPerMigration replaces the cluster's; 0 is no limit), so their
 * migrations finish within the step while the others are held in flight.
 */
export const FAST_MIGRATION = { name: 'unthrottled', labels: { 'vmconform.io/migration': 'fast' } } as const;

export interface NodeSpec {
  name: string;
  cpu: number;
  memoryMi: number;
  vfs: number;
}

/** A generated cluster: the nodes as data and every object to apply before the first step. Public. */
export interface ClusterSpec {
  nodes: NodeSpec[];
  objects: KubeObject[];
}

function nodeObject(n: NodeSpec): Node {
  const capacity: Record<string, string> = { cpu: String(n.cpu), memory: `${n.memoryMi}Mi` };
  if (n.vfs > 0) capacity[SRIOV_RESOURCE] = String(n.vfs);
  return {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: { name: n.name },
    status: { capacity, conditions: [{ type: 'Ready', status: 'True' }] },
  };
}

/** The objects of a cluster besides its nodes (internal; exported for tests). */
export function clusterObjects(suite: Pick<Suite, 'networks' | 'builds' | 'bootSources' | 'spec' | 'commands'>): KubeObject[] {
  const objs: KubeObject[] = [
    {
      apiVersion: 'vmconform.io/v1',
      kind: 'ClusterConfig',
      metadata: { name: 'cluster' },
      spec: { defaultNetworkInterface: 'masquerade', defaultTerminationGracePeriodSeconds: 5, configuration: { migrations: { bandwidthPerMigration: MIGRATION_BANDWIDTH } } },
    },
    { apiVersion: 'storage.k8s.io/v1', kind: 'StorageClass', metadata: { name: LOCAL_SC }, provisioner: 'vmconform.io/local', volumeBindingMode: 'WaitForFirstConsumer' },
    { apiVersion: 'storage.k8s.io/v1', kind: 'StorageClass', metadata: { name: SHARED_SC }, provisioner: 'vmconform.io/shared', volumeBindingMode: 'Immediate' },
  ];
  if (suite.commands.includes('migrate')) {
    objs.push({
      apiVersion: 'migrations.kubevirt.io/v1alpha1',
      kind: 'MigrationPolicy',
      metadata: { name: FAST_MIGRATION.name },
      spec: { selectors: { virtualMachineInstanceSelector: { ...FAST_MIGRATION.labels } }, bandwidthPerMigration: '0' },
    });
  }
  if (suite.networks.includes('multus')) {
    objs.push({
      apiVersion: 'k8s.cni.cncf.io/v1',
      kind: 'NetworkAttachmentDefinition',
      metadata: { name: BRIDGE_NAD },
      spec: { config: JSON.stringify({ cniVersion: '0.3.1', type: 'bridge', bridge: 'br1', ipam: { type: 'host-local', ranges: [[{ subnet: '192.168.100.0/24' }]] } }) },
    });
  }
  if (suite.networks.includes('sriov')) {
    objs.push({
      apiVersion: 'k8s.cni.cncf.io/v1',
      kind: 'NetworkAttachmentDefinition',
      metadata: { name: SRIOV_NAD, annotations: { 'k8s.v1.cni.cncf.io/resourceName': SRIOV_RESOURCE } },
      spec: { config: JSON.stringify({ cniVersion: '0.3.1', type: 'sriov', ipam: { type: 'host-local', ranges: [[{ subnet: '192.168.200.0/24' }]] } }) },
    });
  }
  if (suite.builds.includes('instancetype')) {
    for (const t of suite.spec.instancetype) {
      const { name, cpu, memory } = INSTANCETYPES[t];
      objs.push({ apiVersion: 'instancetype.kubevirt.io/v1beta1', kind: 'VirtualMachineClusterInstancetype', metadata: { name }, spec: { cpu: { guest: cpu }, memory: { guest: memory } } });
    }
    objs.push(
      { apiVersion: 'instancetype.kubevirt.io/v1beta1', kind: 'VirtualMachineClusterPreference', metadata: { name: PREFERENCE }, spec: { devices: { preferredDiskBus: 'virtio', preferredInterfaceModel: 'virtio' } } },
    );
  }
  if (suite.bootSources.includes('dataVolume')) {
    objs.push(
      {
        apiVersion: 'cdi.kubevirt.io/v1beta1',
        kind: 'DataVolume',
        metadata: { name: GOLDEN },
        spec: { source: { registry: { url: `docker://${GUEST_IMAGE}` } }, storage: { accessModes: ['ReadWriteMany'], resources: { requests: { storage: '64Mi' } }, storageClassName: SHARED_SC } },
      },
      { apiVersion: 'cdi.kubevirt.io/v1beta1', kind: 'DataSource', metadata: { name: GOLDEN }, spec: { source: { pvc: { name: GOLDEN, namespace: 'default' } } } },
    );
  }
  return objs;
}

/**
 * In a suite that migrates, how the cluster leaves room for a migration:
 * one-node clusters (a migration with no target, R-M3) are drawn once in
 * `oneNodeIn`; a node is roomy (the most cpu and memory, every SR-IOV VF) `roomy`
 * times as often as it is drawn from all capacities, since a migration
 * target must fit the VM's pod and its VFs (R-M3) beside what already runs
 * there.
 */
export const MIGRATION_ROOM = { oneNodeIn: 8, roomy: 3 } as const;

/**
 * Node memory: a launcher pod asks for the guest memory plus some 330 MiB
 * (1 GiB more with an SR-IOV VF: common/podRequests.ts, R-SC1), so the
 * smallest node cannot take a 1Gi guest (unschedulable VMs occur) and the
 * roomy one takes both VMs of a suite with room for a migration target.
 */
const MEMORY_MI = [4096, 2048, 1024] as const;
const MAX_VFS = 2;
/** Node cpus: a VM that asks for its vCPUs in full (`cpuIn: requests`) asks for up to 4 (R-SC1). */
const MAX_CPU = 4;

/** Clusters of 1..maxNodes nodes for a suite. Public. */
export function clusterArb(suite: Suite): fc.Arbitrary<ClusterSpec> {
  const sriov = suite.networks.includes('sriov');
  const migrates = suite.commands.includes('migrate') && suite.maxNodes >= 2;
  const anyNode = fc.record({
    cpu: fc.integer({ min: 2, max: MAX_CPU }),
    memoryMi: fc.constantFrom(...MEMORY_MI),
    vfs: sriov ? fc.integer({ min: 0, max: MAX_VFS }) : fc.constant(0),
  });
  const roomyNode = fc.record({ cpu: fc.constant(MAX_CPU), memoryMi: fc.constant(MEMORY_MI[0]), vfs: fc.constant(sriov ? MAX_VFS : 0) });
  const node = migrates ? fc.oneof({ withCrossShrink: true }, { arbitrary: roomyNode, weight: MIGRATION_ROOM.roomy }, { arbitrary: anyNode, weight: 1 }) : anyNode;
  // shared by every generated cluster, and kept as text by the setup cache: frozen, so that a write to one fails loudly
  const objects = clusterObjects(suite).map(deepFreeze);
  const nodes = migrates
    ? fc.oneof(
        { arbitrary: fc.array(node, { minLength: 2, maxLength: suite.maxNodes }), weight: MIGRATION_ROOM.oneNodeIn - 1 },
        { arbitrary: fc.array(node, { minLength: 1, maxLength: 1 }), weight: 1 },
      )
    : fc.array(node, { minLength: 1, maxLength: suite.maxNodes });
  return nodes.map((ns) => {
    const nodes = ns.map((n, i) => ({ name: `node-${i + 1}`, ...n }));
    return { nodes, objects: [...nodes.map(nodeObject), ...objects] };
  });
}
