/**
 * VM spec arbitrary: the generated VMs (docs/spec.md §8–§10). Public.
 *
 * A VM (or standalone VMI) is drawn as a small `VmShape` record and built by
 * a pure function into manifests, the three ways the seed names: declarative
 * YAML, an instance type (+ preference), or a Template with parameters
 * processed like `oc process`. Boot sources: containerDisk, PVC (imported
 * DataVolume), DataVolume clone of the golden image, ISO cdrom, kernel boot;
 * networks: pod (masquerade), Multus bridge, SR-IOV; extra disks: emptyDisk,
 * PVC, cloud-init, ConfigMap, Secret, serviceAccount. The spec dimensions (specSpace.ts: CPU
 * topology, memory and where it is written, instance type, grace period,
 * disk and cdrom bus, NIC model, pod binding, boot order) take the values
 * the suite's `spec:` lists, shrinking toward the simplest. The objects a VM
 * needs (PVCs, DataVolumes, ConfigMaps, Secrets) travel with it in its entry,
 * so shrinking the VM set keeps every reference consistent.
 */
import fc from 'fast-check';
import { processTemplate } from '../api/index.ts';
import type {
  DataVolume,
  Disk,
  Interface,
  KubeObject,
  Network,
  RunStrategy,
  Template,
  VirtualMachine,
  VirtualMachineInstance,
  VirtualMachineInstanceSpec,
  Volume,
} from '../api/index.ts';
import { BRIDGE_NAD, FAST_MIGRATION, GOLDEN, GUEST_IMAGE, INSTANCETYPES, LOCAL_SC, PREFERENCE, SHARED_SC, SRIOV_NAD } from './clusterArb.ts';
import { SPEC_DIMENSION_NAMES, SPEC_DIMENSIONS, type SpecDimension, type SpecValue } from './specSpace.ts';
import type { BootSource, BuildWay, ExtraDisk, NetworkKind, Suite } from './suite.ts';
import type { VmEntry } from './vmEntry.ts';

export type StrategyChoice = RunStrategy | 'running:true' | 'running:false';

/** What is drawn for one VM; `buildVmEntry` turns it into manifests. Public. */
export interface VmShape {
  standalone: boolean;
  build: BuildWay;
  preference: boolean;
  boot: BootSource;
  storage: 'local' | 'shared';
  nics: { kind: NetworkKind; specMac: boolean }[];
  extras: { kind: ExtraDisk; serial: boolean }[];
  strategy: StrategyChoice;
  /** The values of the spec dimensions (specSpace.ts). */
  spec: SpecShape;
  /** Labelled for the generated cluster's MigrationPolicy (clusterArb.ts FAST_MIGRATION): its migrations are not held. */
  fastMigration?: boolean;
}

/** One value per spec dimension. Public. */
export type SpecShape = { [D in SpecDimension]: SpecValue<D> };

/** Every dimension at its simplest value (what a suite that names none draws). Public. */
export const SIMPLEST_SPEC = Object.fromEntries(SPEC_DIMENSION_NAMES.map((d) => [d, SPEC_DIMENSIONS[d][0]])) as SpecShape;

export type { VmEntry } from './vmEntry.ts';

const STRATEGIES: [StrategyChoice, ...StrategyChoice[]] = ['Always', 'running:true', 'RerunOnFailure', 'Manual', 'Halted', 'Once', 'running:false'];
const DATA_SIZE = '16Mi';
/**
 * The run strategies that start the VM when it is created (docs/spec.md R-RS*): a
 * suite that migrates favours them, since only a running VMI migrates.
 */
const STARTING: StrategyChoice[] = ['Always', 'running:true', 'RerunOnFailure', 'Once'];

function dataVolume(name: string, spec: DataVolume['spec']): DataVolume {
  return { apiVersion: 'cdi.kubevirt.io/v1beta1', kind: 'DataVolume', metadata: { name }, spec };
}

function storageOf(sc: 'local' | 'shared', size: string): NonNullable<DataVolume['spec']['storage']> {
  return {
    accessModes: [sc === 'local' ? 'ReadWriteOnce' : 'ReadWriteMany'],
    resources: { requests: { storage: size } },
    storageClassName: sc === 'local' ? LOCAL_SC : SHARED_SC,
  };
}

interface Parts {
  deps: KubeObject[];
  disks: Disk[];
  volumes: Volume[];
  interfaces: Interface[];
  networks: Network[];
  kernel: boolean;
  dvTemplate: boolean;
}

