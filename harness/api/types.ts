/**
 * The typed subset of the KubeVirt, CDI, Multus, OpenShift and core Kubernetes
 * API that vmconform understands (docs/spec.md §1). Public: these are the shapes a
 * manifest has after validation, and what every backend receives.
 *
 * Field names follow upstream (kubevirt.io/api core/v1, cdi v1beta1,
 * k8s.cni.cncf.io/v1, template.openshift.io/v1). Only the fields the harness
 * gives meaning to are here; validation rejects any other field.
 */

/** Quantity strings as Kubernetes writes them: `512Mi`, `1Gi`, `2`, `500m`. */
export type Quantity = string;

export interface ObjectMeta {
  name: string;
  namespace?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
}

/** What names an object in a backend: kind plus name (namespace is implicit `default`). */
export interface ObjectRef {
  kind: KubeKind;
  name: string;
  namespace?: string;
}

// ---------------------------------------------------------------------------
// kubevirt.io/v1

export const RUN_STRATEGIES = ['Always', 'RerunOnFailure', 'Manual', 'Halted', 'Once'] as const;
export type RunStrategy = (typeof RUN_STRATEGIES)[number];

export type DiskBus = 'virtio' | 'sata' | 'scsi' | 'usb';

export interface Disk {
  name: string;
  disk?: { bus?: DiskBus };
  cdrom?: { bus?: DiskBus; readonly?: boolean };
  lun?: { bus?: DiskBus };
  serial?: string;
  bootOrder?: number;
}

export interface Interface {
  name: string;
  masquerade?: Record<string, never>;
  bridge?: Record<string, never>;
  sriov?: Record<string, never>;
  macAddress?: string;
  model?: string;
  bootOrder?: number;
}

export interface Network {
  name: string;
  pod?: Record<string, never>;
  multus?: { networkName: string; default?: boolean };
}

export interface Volume {
  name: string;
  containerDisk?: { image: string; path?: string };
  persistentVolumeClaim?: { claimName: string; readOnly?: boolean };
  dataVolume?: { name: string };
  emptyDisk?: { capacity: Quantity };
  /** A copy-on-write overlay on a PVC: the guest's writes go with the VMI (R-S4). */
  ephemeral?: { persistentVolumeClaim: { claimName: string; readOnly?: boolean } };
  cloudInitNoCloud?: { userData?: string; userDataBase64?: string; networkData?: string };
  cloudInitConfigDrive?: { userData?: string; userDataBase64?: string; networkData?: string };
  configMap?: { name: string; volumeLabel?: string };
  secret?: { secretName: string; volumeLabel?: string };
  /** The launcher pod's service account token as an ISO (R-S5, pkg/config/service-account.go). */
  serviceAccount?: { serviceAccountName?: string };
}

/** KubeVirt kernelBoot: kernel and initrd taken from a container image. */
export interface KernelBoot {
  kernelArgs?: string;
  container: { image: string; kernelPath?: string; initrdPath?: string };
}

export interface DomainSpec {
  cpu?: { cores?: number; sockets?: number; threads?: number; model?: string };
  memory?: { guest?: Quantity };
  resources?: {
    requests?: { cpu?: Quantity; memory?: Quantity };
    limits?: { cpu?: Quantity; memory?: Quantity };
  };
  firmware?: { kernelBoot?: KernelBoot; serial?: string; uuid?: string };
  features?: { acpi?: { enabled?: boolean } };
  devices: {
    disks?: Disk[];
    interfaces?: Interface[];
    autoattachPodInterface?: boolean;
  };
}

export type EvictionStrategy = 'None' | 'LiveMigrate' | 'LiveMigrateIfPossible' | 'External';

export interface VirtualMachineInstanceSpec {
  domain: DomainSpec;
  networks?: Network[];
  volumes?: Volume[];
  terminationGracePeriodSeconds?: number;
  evictionStrategy?: EvictionStrategy;
  nodeSelector?: Record<string, string>;
  hostname?: string;
}

