/**
 * VirtualMachineInstance (kubevirt.io/v1): the schema of the VMI spec, shared
 * with the VM template, and KubeVirt's create-admission checks on it
 * (devices ↔ volumes/networks, boot order, bindings). Public.
 */
import { z } from 'zod';
import {
  dns1123Label,
  dns1123Subdomain,
  empty,
  head,
  labelName,
  macAddress,
  nonNegativeInt,
  nonNegativeQuantity,
  positiveInt,
  stringMap,
  subdomainName,
  typed,
} from './common.ts';
import { isFeatureGateEnabled, type FeatureGateConfig } from './featuregates.ts';
import { join, type FieldIssue } from './issues.ts';
import { parseQuantity } from './quantity.ts';
import type { Disk, DomainSpec, Interface, Network, VirtualMachineInstance, VirtualMachineInstanceSpec, Volume } from './types.ts';

const diskBus = z.enum(['virtio', 'sata', 'scsi', 'usb']);

export const diskSchema = typed<Disk>()(
  z.strictObject({
    name: labelName,
    disk: z.strictObject({ bus: diskBus.optional() }).optional(),
    cdrom: z.strictObject({ bus: diskBus.optional(), readonly: z.boolean().optional() }).optional(),
    lun: z.strictObject({ bus: diskBus.optional() }).optional(),
    serial: z.string().optional(),
    bootOrder: z.number().int().optional(),
  }),
);

export const interfaceSchema = typed<Interface>()(
  z.strictObject({
    name: labelName,
    masquerade: empty.optional(),
    bridge: empty.optional(),
    sriov: empty.optional(),
    macAddress: macAddress.optional(),
    model: z.string().optional(),
    bootOrder: z.number().int().optional(),
  }),
);

export const networkSchema = typed<Network>()(
  z.strictObject({
    name: labelName,
    pod: empty.optional(),
    multus: z.strictObject({ networkName: z.string().min(1), default: z.boolean().optional() }).optional(),
  }),
);

const cloudInit = z.strictObject({
  userData: z.string().optional(),
  userDataBase64: z.string().optional(),
  networkData: z.string().optional(),
});

export const volumeSchema = typed<Volume>()(
  z.strictObject({
    name: labelName,
    containerDisk: z.strictObject({ image: z.string().min(1), path: z.string().optional() }).optional(),
    persistentVolumeClaim: z.strictObject({ claimName: subdomainName, readOnly: z.boolean().optional() }).optional(),
    dataVolume: z.strictObject({ name: subdomainName }).optional(),
    emptyDisk: z.strictObject({ capacity: nonNegativeQuantity }).optional(),
    ephemeral: z.strictObject({ persistentVolumeClaim: z.strictObject({ claimName: subdomainName, readOnly: z.boolean().optional() }) }).optional(),
    cloudInitNoCloud: cloudInit.optional(),
    cloudInitConfigDrive: cloudInit.optional(),
    configMap: z.strictObject({ name: subdomainName, volumeLabel: z.string().optional() }).optional(),
    secret: z.strictObject({ secretName: subdomainName, volumeLabel: z.string().optional() }).optional(),
    serviceAccount: z.strictObject({ serviceAccountName: z.string().optional() }).optional(),
  }),
);

const cpuQ = nonNegativeQuantity.optional();
const resourceList = z.strictObject({ cpu: cpuQ, memory: nonNegativeQuantity.optional() });