function bootParts(name: string, s: VmShape, p: Parts): void {
  const sc = storageOf(s.storage, '64Mi');
  const bus = s.spec.diskBus;
  switch (s.boot) {
    case 'containerDisk':
      p.disks.push({ name: 'rootdisk', disk: { bus } });
      p.volumes.push({ name: 'rootdisk', containerDisk: { image: GUEST_IMAGE } });
      return;
    case 'iso':
      p.disks.push({ name: 'cdrom', cdrom: { bus: s.spec.cdromBus, readonly: true } });
      p.volumes.push({ name: 'cdrom', containerDisk: { image: 'vmconform/guest-iso:latest' } });
      return;
    case 'kernel':
      p.kernel = true;
      return;
    case 'pvc':
      p.deps.push(dataVolume(`${name}-boot`, { source: { registry: { url: `docker://${GUEST_IMAGE}` } }, storage: sc }));
      p.disks.push({ name: 'rootdisk', disk: { bus } });
      p.volumes.push({ name: 'rootdisk', persistentVolumeClaim: { claimName: `${name}-boot` } });
      return;
    case 'dataVolume':
      // A VM owns its clone through dataVolumeTemplates (R-S2); a standalone VMI needs its own DataVolume.
      if (s.standalone) p.deps.push(dataVolume(`${name}-root`, { sourceRef: { kind: 'DataSource', name: GOLDEN }, storage: sc }));
      else p.dvTemplate = true;
      p.disks.push({ name: 'rootdisk', disk: { bus } });
      p.volumes.push({ name: 'rootdisk', dataVolume: { name: `${name}-root` } });
      return;
  }
}

function extraParts(name: string, s: VmShape, p: Parts): void {
  const bus = s.spec.diskBus;
  s.extras.forEach((e, i) => {
    const disk = `${e.kind.toLowerCase()}${i}`;
    const serial = e.serial ? { serial: `${disk}-s` } : {};
    switch (e.kind) {
      case 'emptyDisk':
        p.disks.push({ name: disk, disk: { bus }, ...serial });
        p.volumes.push({ name: disk, emptyDisk: { capacity: DATA_SIZE } });
        return;
      case 'pvc': {
        const claim = `${name}-data${i}`;
        const st = storageOf(s.storage, DATA_SIZE);
        p.deps.push({
          apiVersion: 'v1',
          kind: 'PersistentVolumeClaim',
          metadata: { name: claim },
          spec: { accessModes: st.accessModes ?? ['ReadWriteOnce'], resources: { requests: { storage: DATA_SIZE } }, storageClassName: st.storageClassName ?? LOCAL_SC },
        });
        p.disks.push({ name: disk, disk: { bus }, ...serial });
        p.volumes.push({ name: disk, persistentVolumeClaim: { claimName: claim } });
        return;
      }
      case 'cloudInit':
        p.disks.push({ name: disk, disk: { bus } });
        p.volumes.push({ name: disk, cloudInitNoCloud: { userData: `#cloud-config\nhostname: ${name}\n` } });
        return;
      case 'configMap':
        p.deps.push({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: `${name}-cm${i}` }, data: { 'app.conf': `vm=${name}\n` } });
        p.disks.push({ name: disk, disk: { bus }, ...serial });
        p.volumes.push({ name: disk, configMap: { name: `${name}-cm${i}` } });
        return;
      case 'secret':
        p.deps.push({ apiVersion: 'v1', kind: 'Secret', metadata: { name: `${name}-secret${i}` }, stringData: { password: `pw-${name}` } });
        p.disks.push({ name: disk, disk: { bus }, ...serial });
        p.volumes.push({ name: disk, secret: { secretName: `${name}-secret${i}` } });
        return;
      case 'serviceAccount':
        // Every service account exists (docs/spec.md §16); a second one on a VMI is refused, as KubeVirt does.
        p.disks.push({ name: disk, disk: { bus }, ...serial });
        p.volumes.push({ name: disk, serviceAccount: { serviceAccountName: `${name}-sa` } });
        return;
    }
  });
}

function nicParts(vmIndex: number, s: VmShape, p: Parts): void {
  s.nics.forEach((n, i) => {
    const mac = n.specMac ? { macAddress: `02:00:00:00:${String(vmIndex).padStart(2, '0')}:${String(i).padStart(2, '0')}` } : {};
    const model = s.spec.nicModel === 'unset' ? {} : { model: s.spec.nicModel };
    switch (n.kind) {
      case 'pod':
        p.interfaces.push({ name: 'default', ...(s.spec.podBinding === 'bridge' ? { bridge: {} } : { masquerade: {} }), ...mac, ...model });
        p.networks.push({ name: 'default', pod: {} });
        return;
      case 'multus':
        p.interfaces.push({ name: 'br', bridge: {}, ...mac, ...model });
        p.networks.push({ name: 'br', multus: { networkName: BRIDGE_NAD } });
        return;
      case 'sriov':
        p.interfaces.push({ name: 'vf', sriov: {}, ...mac, ...model });
        p.networks.push({ name: 'vf', multus: { networkName: SRIOV_NAD } });
        return;
    }
  });
}

