/**
 * API objects as the store keeps them, and the `status` KubeVirt writes for
 * each kind (kubevirt.io/api core/v1 VirtualMachineStatus,
 * VirtualMachineInstanceStatus, VirtualMachineInstanceMigrationStatus; core
 * v1 PersistentVolumeClaimStatus, NodeStatus; CDI DataVolumeStatus). Only
 * the fields the harness gives meaning to. Public (internal to backends and
 * the read path): observation and `kubectl get` tables read these.
 *
 * Objects refer to each other by name and uid (ownerReferences), never by
 * pointer: the whole store is plain JSON.
 */
import type { ObjectMeta, RunStrategy } from '../../api/index.ts';

export type ConditionStatus = 'True' | 'False';

/** A status condition (metav1.Condition shape, without timestamps: the harness compares at quiescence). */
export interface Condition {
  type: string;
  status: ConditionStatus;
  reason?: string;
  message?: string;
}

export interface OwnerReference {
  apiVersion: string;
  kind: string;
  name: string;
  uid: string;
  controller?: boolean;
}

/** The metadata the store manages on top of what a manifest carries. */
export interface StoredMeta extends ObjectMeta {
  uid: string;
  resourceVersion: string;
  generation: number;
  creationTimestamp: string;
  ownerReferences?: OwnerReference[];
  deletionTimestamp?: string;
  finalizers?: string[];
}

/** Any stored object: apiVersion, kind, metadata, and whatever spec / status its kind has. */
export interface ApiObject {
  apiVersion: string;
  kind: string;
  metadata: StoredMeta;
  spec?: unknown;
  status?: unknown;
  [field: string]: unknown;
}

export type VmiPhase = 'Pending' | 'Scheduling' | 'Scheduled' | 'Running' | 'Succeeded' | 'Failed';

export type PrintableStatus =
  | 'Terminating'
  | 'Stopping'
  | 'Migrating'
  | 'Paused'
  | 'Running'
  | 'ErrorPvcNotFound'
  | 'DataVolumeError'
  | 'ErrorUnschedulable'
  | 'Provisioning'
  | 'WaitingForVolumeBinding'
  | 'ErrImagePull'
  | 'ImagePullBackOff'
  | 'Starting'
  | 'CrashLoopBackOff'
  | 'Stopped'
  | 'Unknown';

/** status.stateChangeRequests[] ([KV] VirtualMachineStateChangeRequest; `uid` of the VMI to stop). */
export type StateChangeRequest = { action: 'Start'; data?: { startPaused: 'true' } } | { action: 'Stop'; uid: string };

/** VirtualMachineStatus. */
export interface VmStatus {
  printableStatus: PrintableStatus;
  ready: boolean;
  created: boolean;
  /** The strategy the controller last acted on; absent until a VMI was first created. */
  runStrategy?: RunStrategy;
  stateChangeRequests?: StateChangeRequest[];
  /** Crash-loop bookkeeping ([KV] VirtualMachineStartFailure); retryAfter null = never by itself. */
  startFailure?: { consecutiveFailCount: number; lastFailedVMIUID: string; retryAfterTimestamp: string | null };
  conditions: Condition[];
}

/** status.interfaces[] ([KV] VirtualMachineInstanceNetworkInterface). */
export interface VmiInterfaceStatus {
  name: string;
  mac: string;
  ipAddress?: string;
}

/** status.migrationState ([KV] VirtualMachineInstanceMigrationState). */
export interface MigrationState {
  migrationUid: string;
  completed: boolean;
  failed: boolean;
  sourceNode: string;
  targetNode: string;
  /** The migration was deleted while running: virt-handler is asked to cancel it (`markMigrationAbortInVmiStatus`). */
  abortRequested?: boolean;
  /** How the cancel went ([KV] MigrationAbortStatus): set once the source reported the migration failed. */
  abortStatus?: 'Succeeded' | 'Failed' | 'Aborting';
  /** The MigrationPolicy that matched the VMI when the migration started (R-M9). */
  migrationPolicyName?: string;
  /** The configuration the migration runs with ([KV] VMIMConfigurationOptions; the harness writes the bandwidth only). */
  migrationConfiguration?: { bandwidthPerMigration: string };
}

/** VirtualMachineInstanceStatus. */
export interface VmiStatus {
  phase: VmiPhase;
  nodeName?: string;
  conditions: Condition[];
  interfaces: VmiInterfaceStatus[];
  migrationState?: MigrationState;
}

export type MigrationPhase = 'Pending' | 'Running' | 'Succeeded' | 'Failed';

/** VirtualMachineInstanceMigrationStatus. */
export interface VmimStatus {
  phase: MigrationPhase;
}

export type PvcPhase = 'Pending' | 'Bound' | 'Lost';

/** PersistentVolumeClaimStatus. */
export interface PvcStatus {
  phase: PvcPhase;
  capacity?: { storage: string };
}

export type DvPhase = 'Pending' | 'ImportInProgress' | 'CloneInProgress' | 'Succeeded' | 'Failed';

/** CDI DataVolumeStatus. */
export interface DvStatus {
  phase: DvPhase;
}

/** status.replicas / readyReplicas of a replica set or pool. */
export interface WorkloadStatus {
  replicas: number;
  readyReplicas: number;
}

/** The annotation k8s's scheduler puts on a WaitForFirstConsumer claim; here on every node-local claim once provisioned. */
export const SELECTED_NODE = 'volume.kubernetes.io/selected-node';

/** Node annotation: VFs taken per extended resource, as the device plugin accounts them (JSON object). */
export const VFS_IN_USE = 'vmconform.io/sriov-vfs-in-use';

/** A condition of a status list by type. */
export function condition(conditions: readonly Condition[] | undefined, type: string): Condition | undefined {
  if (!conditions) return undefined;
  for (let i = 0; i < conditions.length; i++) if (conditions[i]!.type === type) return conditions[i];
  return undefined;
}

/** Whether a VMI phase is final (Succeeded or Failed). */
export const FINAL = (p: VmiPhase): boolean => p === 'Succeeded' || p === 'Failed';
