/**
 * VirtualMachineInstance (kubevirt.io/v1): the schema of the VMI spec, shared
 * with the VM template, and KubeVirt's create-admission checks on it
 * (devices ↔ volumes/networks, boot order, bindings). Public.
 */
import { z } from 'zod';
import {
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
import { join, type FieldIssue } from './issues.ts';
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
    cloudInitNoCloud: cloudInit.optional(),
    cloudInitConfigDrive: cloudInit.optional(),
    configMap: z.strictObject({ name: subdomainName, volumeLabel: z.string().optional() }).optional(),
    secret: z.strictObject({ secretName: subdomainName, volumeLabel: z.string().optional() }).optional(),
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

const VOLUME_SOURCES = [
  'containerDisk',
  'persistentVolumeClaim',
  'dataVolume',
  'emptyDisk',
  'cloudInitNoCloud',
  'cloudInitConfigDrive',
  'configMap',
  'secret',
] as const;
const DISK_TYPES = ['disk', 'cdrom', 'lun'] as const;
const BINDINGS = ['masquerade', 'bridge', 'sriov'] as const;

/** Pushes an issue per list entry whose name repeats an earlier one (internal). */
function checkUniqueNames(items: readonly { name: string }[], at: string, issues: FieldIssue[]): Set<string> {
  const seen = new Set<string>();
  for (let i = 0; i < items.length; i++) {
    const n = items[i]!.name;
    if (seen.has(n)) issues.push({ path: join(join(at, i), 'name'), message: `duplicate name "${n}"` });
    seen.add(n);
  }
  return seen;
}

/** Pushes an issue when more or fewer than one of `keys` is set on `o` (internal). */
function checkOneOf(o: object, keys: readonly string[], at: string, what: string, issues: FieldIssue[], allowNone = false): void {
  let set = 0;
  for (const k of keys) if ((o as Record<string, unknown>)[k] !== undefined) set++;
  if (set > 1) issues.push({ path: at, message: `${what} must set exactly one of ${keys.join(', ')}; found ${set}` });
  else if (set === 0 && !allowNone) issues.push({ path: at, message: `${what} must set one of ${keys.join(', ')}` });
}

/**
 * KubeVirt's create-admission checks on a VMI spec (after schema validation),
 * with KubeVirt's texts where it has them ([KV] vmi-create-admitter.go
 * `ValidateVirtualMachineInstanceSpec`). `at` is the path of the spec
 * (`spec` or `spec.template.spec`). Public.
 */
export function checkVmiSpec(spec: VirtualMachineInstanceSpec, at: string): FieldIssue[] {
  const issues: FieldIssue[] = [];
  const disks = spec.domain.devices.disks ?? [];
  const ifaces = spec.domain.devices.interfaces ?? [];
  const volumes = spec.volumes ?? [];
  const networks = spec.networks ?? [];
  const disksAt = `${at}.domain.devices.disks`;
  const ifacesAt = `${at}.domain.devices.interfaces`;

  const diskNames = checkUniqueNames(disks, disksAt, issues);
  const volumeNames = checkUniqueNames(volumes, `${at}.volumes`, issues);
  const networkNames = checkUniqueNames(networks, `${at}.networks`, issues);

  // Boot order: > 0, unique across disks and NICs.
  const bootSeen = new Set<number>();
  const checkBoot = (order: number | undefined, p: string) => {
    if (order === undefined) return;
    if (order < 1) issues.push({ path: `${p}.bootOrder`, message: `${p} must have a boot order > 0, if supplied` });
    else if (bootSeen.has(order)) issues.push({ path: `${p}.bootOrder`, message: `Boot order for ${p}.bootOrder already set for a different device.` });
    else bootSeen.add(order);
  };

  disks.forEach((d, i) => {
    const p = join(disksAt, i);
    checkOneOf(d, DISK_TYPES, p, 'a disk', issues, true);
    if (!volumeNames.has(d.name)) issues.push({ path: `${p}.name`, message: `${p}.Name '${d.name}' not found.` });
    checkBoot(d.bootOrder, p);
  });
  volumes.forEach((v, i) => {
    const p = join(`${at}.volumes`, i);
    checkOneOf(v, VOLUME_SOURCES, p, 'a volume', issues);
    if (!diskNames.has(v.name)) issues.push({ path: `${p}.name`, message: `volume '${v.name}' is not used by any disk` });
  });

  const ifaceNames = new Set<string>();
  for (const f of ifaces) ifaceNames.add(f.name);
  let podNetworks = 0;
  networks.forEach((n, i) => {
    const p = join(`${at}.networks`, i);
    const types = Number(n.pod !== undefined) + Number(n.multus !== undefined);
    if (types === 0) issues.push({ path: p, message: 'should have a network type' });
    if (types > 1) issues.push({ path: p, message: 'should have only one network type' });
    if (n.pod !== undefined && ++podNetworks === 2)
      issues.push({ path: p, message: `more than one interface is connected to a pod network in ${at}.interfaces` });
    if (!ifaceNames.has(n.name)) issues.push({ path: `${p}.name`, message: `network '${n.name}' is not used by any interface` });
  });

  const used = new Set<string>();
  ifaces.forEach((f, i) => {
    const p = join(ifacesAt, i);
    checkOneOf(f, BINDINGS, p, 'an interface', issues);
    checkBoot(f.bootOrder, p);
    if (used.has(f.name)) issues.push({ path: `${p}.name`, message: 'Only one interface can be connected to one specific network' });
    used.add(f.name);
    if (!networkNames.has(f.name)) {
      issues.push({ path: `${p}.name`, message: `${p}.name '${f.name}' not found.` });
      return;
    }
    const net = networks.find((n) => n.name === f.name);
    if (f.masquerade !== undefined && net?.pod === undefined)
      issues.push({ path: `${p}.name`, message: 'Masquerade interface only implemented with pod network' });
    if (f.sriov !== undefined && net?.multus === undefined)
      issues.push({ path: `${p}.name`, message: 'SRIOV interface only implemented with Multus network' });
  });
  return issues;
}

/** Admission checks of a standalone VMI. Public. */
export function checkVirtualMachineInstance(vmi: VirtualMachineInstance): FieldIssue[] {
  return checkVmiSpec(vmi.spec, 'spec');
}