type Domain = VirtualMachineInstanceSpec['domain'];

/** The guest memory where the shape writes it (memoryIn): memory.guest, resources.requests or resources.limits. */
function memoryFields(where: SpecValue<'memoryIn'>, quantity: string): Pick<Domain, 'memory' | 'resources'> {
  if (where === 'guest') return { memory: { guest: quantity } };
  return { resources: { [where]: { memory: quantity } } };
}

/** The vCPUs of `SxCxT`. */
function vcpusOf(topology: SpecValue<'cpu'>): number {
  return topology.split('x').map(Number).reduce((a, b) => a * b, 1);
}

/** The vCPUs where the shape writes them (cpuIn): spec.domain.cpu from `SxCxT`, or their count as resources.requests.cpu. */
function cpuFields(topology: SpecValue<'cpu'>, where: SpecValue<'cpuIn'>): Pick<Domain, 'cpu' | 'resources'> {
  if (where === 'requests') return { resources: { requests: { cpu: String(vcpusOf(topology)) } } };
  const [sockets, cores, threads] = topology.split('x').map(Number) as [number, number, number];
  return { cpu: { sockets, cores, threads } };
}

/** cpu and memory of a sized VMI, the two resources maps merged. */
function sizeFields(s: VmShape, memory: string): Pick<Domain, 'cpu' | 'memory' | 'resources'> {
  const cpu = cpuFields(s.spec.cpu, s.spec.cpuIn);
  const mem = memoryFields(s.spec.memoryIn, memory);
  const requests = { ...cpu.resources?.requests, ...mem.resources?.requests };
  const limits = mem.resources?.limits;
  const resources = { ...(Object.keys(requests).length ? { requests } : {}), ...(limits ? { limits } : {}) };
  return { ...(cpu.cpu ? { cpu: cpu.cpu } : {}), ...(mem.memory ? { memory: mem.memory } : {}), ...(Object.keys(resources).length ? { resources } : {}) };
}

/** bootOrder per the shape: on the boot disk (or cdrom), or on the first extra disk and then the boot disk. */
function bootOrderParts(s: VmShape, p: Parts): void {
  if (s.spec.bootOrder === 'unset' || p.kernel) return;
  const root = p.disks[0] as Disk;
  const extra = p.disks[1];
  if (s.spec.bootOrder === 'data-first' && extra) {
    extra.bootOrder = 1;
    root.bootOrder = 2;
  } else root.bootOrder = 1;
}

function vmiSpec(s: VmShape, p: Parts, sized: boolean): VirtualMachineInstanceSpec {
  const spec: VirtualMachineInstanceSpec = {
    domain: {
      devices: { disks: p.disks, interfaces: p.interfaces, ...(p.interfaces.length === 0 ? { autoattachPodInterface: false } : {}) },
      ...(sized ? sizeFields(s, s.spec.memory) : {}),
      ...(p.kernel ? { firmware: { kernelBoot: { kernelArgs: 'console=ttyS0', container: { image: 'vmconform/guest-kernel:latest' } } } } : {}),
    },
    networks: p.networks,
    volumes: p.volumes,
    ...(s.spec.grace === 'unset' ? {} : { terminationGracePeriodSeconds: Number(s.spec.grace) }),
  };
  return spec;
}

function strategyFields(s: StrategyChoice): { running?: boolean; runStrategy?: RunStrategy } {
  if (s === 'running:true') return { running: true };
  if (s === 'running:false') return { running: false };
  return { runStrategy: s };
}

function templateVm(name: string, vm: VirtualMachine, s: VmShape): KubeObject {
  // The VM with its name and memory as parameters, processed like `oc process -p NAME=...`.
  // Copied only along the two changed paths (no deep clone): processing copies every value again.
  const tspec = vm.spec.template.spec;
  const raw = {
    ...vm,
    metadata: { ...vm.metadata, name: '${NAME}' },
    spec: { ...vm.spec, template: { ...vm.spec.template, spec: { ...tspec, domain: { ...tspec.domain, ...sizeFields(s, '${MEMORY}') } } } },
  };
  const t: Template = {
    apiVersion: 'template.openshift.io/v1',
    kind: 'Template',
    metadata: { name: `${name}-template` },
    objects: [raw],
    parameters: [
      { name: 'NAME', required: true },
      { name: 'MEMORY', value: s.spec.memory },
    ],
  };
  const r = processTemplate(t, { NAME: name }, 0);
  if (!r.ok || r.objects.length !== 1) throw new Error(`bug: generated template for ${name} does not process: ${JSON.stringify(r)}`);
  return r.objects[0] as KubeObject;
}