export interface VirtualMachineInstance {
  apiVersion: 'kubevirt.io/v1';
  kind: 'VirtualMachineInstance';
  metadata: ObjectMeta;
  spec: VirtualMachineInstanceSpec;
}

export interface InstancetypeMatcher {
  name: string;
  kind?: 'VirtualMachineClusterInstancetype' | 'VirtualMachineInstancetype';
}

export interface PreferenceMatcher {
  name: string;
  kind?: 'VirtualMachineClusterPreference' | 'VirtualMachinePreference';
}

export interface DataVolumeTemplate {
  metadata: { name: string };
  spec: DataVolumeSpec;
}

export interface VirtualMachineSpec {
  running?: boolean;
  runStrategy?: RunStrategy;
  instancetype?: InstancetypeMatcher;
  preference?: PreferenceMatcher;
  dataVolumeTemplates?: DataVolumeTemplate[];
  template: {
    metadata?: { labels?: Record<string, string>; annotations?: Record<string, string> };
    spec: VirtualMachineInstanceSpec;
  };
}

export interface VirtualMachine {
  apiVersion: 'kubevirt.io/v1';
  kind: 'VirtualMachine';
  metadata: ObjectMeta;
  spec: VirtualMachineSpec;
}

export interface VirtualMachineInstanceMigration {
  apiVersion: 'kubevirt.io/v1';
  kind: 'VirtualMachineInstanceMigration';
  metadata: ObjectMeta;
  spec: { vmiName: string };
}

/** A label selector; the harness understands `matchLabels` only. */
export interface LabelSelector {
  matchLabels?: Record<string, string>;
}

/** Keeps `replicas` VMIs from `template` (R-I3, docs/kubevirt-reference.md §8.4). */
export interface VirtualMachineInstanceReplicaSet {
  apiVersion: 'kubevirt.io/v1';
  kind: 'VirtualMachineInstanceReplicaSet';
  metadata: ObjectMeta;
  spec: {
    /** Default 1. */
    replicas?: number;
    selector: LabelSelector;
    template: {
      metadata?: { name?: string; generateName?: string; labels?: Record<string, string>; annotations?: Record<string, string> };
      spec: VirtualMachineInstanceSpec;
    };
  };
}

// ---------------------------------------------------------------------------
// pool.kubevirt.io/v1beta1

/** Keeps `replicas` VMs named `<pool>-<index>` (R-I3, docs/kubevirt-reference.md §8.3). */
export interface VirtualMachinePool {
  apiVersion: 'pool.kubevirt.io/v1beta1';
  kind: 'VirtualMachinePool';
  metadata: ObjectMeta;
  spec: {
    /** Default 1. */
    replicas?: number;
    selector: LabelSelector;
    virtualMachineTemplate: {
      metadata?: { labels?: Record<string, string>; annotations?: Record<string, string> };
      spec: VirtualMachineSpec;
    };
  };
}

// ---------------------------------------------------------------------------
// instancetype.kubevirt.io/v1beta1

export interface InstancetypeSpec {
  cpu: { guest: number };
  memory: { guest: Quantity };
}

export interface VirtualMachineClusterInstancetype {
  apiVersion: 'instancetype.kubevirt.io/v1beta1';
  kind: 'VirtualMachineClusterInstancetype' | 'VirtualMachineInstancetype';
  metadata: ObjectMeta;
  spec: InstancetypeSpec;
}

export interface PreferenceSpec {
  devices?: { preferredDiskBus?: DiskBus; preferredInterfaceModel?: string };
  /** KubeVirt accepts both spellings (instancetype/v1beta1 types.go PreferredCPUTopology). */
  cpu?: {
    preferredCPUTopology?:
      | 'preferSockets'
      | 'preferCores'
      | 'preferThreads'
      | 'preferSpread'
      | 'preferAny'
      | 'sockets'
      | 'cores'
      | 'threads'
      | 'spread'
      | 'any';
  };
  preferredTerminationGracePeriodSeconds?: number;
}