export const domainSchema = typed<DomainSpec>()(
  z.strictObject({
    cpu: z
      .strictObject({
        cores: positiveInt.optional(),
        sockets: positiveInt.optional(),
        threads: positiveInt.optional(),
        model: z.string().optional(),
      })
      .optional(),
    memory: z.strictObject({ guest: nonNegativeQuantity.optional() }).optional(),
    resources: z.strictObject({ requests: resourceList.optional(), limits: resourceList.optional() }).optional(),
    firmware: z
      .strictObject({
        kernelBoot: z
          .strictObject({
            kernelArgs: z.string().optional(),
            container: z.strictObject({
              image: z.string().min(1),
              kernelPath: z.string().optional(),
              initrdPath: z.string().optional(),
            }),
          })
          .optional(),
        serial: z.string().optional(),
        uuid: z.string().optional(),
      })
      .optional(),
    features: z.strictObject({ acpi: z.strictObject({ enabled: z.boolean().optional() }).optional() }).optional(),
    devices: z.strictObject({
      disks: z.array(diskSchema).optional(),
      interfaces: z.array(interfaceSchema).optional(),
      autoattachPodInterface: z.boolean().optional(),
    }),
  }),
);

export const vmiSpecSchema = typed<VirtualMachineInstanceSpec>()(
  z.strictObject({
    domain: domainSchema,
    networks: z.array(networkSchema).optional(),
    volumes: z.array(volumeSchema).optional(),
    terminationGracePeriodSeconds: nonNegativeInt.optional(),
    evictionStrategy: z.enum(['None', 'LiveMigrate', 'LiveMigrateIfPossible', 'External']).optional(),
    nodeSelector: stringMap.optional(),
    hostname: labelName.optional(),
  }),
);

/** Schema of a whole VMI object. Public. */
export const virtualMachineInstanceSchema = typed<VirtualMachineInstance>()(
  z.strictObject({ ...head('kubevirt.io/v1', 'VirtualMachineInstance'), spec: vmiSpecSchema }),
);

/** VolumeSource members KubeVirt counts (vmi-create-admitter.go validateVolumes). Internal. */
const VOLUME_SOURCES = [
  'persistentVolumeClaim',
  'sysprep',
  'cloudInitNoCloud',
  'cloudInitConfigDrive',
  'containerDisk',
  'ephemeral',
  'emptyDisk',
  'hostDisk',
  'dataVolume',
  'configMap',
  'secret',
  'downwardAPI',
  'serviceAccount',
  'downwardMetrics',
  'memoryDump',
  'containerPath',
] as const;
/** Disk target types (pkg/storage/admitters/disks.go validateDeviceTarget). Internal. */
const DISK_TYPES = ['disk', 'cdrom', 'lun'] as const;
/** Binding methods (pkg/network/admitter/binding.go countInterfaceBindings). Internal. */
const BINDINGS = ['bridge', 'masquerade', 'sriov', 'passtBinding', 'binding'] as const;
/** Bindings removed in v1.3 (pkg/network/admitter/discontinued.go). Internal. */
const DISCONTINUED: Record<string, string> = {
  slirp: 'Slirp interface support has been discontinued since v1.3',
  passt: 'Passt network binding has been discontinued since v1.3',
  macvtap: 'Macvtap network binding has been discontinued since v1.3',
};
const DISK_BUSES = ['virtio', 'scsi', 'sata', 'usb'];

const MAC = /^([0-9A-Fa-f]{2}[:-]){5}[0-9A-Fa-f]{2}$/;

/** Count of `keys` set on `o` (internal). */
function countSet(o: object, keys: readonly string[]): number {
  let n = 0;
  for (const k of keys) if ((o as Record<string, unknown>)[k] !== undefined) n++;
  return n;
}

type Loose = Record<string, unknown>;

/**
 * A VMI spec as KubeVirt's Go types decode it: absent structs are zero values
 * (the CRD does not require `template.spec`, a VMIRS's template …). Internal
 * to harness/api.
 */
export function zeroFilled(spec: VirtualMachineInstanceSpec | undefined): VirtualMachineInstanceSpec {
  const s = (spec ?? {}) as Partial<VirtualMachineInstanceSpec>;
  if (s.domain?.devices !== undefined) return s as VirtualMachineInstanceSpec;
  return { ...s, domain: { ...s.domain, devices: {} } };
}

