/**
 * The Backend contract (docs/architecture.md §3). Public: every backend (model, qemu,
 * later kubevirt) implements it, and the engine drives backends only through
 * it. Commands are plain data so that they can be generated, shrunk, logged
 * and replayed.
 *
 * Harness rules every backend follows where KubeVirt leaves a choice open:
 * - Scheduling: among feasible nodes (Ready, enough free cpu and memory
 *   for the launcher pod's requests, docs/spec.md R-SC1, free VFs, node of a
 *   bound local PVC), take the one with the fewest active VMIs, ties broken
 *   by node name. Migration targets follow the same rule without the source
 *   node.
 * - A migration created by `vm({verb: 'migrate'})` is named as KubeVirt's
 *   generateName `kubevirt-migrate-vm-` gives it, a drain's
 *   `kubevirt-evacuation-`; the 5-character suffix is a hash of the VMI's name
 *   and its count of migrations, the same on every backend.
 * - Generated MACs are `52:54:00:xx:xx:xx`; they are compared as labels.
 */
import type { KubeObject, ObjectRef } from '../harness/api/index.ts';
import type { Observation, ObservationHeader } from '../harness/observe/types.ts';
import type { Fault, GuestAction, Result, VmAction } from '../harness/contract/index.ts';
import type { ApiObject } from '../harness/cluster/index.ts';

export * from '../harness/contract/index.ts';

export type { KubeObject, ObjectRef } from '../harness/api/index.ts';
export type { Observation } from '../harness/observe/types.ts';
export type { ApiObject } from '../harness/cluster/index.ts';

/**
 * Facts about a backend that make a counterexample reproducible (part of the
 * replay token); the same facts head every observation.
 */
export type BackendFingerprint = ObservationHeader;

export interface LauncherAccess {
  console(namespace: string, vmi: string): Promise<import('node:stream').Duplex>; // raw serial bytes
  vnc(namespace: string, vmi: string): Promise<import('node:stream').Duplex>;     // raw RFB bytes
  virsh(namespace: string, vmi: string, argv: string[]): Promise<{ exitCode: number; stdout: string; stderr: string }>;
}

export interface Backend {
  readonly name: string;
  readonly launcher?: LauncherAccess;
  /** Create or update, like `kubectl apply`. Admission errors come back as a failed Result. */
  apply(obj: KubeObject): Promise<Result>;
  delete(ref: ObjectRef): Promise<Result>;
  vm(action: VmAction): Promise<Result>;
  guest(action: GuestAction): Promise<Result>;
  fault(f: Fault): Promise<Result>;
  /** The API objects of a kind (`VirtualMachine`, ...) with their status, in name order; `namespace` filters namespaced kinds. */
  list(kind: string, namespace?: string): Promise<ApiObject[]>;
  /** Waits until nothing is in flight; throws SettleTimeout when the budget runs out. */
  settle(budgetMs: number): Promise<void>;
  observe(): Promise<Observation>;
  fingerprint(): BackendFingerprint;
  /** Leaves no process, socket or file behind. Idempotent. */
  dispose(): Promise<void>;
}
