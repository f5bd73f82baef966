/**
 * The cluster core: KubeVirt's control plane as a pure, synchronous,
 * deterministic state machine (SPEC.md §2–§12). Public (internal to
 * backends): the model backend drives it with a simulated node agent, the
 * qemu backend with a real one.
 *
 * Commands (apply, delete, vm verbs, guest actions, faults) and agent events
 * go in; effects for the node agent come out of `takeEffects()`. The core
 * never assumes an effect has completed: a VMI is Running only once the agent
 * says `running`, gone only once the agent says `exited`, and so on.
 *
 * No I/O, no clock, no randomness: uids and MACs come from counters (MACs
 * offset by the seed). Every decision comes from a `Rules` table (rules.ts).
 *
 * Harness choices where KubeVirt leaves room (documented here once):
 * - Crash-loop backoff (R-RS6): the backoff timer never fires by itself; a
 *   VM in backoff stays CrashLoopBackOff (no VMI) until a start, stop or
 *   restart request clears the failure count. A VMI deleted by the
 *   controller (stop, restart) does not count as a start failure.
 * - A missing NetworkAttachmentDefinition keeps the VMI Pending with
 *   Synchronized=False/FailedCreate (the launcher pod cannot be rendered);
 *   the VM shows Starting. It proceeds once the NAD is applied.
 * - A PVC without a known StorageClass stays Pending. Immediate PVCs are
 *   bound when provisioned (node-local ones to the node the scheduling rule
 *   picks, ignoring capacity); WaitForFirstConsumer PVCs bind to the node of
 *   their first VMI. DataVolume PVCs bind immediately whatever the class.
 * - A registry image not in the catalogue fails its DataVolume at once
 *   (DataVolumeError) without asking the agent.
 * - In-guest actions (poweroff, reboot, panic, writeData) on a paused guest
 *   answer 409 `VMI is paused`; host-side acpiShutdown and reset are allowed.
 * - pause / unpause / soft-reboot of a VM without a VMI answer 409 as for a
 *   VMI that is not running (SPEC R-V5..R-V7); an unknown name is 404.
 * - Only the 5 newest finished migrations of a VMI are kept (KubeVirt's
 *   garbage-collection buffer); older ones leave the observation.
 * - A NotReady Node applied by manifest changes nothing for running VMIs
 *   (unreachable, not fenced: REFERENCE §12.9 (b)); only the nodeLoss fault
 *   fails them. New VMIs never land on it.
 * - Node drain: LiveMigrate(+IfPossible) migratable VMIs get a migration
 *   named like the verb's; LiveMigrate non-migratable ones block (stay);
 *   None and LiveMigrateIfPossible non-migratable ones are shut down
 *   (graceful, VMI kept, owner reacts per its strategy). No retry of failed
 *   evacuations.
 */
import type {
  ConfigMap,
  DataSource,
  DataVolumeSpec,
  InstancetypeSpec,
  KubeObject,
  NetworkAttachmentDefinition,
  Node,
  ObjectRef,
  PersistentVolumeClaim,
  PreferenceSpec,
  RunStrategy,
  Secret,
  StorageClass,
  VirtualMachine,
  VirtualMachineInstanceSpec,
  EvictionStrategy,
  ClusterConfig,
} from '../api/types.ts';
import { SRIOV_RESOURCE_ANNOTATION } from '../api/types.ts';
import { findImage } from '../api/images.ts';
import { parseQuantity } from '../api/quantity.ts';
import { applyClusterDefaults, applyInstancetype, parseCniConfig } from '../api/index.ts';
import { OK, type Fault, type GuestAction, type Result, type VmAction } from '../../backends/contract.ts';
import type { AgentEvent, Effect, ExitReason, LaunchDisk, LaunchNic, LaunchSpec, VolumeSource } from './agent.ts';
import type { ObservedCondition, ObservedMigrationState, VmiPhase } from '../observe/types.ts';
import { BACKOFF_STRATEGIES, makeRules, printableStatus, type RuleOverrides, type Rules, type Situation, type VmStatusFacts } from './rules.ts';
import { ERR } from './messages.ts';
import { launchDisks, type DiskLookups } from './launchDisks.ts';
import { allocate, generatedMac, parseRange, release, type Ipv4Pool } from './ipam.ts';
import { giveVf, pickNode, takeVf, unschedulableMessage, type NodeState, type Request } from './scheduler.ts';

/** Cluster defaults (SPEC §12), overridable by a ClusterConfig object. */
export interface ClusterDefaults {
  defaultNetworkInterface: 'masquerade' | 'bridge';
  evictionStrategy: EvictionStrategy;
  terminationGracePeriodSeconds: number;
  parallelMigrationsPerCluster: number;
  parallelOutboundMigrationsPerNode: number;
}

export const DEFAULT_CLUSTER: ClusterDefaults = {
  defaultNetworkInterface: 'masquerade',
  evictionStrategy: 'LiveMigrate',
  terminationGracePeriodSeconds: 30,
  parallelMigrationsPerCluster: 5,
  parallelOutboundMigrationsPerNode: 2,
};

export interface CoreOptions {
  rules?: RuleOverrides;
  cluster?: Partial<ClusterDefaults>;
  /** Offsets generated MACs and uids: same seed ⇒ same trace. */
  seed?: number;
}

const MiB = 1024 * 1024;
const MIGRATABLE: VmiState['migratable'] = Object.freeze({ status: 'True' });
const FIRMWARE_BOOT: LaunchSpec['boot'] = Object.freeze({ kind: 'firmware' });
const START: StateRequest = Object.freeze({ action: 'Start', paused: false });
/**
 * VMI subresource verbs (R-V5..R-V7; also on standalone VMIs, R-SA1): the
 * answer when the VMI (or the VM's VMI) is not Running, then the verb's own
 * precondition. A VM without a VMI answers `notRunning`; an unknown name 404.
 */
const VMI_SUBRESOURCES: Record<'pause' | 'unpause' | 'softReboot', { notRunning: () => Result; deny: (v: VmiState) => Result | null }> = {
  pause: { notRunning: ERR.vmNotRunning, deny: (v) => (v.paused ? ERR.alreadyPaused() : null) },
  unpause: { notRunning: ERR.vmiNotRunning, deny: (v) => (v.paused ? null : ERR.notPaused()) },
  softReboot: {
    notRunning: ERR.vmNotRunning,
    deny: (v) => (v.paused ? ERR.vmiPaused() : !v.agent && v.spec.domain.features?.acpi?.enabled === false ? ERR.noAgentNoAcpi() : null),
  },
};

const FINAL = (p: VmiPhase): boolean => p === 'Succeeded' || p === 'Failed';

type StateRequest = { action: 'Start'; paused: boolean } | { action: 'Stop'; uid: string };

/** A VirtualMachine as the VM controller tracks it. Internal. */
export interface VmState {
  name: string;
  obj: VirtualMachine;
  strategy: RunStrategy;
  /** status.runStrategy: null until a VMI was first created. */
  lastStrategy: RunStrategy | null;
  requests: StateRequest[];
  startFailures: number;
  backoff: boolean;
  /** deleteRecreate: create again once the old VMI is gone. */
  recreate: boolean;
  startPaused: boolean;
  deleting: boolean;
  /** Queued for the controller. */
  dirty: boolean;
  vmi: VmiState | null;
  /** Resolved VMI spec (instancetype applied), refreshed on apply. */
  spec: VirtualMachineInstanceSpec;
  tmpl: VmiTemplate | null;
  dvNames: string[];
}

interface Nic {
  name: string;
  kind: 'pod' | 'bridge' | 'sriov';
  podBinding: 'masquerade' | 'bridge' | null;
  network: string | null;
  mac: string;
  macSource: 'spec' | 'generated';
  ipv4Cidr: string | null;
  vf: { resource: string; index: number } | null;
}

/** The parts of a VMI that follow from its spec and the cluster's objects, cached per VM. Internal. */
interface VmiTemplate {
  /** Store version it was built at: any apply/delete of another kind or volume change makes it stale. */
  version: number;
  spec: VirtualMachineInstanceSpec;
  cpu: number;
  memMiB: number;
  claims: string[];
  nics: Omit<Nic, 'mac' | 'macSource' | 'ipv4Cidr' | 'vf'>[];
  specMacs: (string | null)[];
  imageBlocker: VmiState['sync'];
  disks: LaunchDisk[] | null;
  disksVersion: number;
  migratable: VmiState['migratable'] | null;
  migratableVersion: number;
  /** No claims, DataVolumes, Multus or SR-IOV NICs: the hot path skips those checks. */
  simple: boolean;
  /** The request of a simple VMI (shared, read-only). */
  request: Request;
}

