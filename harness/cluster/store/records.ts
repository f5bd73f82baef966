/**
 * The controllers' own bookkeeping about objects: what KubeVirt keeps in
 * informer caches, expectations and the launcher pod rather than in the
 * object's status (placed NICs and VFs, the launch spec, the scheduler's
 * accounting, IPAM pools). Plain JSON, one record beside each object in the
 * store; the read path never looks at it. Internal to the cluster core.
 */
import type { VirtualMachineInstanceSpec } from '../../api/index.ts';
import type { LaunchSpec, VolumeSource } from '../agent.ts';
import type { ConditionStatus } from './objects.ts';

/** A VMI network interface as placed on its node. */
export interface Nic {
  name: string;
  kind: 'pod' | 'bridge' | 'sriov';
  podBinding: 'masquerade' | 'bridge' | null;
  network: string | null;
  mac: string;
  macSource: 'spec' | 'generated';
  ipv4Cidr: string | null;
  vf: { resource: string; index: number } | null;
  /** interfaces[].model, KubeVirt's default virtio. */
  model: string;
}

/** Why a VMI is held Pending (its Synchronized=False condition). */
export interface SyncBlocker {
  reason: string;
  message: string;
}

/** The LiveMigratable condition as the core computed it. */
export interface Migratability {
  status: ConditionStatus;
  reason?: string;
  message?: string;
}

/** A VirtualMachine's record: the VMI spec it resolved at apply (instancetype applied) and the controller's pending intents. */
export interface VmRecord {
  spec: VirtualMachineInstanceSpec;
  dvNames: string[];
  /** deleteRecreate: create again once the old VMI is gone. */
  recreate: boolean;
  /** virtctl start --paused on a Halted VM: the next VMI starts paused. */
  startPaused: boolean;
  /** metadata.generation whose dataVolumeTemplates were created (each apply creates the missing ones once). */
  dvsFor: number;
}

/** A launcher pod's requests: millicores and bytes (common/podRequests.ts). */
export interface PodRequests {
  cpuMilli: number;
  memBytes: number;
}

/** A VirtualMachineInstance's record. */
export interface VmiRecord {
  /** Creation order (the controllers' tie-break). */
  seq: number;
  /** vCPUs and guest memory. */
  cpu: number;
  memMiB: number;
  /** The launcher pod's requests, as the scheduler fits them (common/podRequests.ts). */
  pod: PodRequests;
  claims: string[];
  nics: Nic[];
  /** No claims, Multus or SR-IOV NICs: the hot path skips those checks. */
  simple: boolean;
  imageBlocker: SyncBlocker | null;
  everRunning: boolean;
  launched: boolean;
  paused: boolean;
  pauseReason: 'user' | 'ioError' | null;
  agent: boolean;
  startPaused: boolean;
  /** A shutdown was asked of the agent. */
  shuttingDown: boolean;
  /** The VMI controller saw its deletion request (and asked for the shutdown it implies). */
  deletionSeen: boolean;
  grace: number;
  /** The VMI's spec.terminationGracePeriodSeconds is set (from its template, or patched by a stop); `grace` is the default otherwise. */
  graceSet: boolean;
  sync: SyncBlocker | null;
  unschedulable: string | null;
  migratable: Migratability;
  /** The migration not yet final, by name. */
  activeMigration: string | null;
  launch: LaunchSpec | null;
  waitingVolumes: boolean;
  /** Node resources, VFs and IPs given back after the VMI ended. */
  released: boolean;
  /**
   * The VM controller's finalizer (KubeVirt VirtualMachineControllerFinalizer): a VM's VMI is
   * removed only once its VM saw it final, so the VM books a start failure (R-RS6).
   */
  ownerFinalizer: boolean;
}

/** A VirtualMachineInstanceMigration's record. */
export interface VmimRecord {
  vmiName: string;
  vmiUid: string;
  source: string | null;
  target: string | null;
  targetNics: Nic[] | null;
  removeWhenFinal: boolean;
  /** The controller has looked at it since its creation. */
  seen: boolean;
  /** Made by the evacuation controller for this drained node (KubeVirt's EvacuationMigrationAnnotation). */
  evacuation?: string;
  /** Not started before this time (ms): the migration controller's backoff for evacuation retries. */
  notBefore?: number;
}

/** A PersistentVolumeClaim's record. */
export interface PvcRecord {
  node: string | null;
  storage: 'local' | 'shared' | null;
  wffc: boolean;
  sizeBytes: number;
  rwx: boolean;
  provisioning: boolean;
  source: VolumeSource;
  /** WaitForFirstConsumer: the node of its first consumer, once scheduled (to provision on). */
  consumerNode: string | null;
  /** The DataVolume that made it. */
  dv: string | null;
  /** The agent could not provision it. */
  failed: boolean;
}

/** A DataVolume's record: the VM whose template made it. */
export interface DvRecord {
  ownerVm: string | null;
}

/** An SR-IOV VF pool of a node. */
export interface VfPool {
  capacity: number;
  /** used[i]: VF i is taken (JSON: null for never-taken slots). */
  used: (boolean | null)[];
  inUse: number;
}

/** A Node as the scheduler accounts it (harness scheduling rule: scheduler.ts). */
export interface NodeRecord {
  name: string;
  ready: boolean;
  /** False while cordoned by a drain. */
  schedulable: boolean;
  /** Capacity in millicores and bytes; Infinity when the Node declares none (JSON: null). */
  cpuMilli: number | null;
  memBytes: number | null;
  /** The requests of the launcher pods placed here (common/podRequests.ts). */
  usedCpuMilli: number;
  usedMemBytes: number;
  /** Non-final VMIs placed here. */
  active: number;
  vfs: Record<string, VfPool>;
  /** VMI names placed here. */
  vmis: string[];
  /** Drain requests so far and how many the evacuation controller handled. */
  drains: number;
  drainsHandled: number;
  /** Uncordon requests so far (each one lets the waiting VMIs look again). */
  uncordons: number;
}

/** An IPv4 pool of a NAD's ipam range (ipam.ts). */
export interface Ipv4Pool {
  network: number;
  prefix: number;
  /** Host offsets in use (1 = network + 1), ascending. */
  used: number[];
  /** First and last offsets handed out (host-local rangeStart / rangeEnd); the gateway's offset is skipped. */
  start?: number;
  end?: number;
  gateway?: number;
}