export interface VirtualMachineClusterPreference {
  apiVersion: 'instancetype.kubevirt.io/v1beta1';
  kind: 'VirtualMachineClusterPreference' | 'VirtualMachinePreference';
  metadata: ObjectMeta;
  spec: PreferenceSpec;
}

// ---------------------------------------------------------------------------
// cdi.kubevirt.io/v1beta1

/** Where a DataVolume's content comes from. `registry` imports a catalogue image (harness/api/images.ts). */
export interface DataVolumeSource {
  blank?: Record<string, never>;
  registry?: { url: string };
  pvc?: { name: string; namespace?: string };
}

export interface DataVolumeSpec {
  source?: DataVolumeSource;
  sourceRef?: { kind: 'DataSource'; name: string; namespace?: string };
  storage?: {
    accessModes?: AccessMode[];
    resources?: { requests?: { storage?: Quantity } };
    storageClassName?: string;
  };
}

export interface DataVolume {
  apiVersion: 'cdi.kubevirt.io/v1beta1';
  kind: 'DataVolume';
  metadata: ObjectMeta;
  spec: DataVolumeSpec;
}

export interface DataSource {
  apiVersion: 'cdi.kubevirt.io/v1beta1';
  kind: 'DataSource';
  metadata: ObjectMeta;
  spec: { source: { pvc: { name: string; namespace?: string } } };
}

// ---------------------------------------------------------------------------
// core v1, storage.k8s.io/v1

export type AccessMode = 'ReadWriteOnce' | 'ReadWriteMany' | 'ReadOnlyMany' | 'ReadWriteOncePod';

export interface PersistentVolumeClaim {
  apiVersion: 'v1';
  kind: 'PersistentVolumeClaim';
  metadata: ObjectMeta;
  spec: {
    accessModes: AccessMode[];
    resources: { requests: { storage: Quantity } };
    storageClassName?: string;
    volumeMode?: 'Filesystem' | 'Block';
  };
}

/**
 * Two provisioners exist in the harness (docs/architecture.md §6): node-local files
 * (RWO, pins the VMI to the node) and a shared directory (RWX, migratable).
 */
export const PROVISIONERS = ['vmconform.io/local', 'vmconform.io/shared'] as const;
export type Provisioner = (typeof PROVISIONERS)[number];

export interface StorageClass {
  apiVersion: 'storage.k8s.io/v1';
  kind: 'StorageClass';
  metadata: ObjectMeta;
  provisioner: Provisioner;
  volumeBindingMode?: 'Immediate' | 'WaitForFirstConsumer';
}

export interface ConfigMap {
  apiVersion: 'v1';
  kind: 'ConfigMap';
  metadata: ObjectMeta;
  data?: Record<string, string>;
}

export interface Secret {
  apiVersion: 'v1';
  kind: 'Secret';
  metadata: ObjectMeta;
  type?: string;
  data?: Record<string, string>;
  stringData?: Record<string, string>;
}

/** A cluster node as the harness declares it (core v1 Node, the fields it uses). */
export interface Node {
  apiVersion: 'v1';
  kind: 'Node';
  metadata: ObjectMeta;
  status: {
    /** cpu, memory and extended resources such as `intel.com/sriov_net: "2"`. */
    capacity: Record<string, Quantity>;
    conditions?: { type: 'Ready'; status: 'True' | 'False' }[];
  };
}

// ---------------------------------------------------------------------------
// k8s.cni.cncf.io/v1

/** `spec.config` is the CNI JSON: `{"cniVersion","type":"bridge"|"sriov","ipam":{...}}`. */
export interface NetworkAttachmentDefinition {
  apiVersion: 'k8s.cni.cncf.io/v1';
  kind: 'NetworkAttachmentDefinition';
  metadata: ObjectMeta;
  spec: { config: string };
}