/** A VirtualMachineInstance. Internal. */
export interface VmiState {
  name: string;
  uid: string;
  seq: number;
  owner: VmState | null;
  tmpl: VmiTemplate;
  spec: VirtualMachineInstanceSpec;
  cpu: number;
  memMiB: number;
  phase: VmiPhase;
  node: string | null;
  everRunning: boolean;
  launched: boolean;
  paused: boolean;
  agent: boolean;
  startPaused: boolean;
  /** Deleted from the API: removed once its launcher exited. */
  deleting: boolean;
  /** A shutdown was asked of the agent. */
  shuttingDown: boolean;
  grace: number;
  sync: { reason: string; message: string } | null;
  unschedulable: string | null;
  nics: Nic[];
  claims: string[];
  migratable: ObservedCondition & { message?: string };
  migration: ObservedMigrationState | null;
  activeMigration: MigrationState | null;
  launch: LaunchSpec | null;
  waitingVolumes: boolean;
}

/** A VirtualMachineInstanceMigration. Internal. */
export interface MigrationState {
  name: string;
  uid: string;
  vmiName: string;
  vmi: VmiState;
  phase: 'Pending' | 'Running' | 'Succeeded' | 'Failed';
  source: string | null;
  target: string | null;
  targetNics: Nic[] | null;
  removeWhenFinal: boolean;
}

/** A PersistentVolumeClaim. Internal. */
export interface PvcState {
  name: string;
  obj: PersistentVolumeClaim;
  phase: 'Pending' | 'Bound' | 'Lost';
  node: string | null;
  storage: 'local' | 'shared' | null;
  wffc: boolean;
  sizeBytes: number;
  rwx: boolean;
  provisioning: boolean;
  source: VolumeSource;
  dv: string | null;
  deleting: boolean;
}

/** A DataVolume (standalone or from dataVolumeTemplates). Internal. */
export interface DvState {
  name: string;
  spec: DataVolumeSpec;
  phase: 'Pending' | 'ImportInProgress' | 'CloneInProgress' | 'Succeeded' | 'Failed';
  ownerVm: string | null;
}

/** The cluster core. Public (internal to backends). */
export class ClusterCore {
  readonly rules: Rules;
  readonly cluster: ClusterDefaults;
  readonly vms = new Map<string, VmState>();
  readonly vmis = new Map<string, VmiState>();
  readonly byUid = new Map<string, VmiState>();
  readonly migrations = new Map<string, MigrationState>();
  readonly pvcs = new Map<string, PvcState>();
  readonly dvs = new Map<string, DvState>();
  readonly nodes = new Map<string, NodeState>();
  readonly nodeVmis = new Map<string, Set<VmiState>>();
  /** Every other kind, by kind then name. */
  readonly store = new Map<string, Map<string, KubeObject>>();
  private sortedNodes: NodeState[] = [];
  private readonly pools = new Map<string, Ipv4Pool>();
  /** Pending effects: the first outboxLen slots (the array is reused, never shrunk). */
  private readonly outbox: (Effect | undefined)[] = [];
  private outboxLen = 0;
  private readonly seed: number;
  private uidCounter = 0;
  private macCounter = 0;
  private vmiSeq = 0;
  private readonly migrationCounters = new Map<string, number>();
  private readonly pendingMigrations: MigrationState[] = [];
  private runningMigrations = 0;
  private readonly outbound = new Map<string, number>();
  /** VMIs that could not advance (blocked or unschedulable), retried when something changes. */
  private readonly waiting = new Set<VmiState>();
  /** VMs the controller must look at; `VmState.dirty` avoids duplicates. */
  private readonly dirtyVms: (VmState | null)[] = [];
  private dirtyLen = 0;
  private reconciling = false;
  private readonly diskLookups: DiskLookups = {
    pvc: (claim) => this.pvcs.get(claim),
    configMap: (name) => this.get<ConfigMap>('ConfigMap', name),
    secret: (name) => this.get<Secret>('Secret', name),
  };
  /** Bumped by every change of the objects VMI templates depend on. */
  private version = 0;
  private readonly finishedMigrations = new Map<string, MigrationState[]>();

  constructor(opts: CoreOptions = {}) {
    this.rules = makeRules(opts.rules);
    this.cluster = { ...DEFAULT_CLUSTER, ...opts.cluster };
    this.seed = opts.seed ?? 0;
    this.macCounter = (this.seed * 7919) & 0xffff;
  }

  // -------------------------------------------------------------------------
  // Driving surface

  /** Effects produced since the last call, in order. */
  takeEffects(): Effect[] {
    const out = this.outbox.slice(0, this.outboxLen) as Effect[];
    this.outbox.fill(undefined, 0, this.outboxLen);
    this.outboxLen = 0;
    return out;
  }

  /**
   * Hands each pending effect to `perform`, in order, and forgets it: the
   * allocation-free form of takeEffects for synchronous drivers. `perform`
   * must not call back into the core.
   */
  drainEffects(perform: (e: Effect) => void): void {
    const box = this.outbox;
    for (let i = 0; i < this.outboxLen; i++) {
      const e = box[i]!;
      box[i] = undefined;
      perform(e);
    }
    this.outboxLen = 0;
  }

  /** True when effects are waiting to be taken. */
  hasEffects(): boolean {
    return this.outboxLen > 0;
  }

  /** Launch specs of the VMIs whose guests run (phase Running), for observeGuests. */
  runningLaunchSpecs(): LaunchSpec[] {
    const out: LaunchSpec[] = [];
    for (const v of this.vmis.values()) if (v.phase === 'Running' && v.launch) out.push(v.launch);
    return out;
  }

  // -------------------------------------------------------------------------
  // apply / delete

  apply(obj: KubeObject): Result {
    return this.settled(this.applyObject(obj));
  }

  private applyObject(obj: KubeObject): Result {
    if (obj.kind !== 'VirtualMachine' && obj.kind !== 'VirtualMachineInstance' && obj.kind !== 'VirtualMachineInstanceMigration') this.version++;
    switch (obj.kind) {
      case 'VirtualMachine':
        return this.applyVm(obj);
      case 'VirtualMachineInstance': {
        const existing = this.vmis.get(obj.metadata.name);
        if (existing) return OK; // VMI specs are immutable; labels are not modelled
        this.createVmi(obj.metadata.name, null, this.template(obj.spec), false);
        return OK;
      }
      case 'VirtualMachineInstanceMigration':
        if (this.migrations.has(obj.metadata.name)) return OK; // the spec is immutable
        return this.createMigration(obj.spec.vmiName, obj.metadata.name);
      case 'Node':
        this.applyNode(obj);
        return OK;
      case 'PersistentVolumeClaim':
        this.applyPvc(obj, null);
        return OK;
      case 'DataVolume':
        this.applyDv(obj.metadata.name, obj.spec, null);
        return OK;
      case 'NetworkAttachmentDefinition':
        return this.applyNad(obj);
      case 'ClusterConfig': {
        const s = obj.spec;
        if (s.defaultNetworkInterface) this.cluster.defaultNetworkInterface = s.defaultNetworkInterface;
        if (s.evictionStrategy) this.cluster.evictionStrategy = s.evictionStrategy;
        if (s.defaultTerminationGracePeriodSeconds !== undefined) this.cluster.terminationGracePeriodSeconds = s.defaultTerminationGracePeriodSeconds;
        if (s.parallelMigrationsPerCluster !== undefined) this.cluster.parallelMigrationsPerCluster = s.parallelMigrationsPerCluster;
        if (s.parallelOutboundMigrationsPerNode !== undefined)
          this.cluster.parallelOutboundMigrationsPerNode = s.parallelOutboundMigrationsPerNode;
        this.putStore(obj);
        return OK;
      }
      default:
        this.putStore(obj);
        if (obj.kind === 'StorageClass') for (const p of this.pvcs.values()) if (p.phase === 'Pending' && !p.provisioning) this.bindIfImmediate(p);
        if (obj.kind === 'DataSource') for (const d of this.dvs.values()) if (d.phase === 'Pending') this.startDv(d);
        this.retryWaiting();
        return OK;
    }
  }

  private putStore(obj: KubeObject): void {
    let m = this.store.get(obj.kind);
    if (!m) this.store.set(obj.kind, (m = new Map()));
    m.set(obj.metadata.name, obj);
  }

  private get<T extends KubeObject>(kind: T['kind'], name: string): T | undefined {
    return this.store.get(kind)?.get(name) as T | undefined;
  }

  delete(ref: ObjectRef): Result {
    return this.settled(this.deleteObject(ref));
  }

