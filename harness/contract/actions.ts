/**
 * The actions a command can carry besides objects: virtctl verbs, host-side
 * and in-guest actions, faults. Public. Each is one variant of one zod
 * discriminated union; the TypeScript types are inferred from the schemas,
 * so generation, scenario YAML, results.json and replay share one source.
 * Objects are strict: an unknown option is an error, not ignored.
 */
import { z } from 'zod';

const name = z.string().min(1);
const gracePeriod = z.number().int().min(0);

/**
 * virtctl verbs (docs/spec.md §3). `name` is the VM name, or the VMI name
 * for VMI subresources. When each is legal is the rule cited beside it.
 */
export const vmActionSchema = z.discriminatedUnion('verb', [
  /** R-V1: Halted, Manual or RerunOnFailure without a live VMI. */
  z.strictObject({ verb: z.literal('start'), name, paused: z.boolean().optional() }),
  /** R-V2: never an error for Always/Once; 409 without a live VMI otherwise. */
  z.strictObject({ verb: z.literal('stop'), name, gracePeriod: gracePeriod.optional(), force: z.boolean().optional() }),
  /** R-V3: a VM with a VMI, strategy not Halted/Once. */
  z.strictObject({ verb: z.literal('restart'), name, gracePeriod: gracePeriod.optional(), force: z.boolean().optional() }),
  /** R-V4: a Running, LiveMigratable VMI with no migration in flight. */
  z.strictObject({ verb: z.literal('migrate'), name }),
  /** R-V5: a Running VMI that is not paused. */
  z.strictObject({ verb: z.literal('pause'), name }),
  /** R-V6: a paused VMI. */
  z.strictObject({ verb: z.literal('unpause'), name }),
  /** R-V7: a Running VMI that is not paused. */
  z.strictObject({ verb: z.literal('softReboot'), name }),
]);

export type VmAction = z.infer<typeof vmActionSchema>;
export type VmVerb = VmAction['verb'];

/**
 * Actions on a running VMI from the hypervisor side (`virsh reset`,
 * `virsh shutdown`) or from inside the guest (docs/spec.md §4). `vmi` is the
 * VMI name.
 */
export const guestActionSchema = z.discriminatedUnion('action', [
  /** R-V8, R-G2: hard reset, same VMI, the guest boots again. */
  z.strictObject({ action: z.literal('reset'), vmi: name }),
  /** R-G1: the ACPI power button. */
  z.strictObject({ action: z.literal('acpiShutdown'), vmi: name }),
  /** R-G1: the guest powers off. */
  z.strictObject({ action: z.literal('poweroff'), vmi: name }),
  /** R-G2: the guest reboots. */
  z.strictObject({ action: z.literal('reboot'), vmi: name }),
  /** R-G3: the guest panics (pvpanic). */
  z.strictObject({ action: z.literal('panic'), vmi: name }),
  /** The guest writes `token` into the token area of the disk of volume `disk`. */
  z.strictObject({ action: z.literal('writeData'), vmi: name, disk: name, token: name }),
]);

export type GuestAction = z.infer<typeof guestActionSchema>;
export type GuestActionKind = GuestAction['action'];

/** Faults, injected on the node side; the control plane learns of them only through node events. */
export const faultSchema = z.discriminatedUnion('fault', [
  /** The launcher (QEMU process) of a VMI dies (R-G3). */
  z.strictObject({ fault: z.literal('killLauncher'), vmi: name }),
  /** A node is lost and fenced: its launchers are gone, the node is NotReady (R-G5). */
  z.strictObject({ fault: z.literal('nodeLoss'), node: name }),
  /** The target of the in-flight migration of a VMI dies (R-M4). */
  z.strictObject({ fault: z.literal('killMigrationTarget'), vmi: name }),
  /** `kubectl drain`: cordon the node, evict its VMIs per evictionStrategy (R-M6). */
  z.strictObject({ fault: z.literal('drainNode'), node: name }),
  /** `kubectl uncordon`: the node takes new VMIs again. */
  z.strictObject({ fault: z.literal('uncordonNode'), node: name }),
]);

export type Fault = z.infer<typeof faultSchema>;
export type FaultKind = Fault['fault'];