/** What admission needs of the cluster: its feature gates. Public. */
export interface VmiAdmissionConfig {
  featureGates?: FeatureGateConfig;
}

/**
 * KubeVirt's `ValidateVirtualMachineInstanceSpec` (vmi-create-admitter.go),
 * shared by the VMI, VM, VMIRS and pool admitters: disks (pkg/storage/admitters
 * disks.go), boot order (validateBootOrder), networks and interfaces
 * (pkg/network/admitter), volumes (validateVolumes), the feature gates it
 * checks (HostDevices, HostDisk, DownwardMetrics, VSOCK). `at` is the spec's
 * path (`spec` or `spec.template.spec`). Public.
 */
export function checkVmiSpec(given: VirtualMachineInstanceSpec, at: string, config: VmiAdmissionConfig = {}): FieldIssue[] {
  const issues: FieldIssue[] = [];
  const spec = zeroFilled(given);
  const gates = config.featureGates;
  const devices = spec.domain.devices as DomainSpec['devices'] & Loose;
  const disks = (devices.disks ?? []) as (Disk & Loose)[];
  const ifaces = (devices.interfaces ?? []) as (Interface & Loose)[];
  const volumes = (spec.volumes ?? []) as (Volume & Loose)[];
  const networks = (spec.networks ?? []) as (Network & Loose)[];
  const disksAt = `${at}.domain.devices.disks`;
  const ifacesAt = `${at}.domain.devices.interfaces`;
  const volumeNames = new Set(volumes.map((v) => v.name));

  // validateBootOrder: > 0 and unique across disks and interfaces.
  const bootSeen = new Set<number>();
  const checkBoot = (order: unknown, p: string) => {
    if (typeof order !== 'number') return;
    if (order < 1) issues.push({ path: `${p}.bootOrder`, message: `${p} must have a boot order > 0, if supplied` });
    else if (bootSeen.has(order)) issues.push({ path: `${p}.bootOrder`, message: `Boot order for ${p}.bootOrder already set for a different device.` });
    else bootSeen.add(order);
  };

  disks.forEach((d, i) => {
    const p = join(disksAt, i);
    // validateDiskName, validateDeviceTarget, validateDiskNameAsContainerName (disks.go).
    const first = disks.findIndex((x) => x.name === d.name);
    if (first < i) issues.push({ path: p, message: `${p} and ${join(disksAt, first)} must not have the same Name.` });
    if (countSet(d, DISK_TYPES) > 1) issues.push({ path: p, message: `${p} can only have a single target type defined` });
    for (const m of dns1123Label(d.name)) issues.push({ path: `${p}.name`, message: m });
    const bus = (d.disk ?? d.cdrom ?? d.lun)?.bus;
    if (bus !== undefined && !DISK_BUSES.includes(bus)) {
      issues.push({ path: p, message: `${p} is set with an unrecognized bus ${bus}, must be one of: [${DISK_BUSES.join(' ')}]` });
    }
    // validateBootOrder: disks match volumes.
    if (!volumeNames.has(d.name) && d.cdrom === undefined) {
      issues.push({ path: `${p}.name`, message: `${disksAt}[${i}].Name '${d.name}' not found.` });
    }
    checkBoot(d.bootOrder, p);
  });

  // pkg/network/admitter: netsource.go, netiface.go, binding.go.
  const ifaceNames = new Set(ifaces.map((f) => f.name));
  const networkByName = new Map(networks.map((n) => [n.name, n]));
  let podNetworks = 0;
  networks.forEach((n, i) => {
    const p = join(`${at}.networks`, i);
    const types = countSet(n, ['pod', 'multus', 'resourceClaim']);
    if (types === 0) issues.push({ path: p, message: 'should have a network type' });
    if (types > 1) issues.push({ path: p, message: 'should have only one network type' });
    if (n.pod !== undefined && ++podNetworks === 2) {
      issues.push({ path: p, message: `more than one interface is connected to a pod network in ${at}.interfaces` });
    }
    if (networks.findIndex((x) => x.name === n.name) < i) {
      issues.push({ path: `${p}.name`, message: `Network with name "${n.name}" already exists, every network must have a unique name` });
    }
    if (!ifaceNames.has(n.name)) issues.push({ path: `${p}.name`, message: `${p}.name '${n.name}' not found.` });
  });
  ifaces.forEach((f, i) => {
    const p = join(ifacesAt, i);
    if (ifaces.findIndex((x) => x.name === f.name) < i) {
      issues.push({ path: `${p}.name`, message: 'Only one interface can be connected to one specific network' });
    }
    const net = networkByName.get(f.name);
    if (net === undefined) issues.push({ path: `${p}.name`, message: `${p}.name '${f.name}' not found.` });
    for (const [k, m] of Object.entries(DISCONTINUED)) if (f[k] !== undefined) issues.push({ path: `${p}.${k}`, message: m });
    if (countSet(f, BINDINGS) !== 1) {
      issues.push({ path: p, message: `logical ${f.name} interface must have exactly one binding method or binding plugin` });
    }
    if (f.masquerade !== undefined && net?.pod === undefined) {
      issues.push({ path: `${p}.name`, message: 'Masquerade interface only implemented with pod network' });
    }
    if (typeof f.macAddress === 'string' && !MAC.test(f.macAddress)) {
      issues.push({ path: `${p}.macAddress`, message: `interface ${p}.name has malformed MAC address (${f.macAddress}).` });
    }
    checkBoot(f.bootOrder, p);
  });

  volumes.forEach((v, i) => {
    const p = join(`${at}.volumes`, i);
    if (volumes.findIndex((x) => x.name === v.name) < i) {
      issues.push({ path: p, message: `${p} and ${join(`${at}.volumes`, volumes.findIndex((x) => x.name === v.name))} must not have the same Name.` });
    }
    if (countSet(v, VOLUME_SOURCES) !== 1) issues.push({ path: p, message: `${p} must have exactly one source type set` });
    if (v.downwardMetrics !== undefined && !isFeatureGateEnabled('DownwardMetrics', gates)) {
      issues.push({ path: p, message: 'downwardMetrics disks are not allowed: DownwardMetrics feature gate is not enabled.' });
    }
    if (v.hostDisk !== undefined && !isFeatureGateEnabled('HostDisk', gates)) {
      issues.push({ path: p, message: 'HostDisk feature gate is not enabled' });
    }
    if (v.serviceAccount !== undefined && (v.serviceAccount.serviceAccountName ?? '') === '') {
      issues.push({ path: `${p}.serviceAccount.serviceAccountName`, message: `${p}.serviceAccount.serviceAccountName is a required field` });
    }
  });
  // validateVolumes: at most one serviceAccount volume (the launcher pod has one service account).
  if (volumes.filter((v) => v.serviceAccount !== undefined).length > 1) {
    issues.push({ path: `${at}.volumes`, message: `${at}.volumes must have max one serviceAccount volume set` });
  }
  issues.push(...checkServiceAccountName(spec, at));

  issues.push(...checkResources(spec, at));
  const domain = spec.domain as DomainSpec & Loose;
  const cpu = domain.cpu as Loose | undefined;
  // validateCPUIsolatorThread.
  if (cpu?.isolateEmulatorThread === true && cpu.dedicatedCpuPlacement !== true) {
    issues.push({ path: `${at}.domain.cpu.isolateEmulatorThread`, message: 'IsolateEmulatorThread should be only set in combination with DedicatedCPUPlacement' });
  }
  // validateDomainSpec: EFI SecureBoot (the default with EFI) needs SMM, unless TDX.
  const efi = ((domain.firmware as Loose | undefined)?.bootloader as Loose | undefined)?.efi as Loose | undefined;
  const smm = (domain.features as Loose | undefined)?.smm as Loose | undefined;
  const tdx = ((domain.launchSecurity as Loose | undefined)?.tdx ?? undefined) !== undefined;
  if (efi !== undefined && efi.secureBoot !== false && !(smm !== undefined && smm.enabled !== false) && !tdx) {
    issues.push({ path: `${at}.domain`, message: `${at}.domain has EFI SecureBoot enabled. SecureBoot requires SMM, which is currently disabled.` });
  }
  // validateHostDevicesWithPassthroughEnabled (the field path is KubeVirt's: `HostDevices`).
  if (devices.hostDevices !== undefined && !isFeatureGateEnabled('HostDevices', gates)) {
    issues.push({ path: `${at}.HostDevices`, message: 'Host Devices feature gate is not enabled in kubevirt-config' });
  }
  // validateVSOCK.
  if (devices.autoattachVSOCK === true && !isFeatureGateEnabled('VSOCK', gates)) {
    issues.push({ path: `${at}.domain.devices.autoattachVSOCK`, message: 'VSOCK feature gate is not enabled in kubevirt-config' });
  }
  return issues;
}