  private deleteObject(ref: ObjectRef): Result {
    const n = ref.name;
    if (ref.kind !== 'VirtualMachine' && ref.kind !== 'VirtualMachineInstance' && ref.kind !== 'VirtualMachineInstanceMigration') this.version++;
    switch (ref.kind) {
      case 'VirtualMachine': {
        const vm = this.vms.get(n);
        if (!vm) return ERR.vmNotFound(n);
        vm.deleting = true;
        this.markDirty(vm);
        return OK;
      }
      case 'VirtualMachineInstance': {
        const vmi = this.vmis.get(n);
        if (!vmi) return ERR.vmiNotFound(n);
        this.deleteVmi(vmi, null);
        return OK;
      }
      case 'VirtualMachineInstanceMigration': {
        const m = this.migrations.get(n);
        if (!m) return ERR.notFound('virtualmachineinstancemigrations.kubevirt.io', n);
        if (m.phase === 'Pending') {
          this.finishMigration(m, 'Failed');
          this.migrations.delete(n);
        } else if (m.phase === 'Running') m.removeWhenFinal = true;
        else this.migrations.delete(n);
        return OK;
      }
      case 'PersistentVolumeClaim': {
        const p = this.pvcs.get(n);
        if (!p) return ERR.notFound('persistentvolumeclaims', n);
        this.deletePvc(p);
        return OK;
      }
      case 'DataVolume': {
        const d = this.dvs.get(n);
        if (!d) return ERR.notFound('datavolumes.cdi.kubevirt.io', n);
        this.deleteDv(d);
        return OK;
      }
      case 'Node': {
        const node = this.nodes.get(n);
        if (!node) return ERR.nodeNotFound(n);
        if ((this.nodeVmis.get(n)?.size ?? 0) > 0) return ERR.conflict(`node ${n} still runs VMIs`);
        this.nodes.delete(n);
        this.nodeVmis.delete(n);
        this.sortNodes();
        return OK;
      }
      default: {
        const m = this.store.get(ref.kind);
        if (!m?.delete(n)) return ERR.notFound(ref.kind, n);
        return OK;
      }
    }
  }

  // -------------------------------------------------------------------------
  // Nodes

  private applyNode(obj: Node): void {
    const cap = obj.status.capacity;
    const ready = (obj.status.conditions ?? []).every((c) => c.type !== 'Ready' || c.status === 'True');
    let node = this.nodes.get(obj.metadata.name);
    if (!node) {
      node = {
        name: obj.metadata.name,
        ready,
        schedulable: true,
        cpu: Infinity,
        memMiB: Infinity,
        usedCpu: 0,
        usedMemMiB: 0,
        active: 0,
        vfs: new Map(),
      };
      this.nodes.set(node.name, node);
      this.nodeVmis.set(node.name, new Set());
      this.sortNodes();
    }
    node.ready = ready;
    node.cpu = cap.cpu !== undefined ? (parseQuantity(cap.cpu) ?? Infinity) : Infinity;
    node.memMiB = cap.memory !== undefined ? (parseQuantity(cap.memory) ?? Infinity) / MiB : Infinity;
    for (const [k, v] of Object.entries(cap)) {
      if (k === 'cpu' || k === 'memory') continue;
      const capacity = Math.floor(parseQuantity(v) ?? 0);
      const pool = node.vfs.get(k);
      if (pool) pool.capacity = capacity;
      else node.vfs.set(k, { capacity, used: [], inUse: 0 });
    }
    this.putStore(obj);
    for (const p of this.pvcs.values()) if (p.phase === 'Pending' && !p.provisioning) this.bindIfImmediate(p);
    this.retryWaiting();
  }

  private sortNodes(): void {
    this.sortedNodes = [...this.nodes.values()].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  }

  // -------------------------------------------------------------------------
  // Networks

  private applyNad(obj: NetworkAttachmentDefinition): Result {
    const parsed = parseCniConfig(obj);
    if (!parsed.ok) return ERR.conflict(`spec.config: ${parsed.issues.map((i) => i.message).join('; ')}`);
    const range = parsed.config.ipam?.range;
    const old = this.pools.get(obj.metadata.name);
    if (range) {
      const pool = parseRange(range);
      if (pool && !(old && old.network === pool.network && old.prefix === pool.prefix)) this.pools.set(obj.metadata.name, pool);
    } else this.pools.delete(obj.metadata.name);
    this.putStore(obj);
    this.retryWaiting();
    return OK;
  }

  private nad(name: string): { type: 'bridge' | 'sriov'; resource: string | null } | null {
    const obj = this.get<NetworkAttachmentDefinition>('NetworkAttachmentDefinition', name.includes('/') ? name.split('/')[1]! : name);
    if (!obj) return null;
    const parsed = parseCniConfig(obj);
    if (!parsed.ok) return null;
    return { type: parsed.config.type, resource: obj.metadata.annotations?.[SRIOV_RESOURCE_ANNOTATION] ?? null };
  }

  /** The VMI's NICs from its spec (R-N1..R-N4); MACs fixed here, per VMI. */
  private resolveNics(spec: VirtualMachineInstanceSpec): (Pick<Nic, 'name' | 'kind' | 'podBinding' | 'network'> & { specMac: string | null })[] {
    let ifaces = spec.domain.devices.interfaces ?? [];
    let nets = spec.networks ?? [];
    if (ifaces.length === 0 && nets.length === 0 && spec.domain.devices.autoattachPodInterface !== false) {
      nets = [{ name: 'default', pod: {} }];
      ifaces = [{ name: 'default', [this.cluster.defaultNetworkInterface]: {} }];
    }
    const out: ReturnType<ClusterCore['resolveNics']> = [];
    for (const i of ifaces) {
      const net = nets.find((n) => n.name === i.name);
      const multus = net?.multus?.networkName ?? null;
      const kind: Nic['kind'] = i.sriov ? 'sriov' : multus ? 'bridge' : 'pod';
      out.push({ name: i.name, kind, podBinding: kind === 'pod' ? (i.bridge ? 'bridge' : 'masquerade') : null, network: multus, specMac: i.macAddress ?? null });
    }
    return out;
  }

  // -------------------------------------------------------------------------
  // Storage

  private applyPvc(obj: PersistentVolumeClaim, dv: string | null, source: VolumeSource = { kind: 'blank' }): PvcState {
    const existing = this.pvcs.get(obj.metadata.name);
    if (existing) {
      existing.obj = obj;
      return existing;
    }
    const p: PvcState = {
      name: obj.metadata.name,
      obj,
      phase: 'Pending',
      node: null,
      storage: null,
      wffc: false,
      sizeBytes: parseQuantity(obj.spec.resources.requests.storage) ?? 0,
      rwx: obj.spec.accessModes.includes('ReadWriteMany'),
      provisioning: false,
      source,
      dv,
      deleting: false,
    };
    this.pvcs.set(p.name, p);
    if (dv === null) this.bindIfImmediate(p);
    this.retryWaiting();
    return p;
  }

  private storageClass(p: PvcState): StorageClass | undefined {
    const name = p.obj.spec.storageClassName;
    return name === undefined ? undefined : this.get<StorageClass>('StorageClass', name);
  }

  /** Immediate binding (and DataVolume PVCs): provision now. */
  private bindIfImmediate(p: PvcState, force = false): void {
    const sc = this.storageClass(p);
    if (!sc) return;
    p.storage = sc.provisioner === 'vmconform.io/local' ? 'local' : 'shared';
    p.wffc = sc.volumeBindingMode === 'WaitForFirstConsumer';
    if (p.wffc && !force) return;
    if (p.storage === 'local') {
      const node = pickNode(this.sortedNodes, { cpu: 0, memMiB: 0, vfs: null, pinned: null }, null);
      if (!node) return;
      this.provision(p, node.name);
    } else this.provision(p, null);
  }

  private provision(p: PvcState, node: string | null): void {
    this.version++;
    p.node = p.storage === 'local' ? node : null;
    p.provisioning = true;
    this.emit({ type: 'provisionVolume', pvc: p.name, storage: p.storage ?? 'shared', node: p.node, sizeBytes: p.sizeBytes, source: p.source });
  }

  private deletePvc(p: PvcState): void {
    p.deleting = true;
    if (this.pvcInUse(p.name)) return; // pvc-protection: removed once no VMI uses it
    this.pvcs.delete(p.name);
    if (p.provisioning || p.phase === 'Bound') this.emit({ type: 'deleteVolume', pvc: p.name });
  }

  private pvcInUse(claim: string): boolean {
    for (const v of this.vmis.values()) if (!FINAL(v.phase) && v.node !== null && v.claims.includes(claim)) return true;
    return false;
  }

  private applyDv(name: string, spec: DataVolumeSpec, ownerVm: string | null): void {
    if (this.dvs.has(name)) return;
    const d: DvState = { name, spec, phase: 'Pending', ownerVm };
    this.dvs.set(name, d);
    this.startDv(d);
  }