/** The drawn values of a VM, for the coverage counts (VmEntry.dims). */
function shapeDims(s: VmShape, p: Parts): VmEntry['dims'] {
  const byType = !s.standalone && s.build === 'instancetype';
  const x = s.spec;
  const cdrom = p.disks.some((d) => d.cdrom);
  const disks = p.disks.some((d) => d.disk);
  const orders = p.disks.some((d) => d.bootOrder !== undefined);
  // cloud-init disks take no serial (extraParts)
  const serials = s.extras.filter((e) => e.kind !== 'cloudInit').map((e) => (e.serial ? 'set' : 'unset'));
  return {
    kind: s.standalone ? 'VirtualMachineInstance' : 'VirtualMachine',
    build: s.standalone ? 'yaml' : s.build,
    boot: s.boot,
    storage: s.storage,
    network: s.nics.length === 0 ? ['none'] : s.nics.map((n) => n.kind),
    extraDisk: s.extras.map((e) => e.kind),
    // The value drawn where the manifest carries it; a VM built from an instance type has its cpu and memory.
    ...(byType
      ? { instancetype: x.instancetype, preference: s.preference ? 'yes' : 'no' }
      : { cpu: x.cpu, cpuIn: x.cpuIn, vcpus: String(vcpusOf(x.cpu)), memory: x.memory, memoryIn: x.memoryIn }),
    grace: x.grace,
    ...(disks ? { diskBus: x.diskBus } : {}),
    ...(cdrom ? { cdromBus: x.cdromBus } : {}),
    ...(s.nics.length > 0 ? { nicModel: x.nicModel, mac: s.nics.map((n) => (n.specMac ? 'spec' : 'generated')) } : {}),
    ...(serials.length > 0 ? { serial: serials } : {}),
    ...(s.nics.some((n) => n.kind === 'pod') ? { podBinding: x.podBinding } : {}),
    ...(p.kernel ? {} : { bootOrder: orders ? x.bootOrder : 'unset' }),
    ...(s.fastMigration === undefined ? {} : { migrationPolicy: s.fastMigration ? FAST_MIGRATION.name : 'none' }),
  };
}

/** Builds the manifests of VM number `index` (name `vm-<letter>`). Public. */
export function buildVmEntry(index: number, s: VmShape): VmEntry {
  const name = `vm-${String.fromCharCode(97 + index)}`;
  const p: Parts = { deps: [], disks: [], volumes: [], interfaces: [], networks: [], kernel: false, dvTemplate: false };
  bootParts(name, s, p);
  extraParts(name, s, p);
  nicParts(index, s, p);
  bootOrderParts(s, p);
  if (s.standalone) {
    const vmi: VirtualMachineInstance = { apiVersion: 'kubevirt.io/v1', kind: 'VirtualMachineInstance', metadata: { name, ...(s.fastMigration ? { labels: FAST_MIGRATION.labels } : {}) }, spec: vmiSpec(s, p, true) };
    return { name, kind: 'VirtualMachineInstance', build: 'yaml', objects: [...p.deps, vmi], dims: shapeDims(s, p) };
  }
  const byType = s.build === 'instancetype';
  const vm: VirtualMachine = {
    apiVersion: 'kubevirt.io/v1',
    kind: 'VirtualMachine',
    metadata: { name },
    spec: {
      ...strategyFields(s.strategy),
      ...(byType ? { instancetype: { name: INSTANCETYPES[s.spec.instancetype].name, kind: 'VirtualMachineClusterInstancetype' as const } } : {}),
      ...(byType && s.preference ? { preference: { name: PREFERENCE, kind: 'VirtualMachineClusterPreference' as const } } : {}),
      ...(p.dvTemplate
        ? { dataVolumeTemplates: [{ metadata: { name: `${name}-root` }, spec: { sourceRef: { kind: 'DataSource' as const, name: GOLDEN }, storage: storageOf(s.storage, '64Mi') } }] }
        : {}),
      template: { metadata: { labels: { 'vmconform.io/vm': name, ...(s.fastMigration ? FAST_MIGRATION.labels : {}) } }, spec: vmiSpec(s, p, !byType) },
    },
  };
  const main = s.build === 'template' ? templateVm(name, vm, s) : vm;
  return { name, kind: 'VirtualMachine', build: s.build, objects: [...p.deps, main], dims: shapeDims(s, p) };
}