/**
 * validateServiceAccountName (vmi-create-admitter.go): `spec.serviceAccountName`,
 * when set, is a DNS-1123 subdomain and names the same account as a
 * serviceAccount volume (the mismatch message says `spec.` whatever the path,
 * as KubeVirt's does). Internal.
 */
function checkServiceAccountName(spec: VirtualMachineInstanceSpec, at: string): FieldIssue[] {
  const name = (spec as VirtualMachineInstanceSpec & { serviceAccountName?: string }).serviceAccountName ?? '';
  if (name === '') return [];
  const path = `${at}.serviceAccountName`;
  const issues: FieldIssue[] = [];
  const errors = dns1123Subdomain(name);
  if (errors.length > 0) issues.push({ path, message: `${path} is not a valid service account name: ${errors.join('; ')}` });
  const other = (spec.volumes ?? []).find((v) => v.serviceAccount !== undefined && v.serviceAccount.serviceAccountName !== name);
  if (other) {
    issues.push({
      path,
      message: `spec.serviceAccountName ${JSON.stringify(name)} and serviceAccount volume ${JSON.stringify(other.serviceAccount!.serviceAccountName ?? '')} must reference the same service account`,
    });
  }
  return issues;
}

/**
 * validateMemoryRequestsNegativeOrNull, validateMemoryLimitsNegativeOrNull,
 * validateCPURequestNotNegative, validateCPULimitNotNegative
 * (vmi-create-admitter.go). Internal.
 */