  private startDv(d: DvState): void {
    if (d.phase !== 'Pending') return;
    let source: VolumeSource = { kind: 'blank' };
    const s = d.spec;
    if (s.source?.registry) {
      const url = s.source.registry.url;
      const img = findImage(url);
      if (!img) {
        d.phase = 'Failed';
        return;
      }
      source = { kind: 'image', image: img.ref, format: img.format };
    } else if (s.sourceRef || s.source?.pvc) {
      let from: string | undefined = s.source?.pvc?.name;
      if (s.sourceRef) from = this.get<DataSource>('DataSource', s.sourceRef.name)?.spec.source.pvc.name;
      const src = from === undefined ? undefined : this.pvcs.get(from);
      if (!src || src.phase !== 'Bound') return; // waits for its source
      source = { kind: 'clone', fromPvc: src.name };
    }
    const storage = s.storage ?? {};
    const pvc: PersistentVolumeClaim = {
      apiVersion: 'v1',
      kind: 'PersistentVolumeClaim',
      metadata: { name: d.name },
      spec: {
        accessModes: storage.accessModes ?? ['ReadWriteOnce'],
        resources: { requests: { storage: storage.resources?.requests?.storage ?? '1Gi' } },
        ...(storage.storageClassName !== undefined ? { storageClassName: storage.storageClassName } : {}),
      },
    };
    const p = this.pvcs.get(d.name) ?? this.applyPvc(pvc, d.name, source);
    if (!this.storageClass(p)) return;
    d.phase = source.kind === 'clone' ? 'CloneInProgress' : 'ImportInProgress';
    if (!p.provisioning && p.phase === 'Pending') this.bindIfImmediate(p, true);
  }

  private deleteDv(d: DvState): void {
    this.dvs.delete(d.name);
    const p = this.pvcs.get(d.name);
    if (p && p.dv === d.name) this.deletePvc(p);
  }

  /** Claim names behind a VMI spec's volumes. */
  private claimsOf(spec: VirtualMachineInstanceSpec): string[] {
    const out: string[] = [];
    for (const v of spec.volumes ?? []) {
      if (v.persistentVolumeClaim) out.push(v.persistentVolumeClaim.claimName);
      else if (v.dataVolume) out.push(v.dataVolume.name);
    }
    return out;
  }

  // -------------------------------------------------------------------------
  // VirtualMachine controller

  private applyVm(obj: VirtualMachine): Result {
    const name = obj.metadata.name;
    const existing = this.vms.get(name);
    if (existing?.deleting) return ERR.conflict(`Operation cannot be fulfilled on virtualmachines.kubevirt.io "${name}": the object is being deleted`);
    const resolved = this.resolveVmSpec(obj);
    if (!resolved.ok) return resolved.result;
    const strategy: RunStrategy = obj.spec.runStrategy ?? (obj.spec.running ? 'Always' : 'Halted');
    const dvNames = (obj.spec.dataVolumeTemplates ?? []).map((t) => t.metadata.name);
    let vm = existing;
    if (!vm) {
      vm = {
        name,
        obj,
        strategy,
        lastStrategy: null,
        requests: [],
        startFailures: 0,
        backoff: false,
        recreate: false,
        startPaused: false,
        deleting: false,
        dirty: false,
        vmi: null,
        spec: resolved.spec,
        tmpl: null,
        dvNames,
      };
      this.vms.set(name, vm);
    } else {
      vm.obj = obj;
      vm.strategy = strategy;
      vm.spec = resolved.spec;
      vm.tmpl = null;
      vm.dvNames = dvNames;
    }
    for (const t of obj.spec.dataVolumeTemplates ?? []) this.applyDv(t.metadata.name, t.spec, name);
    this.markDirty(vm);
    return OK;
  }

  /**
   * Admission that needs cluster state: a referenced instancetype or
   * preference (cluster-wide by default, R-I1) must exist.
   */
  private resolveVmSpec(obj: VirtualMachine): { ok: true; spec: VirtualMachineInstanceSpec } | { ok: false; result: Result } {
    const itRef = obj.spec.instancetype;
    const itKind = itRef?.kind ?? 'VirtualMachineClusterInstancetype';
    const it = itRef && (this.store.get(itKind)?.get(itRef.name) as { spec: InstancetypeSpec } | undefined);
    if (itRef && !it) return { ok: false, result: ERR.instancetypeNotFound(itKind, itRef.name) };
    const pRef = obj.spec.preference;
    const pKind = pRef?.kind ?? 'VirtualMachineClusterPreference';
    const pref = pRef && (this.store.get(pKind)?.get(pRef.name) as { spec: PreferenceSpec } | undefined);
    if (pRef && !pref) return { ok: false, result: ERR.preferenceNotFound(pKind, pRef.name) };
    return { ok: true, spec: applyInstancetype(obj.spec, it?.spec, pref?.spec) };
  }

  private markDirty(vm: VmState): void {
    if (vm.dirty) return;
    vm.dirty = true;
    this.dirtyVms[this.dirtyLen++] = vm;
  }

  private reconcileAll(): void {
    if (this.reconciling || this.dirtyLen === 0) return;
    this.reconciling = true;
    try {
      // the queue grows while it is worked off; it is reused, never shrunk
      for (let i = 0; i < this.dirtyLen; i++) {
        const vm = this.dirtyVms[i]!;
        this.dirtyVms[i] = null;
        vm.dirty = false;
        this.reconcileVm(vm);
      }
      this.dirtyLen = 0;
    } finally {
      this.reconciling = false;
    }
  }

  private situation(vm: VmState): Situation {
    const v = vm.vmi;
    if (!v) return 'noVmi';
    if (v.phase === 'Succeeded') return 'succeeded';
    if (v.phase === 'Failed') return 'failed';
    return 'active';
  }

  private reconcileVm(vm: VmState): void {
    for (let guard = 0; guard < 8; guard++) {
      if (vm.deleting) {
        if (vm.vmi) {
          if (!vm.vmi.deleting) this.deleteVmi(vm.vmi, null);
          if (vm.vmi) return;
        }
        this.vms.delete(vm.name);
        for (const dv of vm.dvNames) {
          const d = this.dvs.get(dv);
          if (d && d.ownerVm === vm.name) this.deleteDv(d);
        }
        return;
      }
      this.trimRequests(vm);
      const vmi = vm.vmi;
      const head = vm.requests[0];
      if (vmi && head?.action === 'Stop' && head.uid === vmi.uid) {
        if (!vmi.deleting) this.deleteVmi(vmi, null);
        if (vm.vmi) break; // waits for the launcher to exit
        continue;
      }
      const reaction = this.rules.runStrategy[vm.strategy][this.situation(vm)];
      let acted = false;
      switch (reaction) {
        case 'keep':
          if (!vmi) vm.recreate = false; // a pending recreate does not survive a switch to a keeping strategy
          break;
        case 'create':
          if (!vm.backoff) acted = this.startVmi(vm);
          break;
        case 'createOnRequest':
          if (head?.action === 'Start' || vm.recreate) acted = this.startVmi(vm);
          break;
        case 'createOnRequestOrSwitch':
          if (head?.action === 'Start' || vm.recreate || vm.lastStrategy !== vm.strategy) acted = this.startVmi(vm);
          break;
        case 'delete':
        case 'deleteRecreate':
        case 'deleteRequestStart':
          if (vmi && !vmi.deleting) {
            const ranOk = vmi.everRunning || !BACKOFF_STRATEGIES.includes(vm.strategy);
            if (reaction === 'deleteRecreate' && ranOk) vm.recreate = true;
            if (reaction === 'deleteRequestStart' && ranOk) vm.requests.push(START);
            this.deleteVmi(vmi, null);
            acted = vm.vmi === null;
          }
          break;
      }
      if (!acted) break;
    }
    if (vm.lastStrategy !== null || vm.vmi !== null) vm.lastStrategy = vm.strategy;
  }

  /** R-V9: drop requests that no longer apply (REFERENCE §1.4). */
  private trimRequests(vm: VmState): void {
    for (;;) {
      const h = vm.requests[0];
      if (!h) return;
      const v = vm.vmi;
      if (h.action === 'Stop' && (!v || v.uid !== h.uid)) vm.requests.shift();
      else if (h.action === 'Start' && v && !FINAL(v.phase) && !v.deleting) vm.requests.shift();
      else return;
    }
  }

  private startVmi(vm: VmState): boolean {
    if (vm.vmi) return false;
    if (vm.backoff && !(vm.requests[0]?.action === 'Start')) return false;
    const head = vm.requests[0];
    const paused = vm.startPaused || (head?.action === 'Start' && head.paused);
    vm.startPaused = false;
    vm.recreate = false;
    if (!vm.tmpl || vm.tmpl.version !== this.version) vm.tmpl = this.template(vm.spec);
    vm.vmi = this.createVmi(vm.name, vm, vm.tmpl, paused);
    this.trimRequests(vm);
    return true;
  }

  /** A VMI that ended: crash-loop bookkeeping (R-RS6) and the owner's reaction. */
  private onVmiFinal(vmi: VmiState): void {
    const vm = vmi.owner;
    if (!vm) return;
    if (!vmi.everRunning && !vmi.deleting && BACKOFF_STRATEGIES.includes(vm.strategy)) {
      vm.startFailures++;
      vm.backoff = true;
    }
    this.markDirty(vm);
  }

  // -------------------------------------------------------------------------
  // VMI lifecycle

  private newUid(prefix: string): string {
    return `${prefix}-${this.seed}-${++this.uidCounter}`;
  }

