/**
 * KubeVirt's feature gates at the pinned version (docs/api.md, "Feature
 * gates"): pkg/virt-config/featuregate/active.go and inactive.go
 * `RegisterFeatureGate`, evaluated as featuregate.IsEnabled does: GA always
 * on, an explicitly enabled gate on, Beta on by default, anything else off.
 * The cluster config carries them where the KubeVirt CR does:
 * `spec.configuration.developerConfiguration.featureGates`. Public.
 */

export type FeatureGateState = 'Alpha' | 'Beta' | 'GA' | 'Deprecated' | 'Discontinued';

/** The gates whose state matters to admission here, with their state at the pinned KubeVirt. Public. */
export const FEATURE_GATES: Readonly<Record<string, FeatureGateState>> = {
  // active.go
  CPUManager: 'Alpha',
  ExperimentalIgnitionSupport: 'Alpha',
  HypervStrictCheck: 'Alpha',
  Sidecar: 'Alpha',
  HostDevices: 'Alpha',
  Snapshot: 'Beta',
  HostDisk: 'Alpha',
  DownwardMetrics: 'Alpha',
  Root: 'Alpha',
  WorkloadEncryptionSEV: 'Beta',
  WorkloadEncryptionTDX: 'Alpha',
  VSOCK: 'Alpha',
  KubevirtSeccompProfile: 'Beta',
  AlignCPUs: 'Alpha',
  NodeRestriction: 'Beta',
  ImageVolume: 'Beta',
  LibvirtHooksServerAndClient: 'Beta',
  EnableVirtioFsStorageVolumes: 'Alpha',
  GPUsWithDRA: 'Beta',
  HostDevicesWithDRA: 'Beta',
  PCINUMAAwareTopology: 'Alpha',
  NetworkDevicesWithDRA: 'Alpha',
  DecentralizedLiveMigration: 'Alpha',
  DeclarativeHotplugVolumes: 'Beta',
  ObjectGraph: 'Alpha',
  UtilityVolumes: 'Alpha',
  ConfigurableHypervisor: 'Alpha',
  PasstBinding: 'Beta',
  IncrementalBackup: 'Alpha',
  PodSecondaryInterfaceNamingUpgrade: 'Beta',
  ExternalNetResourceInjection: 'Beta',
  RebootPolicy: 'Beta',
  Template: 'Beta',
  VmiMemoryOverheadReport: 'Beta',
  ContainerPathVolumes: 'Alpha',
  ReservedOverheadMemlock: 'Alpha',
  OptOutRoleAggregation: 'Beta',
  VGPULiveMigration: 'Alpha',
  VMStatsCollector: 'Alpha',
  OCIExport: 'Alpha',
  Plugins: 'Alpha',
  GraceIOVirtualization: 'Alpha',
  IOMMUFD: 'Alpha',
  FirmwareAutoSelection: 'Alpha',
  MigrationStallDetection: 'Alpha',
  CrossArchitectureVirtualization: 'Alpha',
  PortRangesSpec: 'Alpha',
  // inactive.go (the ones admission used to check)
  LiveMigration: 'GA',
  GPU: 'GA',
  NUMA: 'GA',
  PersistentReservation: 'GA',
  VMExport: 'GA',
  HotplugVolumes: 'Deprecated',
};

/** What admission needs to know of the cluster: the enabled and disabled gates. Public. */
export interface FeatureGateConfig {
  featureGates?: readonly string[];
  disabledFeatureGates?: readonly string[];
}

/** featuregate.IsEnabled (pkg/virt-config/featuregate/feature-gates.go). Public. */
export function isFeatureGateEnabled(gate: string, config: FeatureGateConfig = {}): boolean {
  const state = FEATURE_GATES[gate];
  if (state === undefined) return false;
  if (state === 'GA') return true;
  if (config.featureGates?.includes(gate)) return true;
  if (config.disabledFeatureGates?.includes(gate)) return false;
  return state === 'Beta';
}
