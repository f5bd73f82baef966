/**
 * The Backend contract (DESIGN.md §3). Public: every backend (model, qemu,
 * later kubevirt) implements it, and the engine drives backends only through
 * it. Commands are plain data so that they can be generated, shrunk, logged
 * and replayed.
 *
 * Harness rules every backend follows where KubeVirt leaves a choice open:
 * - Scheduling: among feasible nodes (Ready, enough free cpu and memory,
 *   free VFs, node of a bound local PVC), take the one with the fewest
 *   active VMIs, ties broken by node name. A VMI requests its guest memory
 *   and its vCPU count. Migration targets follow the same rule without the
 *   source node.
 * - A migration created by `vm({verb: 'migrate'})` is named
 *   `<vmi>-migration-<n>`, n counting from 1 per VMI name.
 * - Generated MACs are `52:54:00:xx:xx:xx`; they are compared as labels.
 */
import type { KubeObject, ObjectRef } from '../harness/api/types.ts';
import type { Observation, ObservationHeader } from '../harness/observe/types.ts';

export type { KubeObject, ObjectRef } from '../harness/api/types.ts';
export type { Observation } from '../harness/observe/types.ts';

/** HTTP-style codes KubeVirt answers with (SPEC.md §3). */
export type ApiErrorCode = 400 | 403 | 404 | 409 | 422 | 500;

export type Result = { ok: true } | { ok: false; code: ApiErrorCode; message: string };

export const OK: Result = Object.freeze({ ok: true });

export function fail(code: ApiErrorCode, message: string): Result {
  return { ok: false, code, message };
}

/** virtctl verbs (SPEC.md §3). `name` is the VM name, or the VMI name for VMI subresources. */
export type VmAction =
  | { verb: 'start'; name: string; paused?: boolean }
  | { verb: 'stop'; name: string; gracePeriod?: number; force?: boolean }
  | { verb: 'restart'; name: string; gracePeriod?: number; force?: boolean }
  | { verb: 'migrate'; name: string }
  | { verb: 'pause'; name: string }
  | { verb: 'unpause'; name: string }
  | { verb: 'softReboot'; name: string };

export type VmVerb = VmAction['verb'];

/**
 * Actions on a running VMI from the hypervisor side (`virsh reset`,
 * `virsh shutdown`) or from inside the guest. `vmi` is the VMI name.
 */
export type GuestAction =
  | { action: 'reset'; vmi: string }
  | { action: 'acpiShutdown'; vmi: string }
  | { action: 'poweroff'; vmi: string }
  | { action: 'reboot'; vmi: string }
  | { action: 'panic'; vmi: string }
  /** The guest writes `token` into the token area of the disk of volume `disk`. */
  | { action: 'writeData'; vmi: string; disk: string; token: string };

export type GuestActionKind = GuestAction['action'];

/** Faults (a later issue grows this list). */
export type Fault =
  /** The launcher (QEMU process) of a VMI dies. */
  | { fault: 'killLauncher'; vmi: string }
  /** A node is lost and fenced: its launchers are gone, the node is NotReady. */
  | { fault: 'nodeLoss'; node: string }
  /** The target of the in-flight migration of a VMI dies. */
  | { fault: 'killMigrationTarget'; vmi: string }
  /** `kubectl drain`: cordon the node, evict its VMIs per evictionStrategy (SPEC R-M6). */
  | { fault: 'drainNode'; node: string }
  /** `kubectl uncordon`: the node takes new VMIs again. */
  | { fault: 'uncordonNode'; node: string };

export type FaultKind = Fault['fault'];

/**
 * Facts about a backend that make a counterexample reproducible (part of the
 * replay token); the same facts head every observation.
 */
export type BackendFingerprint = ObservationHeader;

export interface Backend {
  readonly name: string;
  /** Create or update, like `kubectl apply`. Admission errors come back as a failed Result. */
  apply(obj: KubeObject): Promise<Result>;
  delete(ref: ObjectRef): Promise<Result>;
  vm(action: VmAction): Promise<Result>;
  guest(action: GuestAction): Promise<Result>;
  fault(f: Fault): Promise<Result>;
  /** Waits until nothing is in flight; throws SettleTimeout when the budget runs out. */
  settle(budgetMs: number): Promise<void>;
  observe(): Promise<Observation>;
  fingerprint(): BackendFingerprint;
  /** Leaves no process, socket or file behind. Idempotent. */
  dispose(): Promise<void>;
}

/** Thrown by settle() when the backend did not quiesce within its budget. */
export class SettleTimeout extends Error {
  constructor(
    readonly backend: string,
    readonly budgetMs: number,
    readonly inFlight: string,
  ) {
    super(`${backend}: not settled after ${budgetMs} ms (${inFlight})`);
    this.name = 'SettleTimeout';
  }
}

/** Thrown when a backend's infrastructure fails (QEMU missing, fixture absent): exit code 3. */
export class InfrastructureError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'InfrastructureError';
  }
}