  /** Builds the cached, spec-derived part of a VMI. */
  private template(rawSpec: VirtualMachineInstanceSpec): VmiTemplate {
    const spec = applyClusterDefaults(rawSpec, this.clusterSpec());
    const cpuSpec = spec.domain.cpu;
    let cpu = (cpuSpec?.sockets ?? 1) * (cpuSpec?.cores ?? 1) * (cpuSpec?.threads ?? 1);
    if (!cpuSpec) {
      const req = spec.domain.resources?.requests?.cpu;
      if (req !== undefined) cpu = Math.max(1, Math.ceil(parseQuantity(req) ?? 1));
    }
    const memQ = spec.domain.memory?.guest ?? spec.domain.resources?.requests?.memory ?? spec.domain.resources?.limits?.memory;
    const memMiB = memQ === undefined ? 128 : Math.ceil((parseQuantity(memQ) ?? 0) / MiB);
    const nics = this.resolveNics(spec);
    const claims = this.claimsOf(spec);
    const simple = claims.length === 0 && nics.every((n) => n.network === null);
    return {
      simple,
      request: { cpu, memMiB, vfs: null, pinned: null },
      version: this.version,
      spec,
      cpu,
      memMiB,
      claims,
      nics: nics.map((n) => ({ name: n.name, kind: n.kind, podBinding: n.podBinding, network: n.network })),
      specMacs: nics.map((n) => n.specMac),
      imageBlocker: this.imageBlocker(spec),
      disks: null,
      disksVersion: -1,
      migratable: null,
      migratableVersion: -1,
    };
  }

  private createVmi(name: string, owner: VmState | null, tmpl: VmiTemplate, startPaused: boolean): VmiState {
    const spec = tmpl.spec;
    const nics: Nic[] = [];
    for (let i = 0; i < tmpl.nics.length; i++) {
      const n = tmpl.nics[i]!;
      const specMac = tmpl.specMacs[i]!;
      nics.push({
        name: n.name,
        kind: n.kind,
        podBinding: n.podBinding,
        network: n.network,
        mac: specMac ?? generatedMac(this.macCounter++),
        macSource: specMac ? 'spec' : 'generated',
        ipv4Cidr: n.kind === 'pod' ? '10.0.2.2/24' : null,
        vf: null,
      });
    }
    const vmi: VmiState = {
      name,
      uid: this.newUid('vmi'),
      seq: ++this.vmiSeq,
      owner,
      tmpl,
      spec,
      cpu: tmpl.cpu,
      memMiB: tmpl.memMiB,
      phase: 'Pending',
      node: null,
      everRunning: false,
      launched: false,
      paused: false,
      agent: false,
      startPaused,
      deleting: false,
      shuttingDown: false,
      grace: spec.terminationGracePeriodSeconds ?? this.cluster.terminationGracePeriodSeconds,
      sync: null,
      unschedulable: null,
      nics,
      claims: tmpl.claims,
      migratable: MIGRATABLE,
      migration: null,
      activeMigration: null,
      launch: null,
      waitingVolumes: false,
    };
    this.vmis.set(name, vmi);
    this.byUid.set(vmi.uid, vmi);
    this.advance(vmi);
    return vmi;
  }

  /** Moves a Pending/Scheduling VMI as far as its prerequisites allow. */
  private advance(vmi: VmiState): void {
    if (vmi.deleting || (vmi.phase !== 'Pending' && vmi.phase !== 'Scheduling' && !vmi.waitingVolumes)) return;
    if (vmi.waitingVolumes) {
      this.launchIfVolumesReady(vmi);
      return;
    }
    const blocker = this.blocker(vmi);
    if (blocker !== null) {
      vmi.sync = blocker.sync;
      this.waiting.add(vmi);
      return;
    }
    vmi.sync = null;
    const req = this.request(vmi);
    const node = req ? pickNode(this.sortedNodes, req, null) : null;
    if (!node || !req) {
      vmi.phase = 'Scheduling';
      vmi.unschedulable = req ? unschedulableMessage(this.sortedNodes, req) : 'volumes pinned to different nodes';
      this.waiting.add(vmi);
      return;
    }
    this.waiting.delete(vmi);
    vmi.unschedulable = null;
    vmi.phase = 'Scheduled';
    this.place(vmi, node, vmi.nics, true);
    for (const claim of vmi.claims) {
      const p = this.pvcs.get(claim)!;
      if (p.phase === 'Pending' && !p.provisioning) {
        p.storage ??= 'shared';
        this.provision(p, node.name);
      }
    }
    const t = vmi.tmpl;
    if (t.migratableVersion !== this.version) {
      t.migratable = this.liveMigratable(vmi);
      t.migratableVersion = this.version;
    }
    vmi.migratable = t.migratable!;
    vmi.waitingVolumes = true;
    this.launchIfVolumesReady(vmi);
  }

  private launchIfVolumesReady(vmi: VmiState): void {
    for (const claim of vmi.claims) {
      const p = this.pvcs.get(claim);
      if (!p || p.phase !== 'Bound') {
        this.waiting.add(vmi);
        return;
      }
    }
    this.waiting.delete(vmi);
    vmi.waitingVolumes = false;
    vmi.launch = this.launchSpec(vmi);
    vmi.launched = true;
    this.emit({ type: 'launch', spec: vmi.launch });
  }

  /** What keeps a VMI Pending before scheduling; null when nothing does. */
  private blocker(vmi: VmiState): { sync: VmiState['sync'] } | null {
    if (vmi.tmpl.simple) return vmi.tmpl.imageBlocker ? { sync: vmi.tmpl.imageBlocker } : null;
    for (const v of vmi.spec.volumes ?? []) {
      if (v.dataVolume) {
        const d = this.dvs.get(v.dataVolume.name);
        if (d && d.phase !== 'Succeeded') return { sync: null }; // Provisioning / DataVolumeError at the VM
      }
    }
    for (const claim of vmi.claims) {
      const p = this.pvcs.get(claim);
      if (!p) return { sync: { reason: 'FailedPvcNotFound', message: `PVC default/${claim} does not exist, waiting for it to appear` } };
    }
    if (vmi.tmpl.imageBlocker) return { sync: vmi.tmpl.imageBlocker };
    for (const nic of vmi.nics) {
      if (nic.network !== null && !this.nad(nic.network)) {
        return { sync: { reason: 'FailedCreate', message: `failed to locate network attachment definition default/${nic.network}` } };
      }
    }
    for (const claim of vmi.claims) {
      const p = this.pvcs.get(claim)!;
      if (p.phase !== 'Bound' && (p.provisioning || !p.wffc || !p.storage)) return { sync: null };
    }
    return null;
  }

  /** ErrImagePull for a containerDisk or kernelBoot image missing from the catalogue. */
  private imageBlocker(spec: VirtualMachineInstanceSpec): VmiState['sync'] {
    const images = (spec.volumes ?? []).flatMap((v) => (v.containerDisk ? [v.containerDisk.image] : []));
    const kb = spec.domain.firmware?.kernelBoot;
    if (kb) images.push(kb.container.image);
    for (const image of images) {
      if (!findImage(image)) return { reason: 'ErrImagePull', message: `rpc error: code = NotFound desc = failed to pull image "${image}"` };
    }
    return null;
  }

  /** Resource request of a VMI; null when its local volumes pin it to two nodes. */
  private request(vmi: VmiState): Request | null {
    if (vmi.tmpl.simple) return vmi.tmpl.request;
    let pinned: string | null = null;
    for (const claim of vmi.claims) {
      const p = this.pvcs.get(claim)!;
      let node = p.storage === 'local' ? p.node : null;
      if (node === null && !p.rwx) node = this.rwoAttachedNode(claim, vmi);
      if (node !== null) {
        if (pinned !== null && pinned !== node) return null;
        pinned = node;
      }
    }
    let vfs: Map<string, number> | null = null;
    for (const nic of vmi.nics) {
      if (nic.kind !== 'sriov') continue;
      const res = this.nad(nic.network!)?.resource;
      if (!res) continue;
      vfs ??= new Map();
      vfs.set(res, (vfs.get(res) ?? 0) + 1);
    }
    return { cpu: vmi.cpu, memMiB: vmi.memMiB, vfs, pinned };
  }

  /** A RWO volume attached to an active VMI pins other users to that node. */
  private rwoAttachedNode(claim: string, self: VmiState): string | null {
    for (const v of this.vmis.values()) {
      if (v !== self && v.node !== null && !FINAL(v.phase) && v.claims.includes(claim)) return v.node;
    }
    return null;
  }

  /** Reserves node resources and VFs/IPs; `nics` get their VFs on this node. */
  private place(vmi: VmiState, node: NodeState, nics: Nic[], count: boolean): void {
    node.usedCpu += vmi.cpu;
    node.usedMemMiB += vmi.memMiB;
    if (count) {
      vmi.node = node.name;
      node.active++;
      this.nodeVmis.get(node.name)!.add(vmi);
    }
    for (const nic of nics) {
      if (nic.kind === 'sriov') {
        const res = this.nad(nic.network!)?.resource;
        const idx = res ? takeVf(node, res) : null;
        nic.vf = res && idx !== null ? { resource: res, index: idx } : null;
      }
      if (nic.kind !== 'pod' && nic.ipv4Cidr === null) {
        const pool = this.pools.get(nic.network!.includes('/') ? nic.network!.split('/')[1]! : nic.network!);
        nic.ipv4Cidr = pool ? allocate(pool) : null;
      }
    }
  }