/**
 * How much more often a suite that migrates draws the value that keeps a VM
 * live-migratable than each other value of the same choice, so that most VMs
 * with a PVC and a pod network can migrate (with even odds only a quarter
 * could); with migrate listed ten times, the default suite ran a migration in
 * 20 % of its sequences at 3 and 24 % at 5, on the model over six seeds
 * (docs/harness-choices.md §8). The blockers are KubeVirt's
 * LiveMigratable condition (docs/spec.md R-M1; pkg/virt-handler/vm.go
 * calculateLiveMigrationCondition): a PVC without ReadWriteMany, a pod
 * network bound with `bridge`. The run strategies that start the VM on
 * creation get the same weight: only a running VMI migrates.
 */
export const MIGRATABLE_WEIGHT = 5;

/**
 * One of `values` (simplest first), `favoured` drawn `weight` times as often
 * as each other one; shrinks toward the first value whatever was drawn.
 */
export function weightedFrom<T>(values: readonly [T, ...T[]], favoured: readonly T[], weight: number): fc.Arbitrary<T> {
  if (weight === 1 || !values.some((v) => favoured.includes(v))) return fc.constantFrom(...values);
  return fc.oneof({ withCrossShrink: true }, ...values.map((v) => ({ arbitrary: fc.constant(v), weight: favoured.includes(v) ? weight : 1 })));
}

/** VM shapes drawn from the suite's boot sources, networks, builds and extra disks. Public. */
export function vmShapeArb(suite: Suite): fc.Arbitrary<VmShape> {
  const nets = suite.networks;
  const favour = suite.commands.includes('migrate') ? MIGRATABLE_WEIGHT : 1;
  return fc.record({
    standalone: suite.standalone ? fc.boolean() : fc.constant(false),
    build: fc.constantFrom(...suite.builds),
    preference: fc.boolean(),
    boot: fc.constantFrom(...suite.bootSources),
    storage: weightedFrom<'local' | 'shared'>(['shared', 'local'], ['shared'], favour),
    nics: nets.length === 0 ? fc.constant([]) : fc.uniqueArray(fc.record({ kind: fc.constantFrom(...nets), specMac: fc.boolean() }), { maxLength: nets.length, selector: (n) => n.kind }).map((ns) =>
      // Pod network first, as KubeVirt lists it; at most one NIC per kind.
      [...ns].sort((a, b) => nets.indexOf(a.kind) - nets.indexOf(b.kind)),
    ),
    extras: suite.extraDisks.length === 0 ? fc.constant([]) : fc.array(fc.record({ kind: fc.constantFrom(...suite.extraDisks), serial: fc.boolean() }), { maxLength: 2 }).map(oneServiceAccount),
    strategy: weightedFrom(STRATEGIES, STARTING, favour),
    spec: specShapeArb(suite, favour),
    // Where migrations are drawn, one VM in four matches the cluster's MigrationPolicy (R-M9): its migrations
    // run through; the others' are held in flight, where abortMigration and killMigrationTarget act on them.
    ...(suite.commands.includes('migrate') ? { fastMigration: weightedFrom([false, true], [false], 3) } : {}),
  });
}

/** KubeVirt allows one serviceAccount volume per VMI (vmi-create-admitter.go validateVolumes): a second drawn one is left out. */
function oneServiceAccount(extras: VmShape['extras']): VmShape['extras'] {
  const first = extras.findIndex((e) => e.kind === 'serviceAccount');
  return extras.filter((e, i) => e.kind !== 'serviceAccount' || i === first);
}

/** The value of a spec dimension that keeps a VM live-migratable (R-M1), where one value blocks it. */
const MIGRATABLE_SPEC: { [D in SpecDimension]?: SpecValue<D> } = { podBinding: 'masquerade' };

/** One value per dimension from the suite's `spec:`, shrinking toward its simplest (first) value. */
function specShapeArb(suite: Suite, favour: number): fc.Arbitrary<SpecShape> {
  const arbs = Object.fromEntries(
    SPEC_DIMENSION_NAMES.map((d) => {
      const values = suite.spec[d] as readonly string[] as [string, ...string[]];
      const favoured = MIGRATABLE_SPEC[d] as string | undefined;
      return [d, favoured === undefined ? fc.constantFrom(...values) : weightedFrom(values, [favoured], favour)];
    }),
  );
  return fc.record(arbs) as unknown as fc.Arbitrary<SpecShape>;
}