function checkResources(spec: VirtualMachineInstanceSpec, at: string): FieldIssue[] {
  const issues: FieldIssue[] = [];
  const r = spec.domain.resources;
  const p = `${at}.domain.resources`;
  const req = r?.requests?.memory;
  const lim = r?.limits?.memory;
  const reqV = req === undefined ? 0 : (parseQuantity(req) ?? 0);
  const limV = lim === undefined ? 0 : (parseQuantity(lim) ?? 0);
  if (reqV < 0) issues.push({ path: `${p}.requests.memory`, message: `${p}.requests.memory '${req}': must be greater than or equal to 0.` });
  else if (reqV > 0 && reqV < 1e6) issues.push({ path: `${p}.requests.memory`, message: `${p}.requests.memory '${req}': must be greater than or equal to 1M.` });
  if (limV < 0) issues.push({ path: `${p}.limits.memory`, message: `${p}.limits.memory '${lim}': must be greater than or equal to 0.` });
  if (limV > 0 && reqV > limV) issues.push({ path: `${p}.requests.memory`, message: `${p}.requests.memory '${req}' is greater than ${p}.limits.memory '${lim}'` });
  for (const k of ['requests', 'limits'] as const) {
    const c = r?.[k]?.cpu;
    if (c !== undefined && (parseQuantity(c) ?? 0) < 0) issues.push({ path: `${p}.${k}.cpu`, message: `${p}.${k}.cpu '${c}': must be greater than or equal to 0.` });
  }
  return issues;
}