  /** Gives back what `place` took on `nodeName`; IPs only when `ips`. */
  private unplace(vmi: VmiState, nodeName: string, nics: Nic[], count: boolean, ips: boolean): void {
    const node = this.nodes.get(nodeName);
    if (node) {
      node.usedCpu -= vmi.cpu;
      node.usedMemMiB -= vmi.memMiB;
      if (count) {
        node.active--;
        this.nodeVmis.get(nodeName)?.delete(vmi);
      }
      for (const nic of nics) if (nic.vf) giveVf(node, nic.vf.resource, nic.vf.index);
    }
    for (const nic of nics) {
      if (nic.kind === 'sriov') nic.vf = null;
      if (ips && nic.kind !== 'pod' && nic.ipv4Cidr !== null) {
        const pool = this.pools.get(nic.network!.includes('/') ? nic.network!.split('/')[1]! : nic.network!);
        if (pool) release(pool, nic.ipv4Cidr);
        nic.ipv4Cidr = null;
      }
    }
  }

  private liveMigratable(vmi: VmiState): VmiState['migratable'] {
    const nonShared: string[] = [];
    for (const c of vmi.claims) if (!this.pvcs.get(c)?.rwx) nonShared.push(c);
    const facts = { podBridge: vmi.nics.some((n) => n.podBinding === 'bridge'), hostDevices: false, nonSharedClaims: nonShared };
    for (const r of this.rules.liveMigratable) {
      const message = r.message(facts);
      if (message !== null) return { status: 'False', reason: r.reason, message };
    }
    return { status: 'True' };
  }

  private launchNics(nics: Nic[]): LaunchNic[] {
    const out: LaunchNic[] = [];
    for (const n of nics) out.push({ name: n.name, mac: n.mac, macSource: n.macSource, kind: n.kind, network: n.network, ipv4Cidr: n.ipv4Cidr, vf: n.vf });
    return out;
  }

  private launchSpec(vmi: VmiState): LaunchSpec {
    const spec = vmi.spec;
    const t = vmi.tmpl;
    if (t.disksVersion !== this.version) {
      t.disks = launchDisks(spec, { name: vmi.name, hostname: spec.hostname ?? vmi.name }, this.diskLookups);
      t.disksVersion = this.version;
    }
    const kb = spec.domain.firmware?.kernelBoot;
    return {
      uid: vmi.uid,
      name: vmi.name,
      node: vmi.node!,
      vcpus: vmi.cpu,
      memoryMiB: vmi.memMiB,
      hostname: spec.hostname ?? vmi.name,
      boot: kb ? { kind: 'kernel', image: findImage(kb.container.image)!.ref, kernelArgs: kb.kernelArgs ?? '' } : FIRMWARE_BOOT,
      disks: t.disks!,
      nics: this.launchNics(vmi.nics),
      startPaused: vmi.startPaused,
      terminationGracePeriodSeconds: vmi.grace,
      acpi: spec.domain.features?.acpi?.enabled !== false,
    };
  }


  /**
   * Deletes a VMI from the API: at once when no launcher runs, else a
   * graceful shutdown and removal on exit. `grace` overrides the VMI's.
   */
  private deleteVmi(vmi: VmiState, grace: number | null): void {
    if (grace !== null) vmi.grace = grace;
    vmi.deleting = true;
    if (FINAL(vmi.phase) || !vmi.launched) {
      if (!FINAL(vmi.phase)) this.endVmi(vmi, 'Failed');
      this.removeVmi(vmi);
      return;
    }
    this.requestShutdown(vmi);
  }

  private requestShutdown(vmi: VmiState): void {
    vmi.shuttingDown = true;
    this.emit({ type: 'shutdown', uid: vmi.uid, graceSeconds: vmi.grace });
  }

  /** A VMI becomes final: resources released, migration failed, owner told. */
  private endVmi(vmi: VmiState, phase: 'Succeeded' | 'Failed'): void {
    if (FINAL(vmi.phase)) return;
    vmi.phase = phase;
    vmi.paused = false;
    vmi.agent = false;
    vmi.waitingVolumes = false;
    this.waiting.delete(vmi);
    const m = vmi.activeMigration;
    if (m) this.finishMigration(m, 'Failed');
    if (vmi.node !== null) this.unplace(vmi, vmi.node, vmi.nics, true, true);
    else this.unplace(vmi, '', vmi.nics, false, true);
    for (let i = 0; i < vmi.claims.length; i++) {
      const p = this.pvcs.get(vmi.claims[i]!);
      if (p?.deleting && !this.pvcInUse(p.name)) this.deletePvc(p);
    }
    this.onVmiFinal(vmi);
    this.retryWaiting();
  }

  private removeVmi(vmi: VmiState): void {
    if (this.vmis.get(vmi.name) === vmi) this.vmis.delete(vmi.name);
    this.byUid.delete(vmi.uid);
    if (vmi.launched) this.emit({ type: 'cleanup', uid: vmi.uid });
    if (vmi.owner && vmi.owner.vmi === vmi) {
      vmi.owner.vmi = null;
      this.markDirty(vmi.owner);
    }
  }

  private retryWaiting(): void {
    if (this.waiting.size === 0) return;
    const list = [...this.waiting].sort((a, b) => a.seq - b.seq);
    for (const v of list) this.advance(v);
  }

  // -------------------------------------------------------------------------
  // Agent events

  /** Feeds one agent event. Events for unknown uids (already removed) are ignored. */
  onEvent(ev: AgentEvent): void {
    switch (ev.type) {
      case 'volumeReady': {
        this.version++;
        const p = this.pvcs.get(ev.pvc);
        if (!p) break;
        p.phase = 'Bound';
        p.provisioning = false;
        if (p.dv) {
          const d = this.dvs.get(p.dv);
          if (d && d.phase !== 'Failed') d.phase = 'Succeeded';
        }
        for (const d of this.dvs.values()) if (d.phase === 'Pending') this.startDv(d);
        this.retryWaiting();
        break;
      }
      case 'volumeFailed': {
        this.version++;
        const p = this.pvcs.get(ev.pvc);
        if (p?.dv) {
          const d = this.dvs.get(p.dv);
          if (d) d.phase = 'Failed';
        }
        break;
      }
      default:
        this.onVmiEvent(ev);
    }
    this.flush();
  }

  private onVmiEvent(ev: Exclude<AgentEvent, { type: 'volumeReady' } | { type: 'volumeFailed' }>): void {
    const vmi = this.byUid.get(ev.uid);
    if (!vmi || FINAL(vmi.phase)) return;
    switch (ev.type) {
      case 'running':
        if (vmi.phase === 'Scheduled') {
          vmi.phase = 'Running';
          vmi.everRunning = true;
          const owner = vmi.owner;
          if (owner && (owner.startFailures > 0 || owner.backoff)) {
            owner.startFailures = 0;
            owner.backoff = false;
            this.markDirty(owner);
          }
        }
        break;
      case 'launchFailed':
        this.exited(vmi, 'Failed');
        break;
      case 'agentConnected':
        vmi.agent = ev.connected;
        break;
      case 'paused':
        vmi.paused = ev.paused;
        break;
      case 'exited':
        this.exited(vmi, this.rules.exitPhase[ev.reason]);
        break;
      case 'migrationCompleted': {
        const m = vmi.activeMigration;
        if (m && m.name === ev.migration) this.finishMigration(m, 'Succeeded');
        break;
      }
      case 'migrationFailed': {
        const m = vmi.activeMigration;
        if (m && m.name === ev.migration) this.finishMigration(m, 'Failed');
        break;
      }
    }
  }

  private exited(vmi: VmiState, phase: 'Succeeded' | 'Failed'): void {
    this.endVmi(vmi, phase);
    if (vmi.deleting) this.removeVmi(vmi);
  }

  // -------------------------------------------------------------------------
  // Verbs (R-V1..R-V8, R-SA1)

  vm(a: VmAction): Result {
    return this.settled(this.verb(a));
  }

  private verb(a: VmAction): Result {
    switch (a.verb) {
      case 'start':
        return this.start(a.name, a.paused ?? false);
      case 'stop':
        return this.stop(a.name, a.gracePeriod ?? null);
      case 'restart':
        return this.restart(a.name, a.gracePeriod ?? null);
      case 'migrate': {
        if (!this.vms.has(a.name) && !this.standalone(a.name)) return ERR.vmNotFound(a.name);
        const vmi = this.vmis.get(a.name);
        if (!vmi) return ERR.vmiNotFound(a.name);
        if (vmi.phase !== 'Running') return ERR.vmNotRunning();
        return this.createMigration(a.name, null);
      }
      case 'pause':
      case 'unpause':
      case 'softReboot': {
        const rule = VMI_SUBRESOURCES[a.verb];
        const v = this.vmis.get(a.name);
        if (!v) return this.vms.has(a.name) ? rule.notRunning() : ERR.vmiNotFound(a.name);
        const denied = v.phase !== 'Running' ? rule.notRunning() : rule.deny(v);
        if (denied) return denied;
        this.emit({ type: a.verb, uid: v.uid });
        return OK;
      }
    }
  }

