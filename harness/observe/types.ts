/**
 * The observation: what is compared between backends after every step
 * (docs/spec.md §13, docs/spec.md §13). Public: every backend produces this shape from
 * its own state (the qemu backend from the real world), and the engine
 * canonicalises and diffs it.
 *
 * A backend reports raw identifiers (`uid`, `bootId`, generated MACs);
 * harness/observe turns them into canonical labels in first-seen order
 * (`vmi#1`, `boot#2`, `mac#1`) before the diff. Records are keyed by object
 * name; arrays keep the spec's order.
 */

import type { ConditionStatus, GuestDisk, GuestInterface, NodeFingerprint, PrintableStatus, PvcPhase, VmiPhase } from '../cluster/index.ts';

export type { ConditionStatus, PrintableStatus, VmiPhase };

/** A condition as compared: status plus reason (absent when the rule has none). */
export interface ObservedCondition {
  status: ConditionStatus;
  reason?: string;
}

export interface VmObservation {
  printableStatus: PrintableStatus;
  ready: boolean;
  created: boolean;
  /** Effective strategy (`running: true` reads as Always). */
  runStrategy: string;
  /** VM conditions by type (Ready, Paused, AgentConnected, LiveMigratable, Failure ...). */
  conditions: Record<string, ObservedCondition>;
  /** Raw uid of the current VMI, or null; canonicalised to `vmi#N`. */
  vmi: string | null;
}

export type ObservedInterface = GuestInterface;

export type ObservedDisk = GuestDisk;

export interface ObservedMigrationState {
  completed: boolean;
  failed: boolean;
  sourceNode: string;
  targetNode: string;
  /** Present only once a deleted running migration was cancelled (or the cancel failed): KubeVirt's abortStatus. */
  abortStatus?: string;
}

export interface VmiObservation {
  /** Raw uid; canonicalised to `vmi#N`. */
  uid: string;
  /** Who created the VMI: a VM, a VirtualMachineInstanceReplicaSet (R-I3), or nobody (R-SA1). */
  owner: 'vm' | 'replicaset' | 'standalone';
  phase: VmiPhase;
  node: string | null;
  conditions: Record<string, ObservedCondition>;
  /** Raw boot id of the running guest, null when not Running or not readable; canonicalised to `boot#N` per VMI. */
  bootId: string | null;
  interfaces: ObservedInterface[];
  disks: ObservedDisk[];
  /** Memory (MiB) and vCPUs of the running guest; null when not running. */
  memoryMiB: number | null;
  vcpus: number | null;
  /** CPU sockets the running guest sees; null when not running. */
  sockets: number | null;
  migration: ObservedMigrationState | null;
  /** Multus reachability: NAD name → names of the other VMIs on it that this guest can reach. */
  reachable?: Record<string, string[]>;
}

export interface PvcObservation {
  phase: PvcPhase;
  /** Node of a node-local volume once bound; null for shared volumes. */
  node: string | null;
  sizeBytes: number;
}

export interface NodeObservation {
  ready: boolean;
  /** SR-IOV VFs in use per extended resource name. */
  vfsInUse: Record<string, number>;
}

export interface MigrationObservation {
  vmi: string;
  phase: 'Pending' | 'Scheduling' | 'Scheduled' | 'PreparingTarget' | 'TargetReady' | 'Running' | 'Succeeded' | 'Failed';
}

/** Not compared: says what produced the observation. */
export type ObservationHeader = NodeFingerprint;

export interface Observation {
  header: ObservationHeader;
  vms: Record<string, VmObservation>;
  vmis: Record<string, VmiObservation>;
  pvcs: Record<string, PvcObservation>;
  nodes: Record<string, NodeObservation>;
  migrations: Record<string, MigrationObservation>;
}

/** One difference between two canonical observations (or two answers). Public: reports carry them. */
export interface DiffEntry {
  /** JSON path in the canonical observation, e.g. `vmis.mariadb-prod.phase`, or `result.code` for verb answers. */
  path: string;
  expected: unknown;
  actual: unknown;
  /** The backend whose value is `actual`. */
  backend: string;
}