/** Architectures KubeVirt knows (ValidateVirtualMachineInstancePerArch); the mutator defaults an empty one. Internal. */
const ARCHITECTURES = ['amd64', 'arm64', 's390x'];

/**
 * validateVirtualMachineInstanceSpecVolumeDisks and
 * ValidateVirtualMachineInstanceMandatoryFields (vmi-create-admitter.go):
 * checked for a VMI only, after the mutating webhook's defaults. Internal.
 */
function checkVmiOnly(given: VirtualMachineInstanceSpec, at: string): FieldIssue[] {
  const spec = zeroFilled(given);
  const d = spec.domain as DomainSpec & Loose;
  // setGuestMemory (pkg/defaults/defaults.go) runs first and fills memory.guest
  // from requests, else limits: a limits-only VMI therefore has memory.
  const requests = spec.domain.resources?.requests?.memory ?? spec.domain.resources?.limits?.memory;
  const memory = d.memory as Loose | undefined;
  const arch = (spec as VirtualMachineInstanceSpec & { architecture?: string }).architecture;
  if (arch !== undefined && arch !== '' && !ARCHITECTURES.includes(arch)) {
    return [{ path: `${at}.architecture`, message: `unsupported architecture: ${arch}` }];
  }
  if ((requests === undefined || requests === '0') && memory?.guest === undefined && memory?.hugepages === undefined) {
    return [
      {
        path: `${at}.domain.memory`,
        message: `no memory requested, at least one of '${at}.domain.memory.guest', '${at}.domain.memory.hugepages.pageSize' or '${at}.domain.resources.requests.memory' must be set`,
      },
    ];
  }
  return [];
}

/** The sidecar hook annotation (pkg/hooks HookSidecarListAnnotationName). Internal. */
export const HOOK_SIDECARS_ANNOTATION = 'hooks.kubevirt.io/hookSidecars';
const IGNITION_ANNOTATION = 'kubevirt.io/ignitiondata';

/** ValidateVirtualMachineInstanceMetadata (vmi-create-admitter.go): feature-gated annotations. `at` is the metadata's path. Public. */
export function checkVmiMetadata(annotations: Record<string, string> | undefined, at: string, config: VmiAdmissionConfig = {}): FieldIssue[] {
  const issues: FieldIssue[] = [];
  if (annotations?.[IGNITION_ANNOTATION] && !isFeatureGateEnabled('ExperimentalIgnitionSupport', config.featureGates)) {
    issues.push({
      path: `${at}.annotations`,
      message: `ExperimentalIgnitionSupport feature gate is not enabled in kubevirt-config, invalid entry ${at}.annotations.${IGNITION_ANNOTATION}`,
    });
  }
  if (annotations?.[HOOK_SIDECARS_ANNOTATION] && !isFeatureGateEnabled('Sidecar', config.featureGates)) {
    issues.push({
      path: `${at}.annotations`,
      message: `sidecar feature gate is not enabled in kubevirt-config, invalid entry ${at}.annotations.${HOOK_SIDECARS_ANNOTATION}`,
    });
  }
  return issues;
}

/**
 * VMICreateAdmitter.Admit (vmi-create-admitter.go), after the mutating
 * webhook's defaults (defaults.ts). Public.
 */
export function checkVirtualMachineInstance(vmi: VirtualMachineInstance, config: VmiAdmissionConfig = {}): FieldIssue[] {
  return [
    ...checkVmiSpec(vmi.spec, 'spec', config),
    ...checkVmiOnly(vmi.spec, 'spec'),
    ...checkVmiMetadata(vmi.metadata.annotations, 'metadata', config),
  ];
}