/** The parsed CNI config of a NAD, the part the harness uses. */
export interface CniConfig {
  cniVersion?: string;
  name?: string;
  type: 'bridge' | 'sriov';
  bridge?: string;
  vlan?: number;
  /**
   * Address management (the CNI host-local plugin: `ranges`, or the legacy
   * top-level `subnet`; `rangeStart`, `rangeEnd`, `gateway`). The harness
   * allocates each attached VMI the lowest free address from the range
   * start (network + 1 by default), skipping the gateway (network + 1 by
   * default, so the first is .2), and releases it when the VMI ends; without
   * ipam the NIC gets no IPv4.
   */
  ipam?: { type: string; subnet?: string; rangeStart?: string; rangeEnd?: string; gateway?: string; ranges?: HostLocalRange[][] };
}

/** One host-local range (containernetworking/plugins plugins/ipam/host-local/backend/allocator/range.go). */
export interface HostLocalRange {
  subnet: string;
  rangeStart?: string;
  rangeEnd?: string;
  gateway?: string;
}

export const SRIOV_RESOURCE_ANNOTATION = 'k8s.v1.cni.cncf.io/resourceName';

// ---------------------------------------------------------------------------
// template.openshift.io/v1

export interface TemplateParameter {
  name: string;
  displayName?: string;
  description?: string;
  value?: string;
  generate?: 'expression';
  from?: string;
  required?: boolean;
}

export interface Template {
  apiVersion: 'template.openshift.io/v1';
  kind: 'Template';
  metadata: ObjectMeta;
  objects: object[];
  parameters?: TemplateParameter[];
  /** Labels put on every processed object (openshift/library-go `Process`, `addObjectLabels`). */
  labels?: Record<string, string>;
  /** A message for the user, with parameters substituted. */
  message?: string;
}

// ---------------------------------------------------------------------------
// migrations.kubevirt.io/v1alpha1

/** Label selectors of a MigrationPolicy: every label given must be on the VMI (resp. its namespace). */
export interface MigrationPolicySelectors {
  namespaceSelector?: Record<string, string>;
  virtualMachineInstanceSelector?: Record<string, string>;
}

/** A cluster-scoped override of the migration configuration for the VMIs it matches (R-M9). */
export interface MigrationPolicy {
  apiVersion: 'migrations.kubevirt.io/v1alpha1';
  kind: 'MigrationPolicy';
  metadata: ObjectMeta;
  spec: {
    selectors: MigrationPolicySelectors;
    /** Caps each matched migration's stream (bytes/s; 0: no cap), over the cluster config's. */
    bandwidthPerMigration?: Quantity;
  };
}

// ---------------------------------------------------------------------------
// vmconform.io/v1: the harness's cluster config (docs/spec.md §12)

export interface ClusterConfig {
  apiVersion: 'vmconform.io/v1';
  kind: 'ClusterConfig';
  metadata: ObjectMeta;
  spec: {
    defaultNetworkInterface?: 'masquerade' | 'bridge';
    evictionStrategy?: EvictionStrategy;
    defaultTerminationGracePeriodSeconds?: number;
    parallelMigrationsPerCluster?: number;
    parallelOutboundMigrationsPerNode?: number;
    /** Shaped like the KubeVirt CR's `spec.configuration` (docs/api.md, "Feature gates"). */
    configuration?: {
      developerConfiguration?: { featureGates?: string[]; disabledFeatureGates?: string[]; cpuAllocationRatio?: number };
      /** KubeVirt's MigrationConfiguration: `bandwidthPerMigration` caps each migration's stream (bytes/s; absent or 0: no cap). */
      migrations?: { bandwidthPerMigration?: string };
    };
  };
}

export type KubeObject =
  | VirtualMachine
  | VirtualMachineInstance
  | VirtualMachineInstanceMigration
  | MigrationPolicy
  | VirtualMachineInstanceReplicaSet
  | VirtualMachinePool
  | VirtualMachineClusterInstancetype
  | VirtualMachineClusterPreference
  | DataVolume
  | DataSource
  | PersistentVolumeClaim
  | StorageClass
  | ConfigMap
  | Secret
  | Node
  | NetworkAttachmentDefinition
  | Template
  | ClusterConfig;

export type KubeKind = KubeObject['kind'];
