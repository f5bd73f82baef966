/**
 * The actions a command can carry besides objects: virtctl verbs, host-side
 * and in-guest actions, faults. Public; plain data so that they can be
 * generated, shrunk, logged and replayed.
 */

/** virtctl verbs (docs/spec.md §3). `name` is the VM name, or the VMI name for VMI subresources. */
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

/** Faults, injected on the node side; the control plane learns of them only through node events. */
export type Fault =
  /** The launcher (QEMU process) of a VMI dies. */
  | { fault: 'killLauncher'; vmi: string }
  /** A node is lost and fenced: its launchers are gone, the node is NotReady. */
  | { fault: 'nodeLoss'; node: string }
  /** The target of the in-flight migration of a VMI dies. */
  | { fault: 'killMigrationTarget'; vmi: string }
  /** `kubectl drain`: cordon the node, evict its VMIs per evictionStrategy (docs/spec.md R-M6). */
  | { fault: 'drainNode'; node: string }
  /** `kubectl uncordon`: the node takes new VMIs again. */
  | { fault: 'uncordonNode'; node: string };

export type FaultKind = Fault['fault'];