  private standalone(name: string): VmiState | null {
    const v = this.vmis.get(name);
    return v && !v.owner ? v : null;
  }

  private clearFailures(vm: VmState): void {
    vm.startFailures = 0;
    vm.backoff = false;
  }

  private start(name: string, paused: boolean): Result {
    const vm = this.vms.get(name);
    if (!vm) return ERR.vmNotFound(name);
    const v = vm.vmi;
    if (v && !FINAL(v.phase)) return ERR.alreadyRunning();
    switch (vm.strategy) {
      case 'Halted':
        if (paused) {
          if (vm.requests.length > 0) return ERR.underway();
          vm.startPaused = true;
        }
        vm.strategy = 'Always';
        break;
      case 'Manual':
        if (vm.requests.length > 0) return ERR.underway();
        vm.requests = v ? [{ action: 'Stop', uid: v.uid }, { action: 'Start', paused }] : [{ action: 'Start', paused }];
        break;
      case 'RerunOnFailure':
        if (v?.phase === 'Failed') return ERR.rerunFromFailed();
        if (vm.requests.length > 0) return ERR.underway();
        vm.requests = v ? [{ action: 'Stop', uid: v.uid }, { action: 'Start', paused }] : [{ action: 'Start', paused }];
        break;
      default:
        return ERR.noManualStart(vm.strategy);
    }
    this.clearFailures(vm);
    this.markDirty(vm);
    return OK;
  }

  private stop(name: string, grace: number | null): Result {
    const vm = this.vms.get(name);
    if (!vm) return ERR.vmNotFound(name);
    const v = vm.vmi;
    const live = v !== null && !FINAL(v.phase);
    switch (vm.strategy) {
      case 'Always':
      case 'Once':
        if (live && grace !== null) this.patchGrace(v, grace);
        vm.strategy = 'Halted';
        break;
      case 'Manual':
      case 'RerunOnFailure':
        if (!live) return ERR.vmNotRunning();
        if (grace !== null) this.patchGrace(v, grace);
        vm.requests = [{ action: 'Stop', uid: v.uid }];
        break;
      case 'Halted':
        if (!live) return ERR.vmNotRunning();
        if (grace === null || grace >= v.grace) return ERR.haltedShorterGrace();
        this.patchGrace(v, grace);
        break;
    }
    this.clearFailures(vm);
    this.markDirty(vm);
    return OK;
  }

  /** Patches the VMI grace period; a shutdown already under way restarts with it. */
  private patchGrace(v: VmiState, grace: number): void {
    v.grace = grace;
    if (v.shuttingDown) this.requestShutdown(v);
  }

  private restart(name: string, grace: number | null): Result {
    if (grace !== null && grace > 0) return ERR.restartGracePositive();
    if (grace !== null && grace < 0) return ERR.restartGraceNegative();
    const vm = this.vms.get(name);
    if (!vm) return ERR.vmNotFound(name);
    if (vm.strategy === 'Halted' || vm.strategy === 'Once') return ERR.noManualRestart(vm.strategy);
    const v = vm.vmi;
    if (!v) return ERR.restartNoVmi();
    if (vm.requests.length > 0) return ERR.underway();
    if (grace !== null && !FINAL(v.phase)) this.patchGrace(v, grace);
    vm.requests = [{ action: 'Stop', uid: v.uid }, START];
    this.clearFailures(vm);
    this.markDirty(vm);
    return OK;
  }

  // -------------------------------------------------------------------------
  // Guest actions

  guest(a: GuestAction): Result {
    return this.settled(this.guestAction(a));
  }

  private guestAction(a: GuestAction): Result {
    const v = this.vmis.get(a.vmi);
    if (!v) return ERR.vmiNotFound(a.vmi);
    if (a.action === 'reset') {
      if (v.phase !== 'Running') return ERR.resetNotRunning(v.phase);
      if (this.rules.behaviour.reset === 'newVmi' && v.owner) {
        v.owner.requests = [{ action: 'Stop', uid: v.uid }, START];
        this.markDirty(v.owner);
      } else this.emit({ type: 'reset', uid: v.uid });
      return OK;
    }
    if (v.phase !== 'Running') return ERR.vmiNotRunning();
    if (a.action === 'acpiShutdown') {
      this.emit({ type: 'acpiShutdown', uid: v.uid });
      return OK;
    }
    if (v.paused) return ERR.vmiPaused();
    switch (a.action) {
      case 'poweroff':
        this.emit({ type: 'guestPoweroff', uid: v.uid });
        return OK;
      case 'reboot':
        this.emit({ type: 'guestReboot', uid: v.uid });
        return OK;
      case 'panic':
        this.emit({ type: 'guestPanic', uid: v.uid });
        return OK;
      case 'writeData':
        if (!v.launch?.disks.some((d) => d.name === a.disk)) return ERR.noSuchDisk(a.vmi, a.disk);
        this.emit({ type: 'writeData', uid: v.uid, disk: a.disk, token: a.token });
        return OK;
    }
  }

  // -------------------------------------------------------------------------
  // Faults

  fault(f: Fault): Result {
    return this.settled(this.faultAction(f));
  }

  private faultAction(f: Fault): Result {
    switch (f.fault) {
      case 'killLauncher': {
        const v = this.vmis.get(f.vmi);
        if (!v) return ERR.vmiNotFound(f.vmi);
        if (!v.launched || FINAL(v.phase)) return ERR.vmiNotRunning();
        this.emit({ type: 'killLauncher', uid: v.uid });
        return OK;
      }
      case 'nodeLoss': {
        const node = this.nodes.get(f.node);
        if (!node) return ERR.nodeNotFound(f.node);
        node.ready = false;
        this.emit({ type: 'nodeLoss', node: f.node });
        for (const v of [...(this.nodeVmis.get(f.node) ?? [])]) if (!v.launched) this.exited(v, 'Failed');
        for (const m of this.migrations.values()) if (m.phase === 'Running' && m.target === f.node) this.emit({ type: 'killMigrationTarget', uid: m.vmi.uid });
        return OK;
      }
      case 'drainNode':
        return this.drain(f.node);
      case 'uncordonNode':
        return this.uncordon(f.node);
      case 'killMigrationTarget': {
        const v = this.vmis.get(f.vmi);
        if (!v) return ERR.vmiNotFound(f.vmi);
        if (v.activeMigration?.phase !== 'Running') return ERR.noMigrationInFlight(f.vmi);
        this.emit({ type: 'killMigrationTarget', uid: v.uid });
        return OK;
      }
    }
  }

  // -------------------------------------------------------------------------
  // Migrations (R-M1..R-M6)

  private createMigration(vmiName: string, name: string | null): Result {
    const vmi = this.vmis.get(vmiName);
    if (!vmi) return ERR.migrationNoVmi(vmiName);
    if (FINAL(vmi.phase)) return ERR.migrationFinal();
    if (vmi.activeMigration) return ERR.migrationInFlight(vmi.activeMigration.uid, vmiName);
    if (vmi.migratable.status === 'False') return ERR.notMigratable(vmi.migratable.reason!, vmi.migratable.message ?? '');
    let mname = name;
    if (mname === null) {
      const n = (this.migrationCounters.get(vmiName) ?? 0) + 1;
      this.migrationCounters.set(vmiName, n);
      mname = `${vmiName}-migration-${n}`;
    }
    const m: MigrationState = {
      name: mname,
      uid: this.newUid('vmim'),
      vmiName,
      vmi,
      phase: 'Pending',
      source: null,
      target: null,
      targetNics: null,
      removeWhenFinal: false,
    };
    this.migrations.set(mname, m);
    vmi.activeMigration = m;
    this.pendingMigrations.push(m);
    this.pumpMigrations();
    return OK;
  }

  /** Starts pending migrations within the cluster and per-node limits (R-M5). */
  private pumpMigrations(): void {
    const limit = this.cluster.parallelMigrationsPerCluster;
    const perNode = this.cluster.parallelOutboundMigrationsPerNode;
    for (let i = 0; i < this.pendingMigrations.length && this.runningMigrations < limit; ) {
      const m = this.pendingMigrations[i]!;
      const v = m.vmi;
      if (v.phase !== 'Running' || v.node === null) {
        i++;
        continue; // waits until its VMI runs
      }
      if ((this.outbound.get(v.node) ?? 0) >= perNode) {
        i++;
        continue;
      }
      this.pendingMigrations.splice(i, 1);
      this.startMigration(m);
    }
  }

  private startMigration(m: MigrationState): void {
    const v = m.vmi;
    const source = v.node!;
    const req = this.request(v);
    const target = req ? pickNode(this.sortedNodes, { ...req, pinned: null }, source) : null;
    m.source = source;
    if (!target) {
      // R-M3: the target pod stays unschedulable until its timeout; at quiescence it is Failed.
      m.phase = 'Failed';
      v.activeMigration = null;
      this.afterMigration(m);
      return;
    }
    const nics = v.nics.map((n) => ({ ...n, vf: null }));
    this.place(v, target, nics, false);
    if (nics.some((n) => n.kind === 'sriov' && n.vf === null)) {
      this.unplace(v, target.name, nics, false, false);
      m.phase = 'Failed';
      v.activeMigration = null;
      this.afterMigration(m);
      return;
    }
    m.phase = 'Running';
    m.target = target.name;
    m.targetNics = nics;
    this.runningMigrations++;
    this.outbound.set(source, (this.outbound.get(source) ?? 0) + 1);
    v.migration = { completed: false, failed: false, sourceNode: source, targetNode: target.name };
    this.emit({ type: 'migrate', uid: v.uid, migration: m.name, targetNode: target.name, nics: this.launchNics(nics) });
  }

  private finishMigration(m: MigrationState, phase: 'Succeeded' | 'Failed'): void {
    const v = m.vmi;
    if (m.phase === 'Pending') {
      const i = this.pendingMigrations.indexOf(m);
      if (i >= 0) this.pendingMigrations.splice(i, 1);
      m.phase = 'Failed';
      v.activeMigration = null;
      this.afterMigration(m);
      return;
    }
    if (m.phase !== 'Running') return;
    this.runningMigrations--;
    this.outbound.set(m.source!, (this.outbound.get(m.source!) ?? 1) - 1);
    v.activeMigration = null;
    m.phase = phase;
    const moves = phase === 'Succeeded' && this.rules.behaviour.migrationMovesNode;
    if (moves) {
      const target = this.nodes.get(m.target!)!;
      this.unplace(v, m.source!, v.nics, true, false);
      v.node = target.name;
      target.active++;
      this.nodeVmis.get(target.name)!.add(v);
      v.nics = m.targetNics!;
      if (v.launch) v.launch = { ...v.launch, node: target.name, nics: this.launchNics(v.nics) };
    } else this.unplace(v, m.target!, m.targetNics!, false, false);
    v.migration = { completed: true, failed: phase === 'Failed', sourceNode: m.source!, targetNode: m.target! };
    this.afterMigration(m);
  }

  private afterMigration(m: MigrationState): void {
    if (m.removeWhenFinal) this.migrations.delete(m.name);
    else {
      // KubeVirt keeps the 5 newest finalized migrations per VMI (REFERENCE §4.1).
      let done = this.finishedMigrations.get(m.vmiName);
      if (!done) this.finishedMigrations.set(m.vmiName, (done = []));
      done.push(m);
      if (done.length > 5) {
        const old = done.shift()!;
        if (this.migrations.get(old.name) === old) this.migrations.delete(old.name);
      }
    }
    if (m.vmi.owner) this.markDirty(m.vmi.owner);
    this.pumpMigrations();
    this.retryWaiting();
  }

  /**
   * Drains a node (R-M6): cordons it and evicts its VMIs per evictionStrategy.
   * Public: the bench and the fault catalogue use it.
   */
  drain(nodeName: string): Result {
    const node = this.nodes.get(nodeName);
    if (!node) return ERR.nodeNotFound(nodeName);
    node.schedulable = false;
    const vmis = [...(this.nodeVmis.get(nodeName) ?? [])].sort((a, b) => a.seq - b.seq);
    for (const v of vmis) {
      if (FINAL(v.phase) || v.activeMigration || v.shuttingDown) continue;
      const strategy = v.spec.evictionStrategy ?? this.cluster.evictionStrategy;
      const migratable = v.migratable.status === 'True' && v.phase === 'Running';
      if ((strategy === 'LiveMigrate' || strategy === 'LiveMigrateIfPossible') && migratable) this.createMigration(v.name, null);
      else if (strategy === 'None' || strategy === 'LiveMigrateIfPossible') {
        if (v.launched) this.requestShutdown(v);
        else this.deleteVmi(v, null);
      }
    }
    this.flush();
    return OK;
  }

  /** Makes a drained node schedulable again. Public. */
  uncordon(nodeName: string): Result {
    const node = this.nodes.get(nodeName);
    if (!node) return ERR.nodeNotFound(nodeName);
    node.schedulable = true;
    this.retryWaiting();
    this.flush();
    return OK;
  }

  /** The cluster defaults in ClusterConfig form (for harness/api's defaulting). */
  private clusterSpec(): ClusterConfig['spec'] {
    const c = this.cluster;
    return {
      defaultNetworkInterface: c.defaultNetworkInterface,
      evictionStrategy: c.evictionStrategy,
      defaultTerminationGracePeriodSeconds: c.terminationGracePeriodSeconds,
      parallelMigrationsPerCluster: c.parallelMigrationsPerCluster,
      parallelOutboundMigrationsPerNode: c.parallelOutboundMigrationsPerNode,
    };
  }

  /** Count of migrations not yet final (bench, tests). */
  migrationsInFlight(): number {
    return this.pendingMigrations.length + this.runningMigrations;
  }

  // -------------------------------------------------------------------------
  // Status

  private emit(e: Effect): void {
    this.outbox[this.outboxLen++] = e;
  }

  /** Runs the controllers until they have nothing more to do for now. */
  private flush(): void {
    this.reconcileAll();
  }

  /** A command's answer, after the controllers reacted to it. */
  private settled(r: Result): Result {
    this.flush();
    return r;
  }

  /** The facts of a VM's printableStatus (R-PS). Internal. */
  statusFacts(vm: VmState): VmStatusFacts {
    const v = vm.vmi;
    let dvError = false;
    let dvProvisioning = false;
    let pvcUnbound = false;
    const dvNames = new Set(vm.dvNames);
    for (const vol of vm.spec.volumes ?? []) {
      if (vol.dataVolume) dvNames.add(vol.dataVolume.name);
      const claim = vol.persistentVolumeClaim?.claimName ?? vol.dataVolume?.name;
      if (claim !== undefined) {
        const p = this.pvcs.get(claim);
        if (p && p.phase !== 'Bound') pvcUnbound = true;
      }
    }
    for (const n of dvNames) {
      const d = this.dvs.get(n);
      if (!d) continue;
      if (d.phase === 'Failed') dvError = true;
      else if (d.phase !== 'Succeeded') dvProvisioning = true;
    }
    const head = vm.requests[0];
    const live = v !== null && !FINAL(v.phase);
    const setToStart = live || vm.strategy === 'Always' || vm.strategy === 'Once' || head?.action === 'Start';
    const situation = this.situation(vm);
    const reaction = this.rules.runStrategy[vm.strategy][situation];
    const expectCreate =
      v === null &&
      !vm.backoff &&
      (reaction === 'create' ||
        ((reaction === 'createOnRequest' || reaction === 'createOnRequestOrSwitch') && (head?.action === 'Start' || vm.recreate)));
    return {
      deleting: vm.deleting,
      vmiPhase: v?.phase ?? null,
      vmiFinal: v !== null && FINAL(v.phase),
      vmiDeleting: v?.deleting ?? false,
      expectDelete: v !== null && ((head?.action === 'Stop' && head.uid === v.uid) || (live && reaction === 'delete') || v.shuttingDown),
      migrating: v?.activeMigration?.phase === 'Running',
      paused: v?.paused ?? false,
      syncReason: v?.sync?.reason ?? null,
      unschedulable: v?.unschedulable != null,
      dvError,
      dvProvisioning,
      setToStart,
      pvcUnbound,
      expectCreate,
      startFailures: vm.startFailures,
      strategy: vm.strategy,
    };
  }

  /** printableStatus of a VM (R-PS). Public. */
  printableStatus(vm: VmState): ReturnType<typeof printableStatus> {
    return printableStatus(this.rules.printableStatus, this.statusFacts(vm));
  }

  /** VMI conditions as compared (R-P2). Public. */
  vmiConditions(v: VmiState): Record<string, ObservedCondition> {
    const c: Record<string, ObservedCondition> = {};
    const running = v.phase === 'Running';
    c.Ready = running && !v.paused ? { status: 'True' } : { status: 'False' };
    if (running && v.paused) c.Paused = { status: 'True', reason: 'PausedByUser' };
    if (running && v.agent) c.AgentConnected = { status: 'True' };
    if (running) c.LiveMigratable = v.migratable.status === 'True' ? { status: 'True' } : { status: 'False', reason: v.migratable.reason! };
    if (v.unschedulable !== null && v.phase === 'Scheduling') c.PodScheduled = { status: 'False', reason: 'Unschedulable' };
    if (v.sync) c.Synchronized = { status: 'False', reason: v.sync.reason };
    return c;
  }
}

/** Exit reason → phase under the default rules (re-exported for agents' docs/tests). */
export type { ExitReason };
