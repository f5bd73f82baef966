/**
 * The command catalogue (docs/architecture.md §4, step 1). Public.
 *
 * For each kind of step, the commands that make sense in the current state
 * (its precondition, as the list of candidates) and the data each one
 * carries; `applyCommand` (command.ts) says how it reaches a Backend. The
 * state is the reference backend's last observation plus the objects the
 * reference accepted, so commands are drawn from the model's state rather
 * than drawn blindly and skipped.
 *
 * Candidates deliberately include commands the reference must reject
 * (start of a running VM, migrate of a non-migratable VMI, verbs on a
 * stopped VM, reset of a VMI that is not running): the accept/reject answer
 * and its code are compared. Guest-side actions (poweroff, panic, data
 * writes) need a running guest, and data is written only to attached block
 * disks, because a guest that does not exist cannot act.
 */
import type { KubeObject, Observation } from '../../backends/contract.ts';
import { RUN_STRATEGIES, type RunStrategy, type VirtualMachine } from '../api/index.ts';
import type { GuestActionKind, VmVerb } from '../contract/index.ts';
import type { Command } from './command.ts';
import type { VmEntry } from './vmEntry.ts';

/** What candidates are computed from. Public. */
export interface GenState {
  vms: readonly VmEntry[];
  /** Objects the reference accepted, by `kind/name`. */
  applied: ReadonlyMap<string, KubeObject>;
  /** The reference backend's observation after the previous step. */
  obs: Observation;
  /** Index of the step being drawn (data tokens are `t<step>`). */
  step: number;
}

export function objectKey(o: { kind: string; metadata: { name: string } } | { kind: string; name: string }): string {
  return `${o.kind}/${'metadata' in o ? o.metadata.name : o.name}`;
}

/** The keys of a VM entry's objects: an entry lives for its whole sequence, its keys are built once. */
const entryKeys = new WeakMap<VmEntry, string[]>();
function keysOf(v: VmEntry): string[] {
  let keys = entryKeys.get(v);
  if (keys === undefined) entryKeys.set(v, (keys = v.objects.map(objectKey)));
  return keys;
}

/** Lists every candidate function needs, computed once per state. Internal. */
interface Derived {
  /** Per VM (in `vms` order), per object: whether the reference accepted it. */
  isApplied: boolean[][];
  appliedVms: string[];
  vmiNames: string[];
  runningVmis: string[];
  /** Migrations in flight at this settled state (held: docs/harness-choices.md §2), by name. */
  runningMigrations: string[];
  /** Names that VMI subresource verbs accept: VMs and existing VMIs. */
  subresourceTargets: string[];
  /** Of those, the ones whose VMI is Running: LiveMigratable ones first when there are any. */
  runningTargets: string[];
}

/*
 * Candidates are computed for every kind at every step, so this module
 * builds no function per state: under tsx (esbuild keepNames) every closure
 * made at run time is also given its name by Object.defineProperty, which
 * costs about a microsecond each, and was a tenth of a generated step's
 * time. Loops instead of map/filter callbacks, makers made once.
 */

function derive(s: GenState): Derived {
  const { vmis, migrations } = s.obs;
  const isApplied: boolean[][] = [];
  const appliedVms: string[] = [];
  for (const v of s.vms) {
    const keys = keysOf(v);
    const flags: boolean[] = [];
    for (const k of keys) flags.push(s.applied.has(k));
    isApplied.push(flags);
    if (v.kind === 'VirtualMachine' && s.applied.has(`VirtualMachine/${v.name}`)) appliedVms.push(v.name);
  }
  const vmiNames = Object.keys(vmis).sort();
  const runningVmis: string[] = [];
  for (const n of vmiNames) if (vmis[n]?.phase === 'Running') runningVmis.push(n);
  const subresourceTargets = [...new Set([...appliedVms, ...vmiNames])].sort();
  const runningMigrations: string[] = [];
  for (const n of Object.keys(migrations)) if (migrations[n]?.phase === 'Running') runningMigrations.push(n);
  runningMigrations.sort();
  const running: string[] = [];
  const migratable: string[] = [];
  for (const n of subresourceTargets) {
    const v = vmis[n];
    if (v?.phase !== 'Running') continue;
    running.push(n);
    if (v.conditions['LiveMigratable']?.status === 'True') migratable.push(n);
  }
  const runningTargets = migratable.length > 0 ? migratable : running;
  return { isApplied, appliedVms, vmiNames, runningVmis, runningMigrations, subresourceTargets, runningTargets };
}

function strategyOf(o: KubeObject): RunStrategy | 'running' | null {
  if (o.kind !== 'VirtualMachine') return null;
  if (o.spec.runStrategy !== undefined) return o.spec.runStrategy;
  return o.spec.running !== undefined ? 'running' : null;
}

/**
 * Candidates of one kind, built on demand: a step draws one candidate, so
 * only that one becomes a Command (cheap enough for 10,000 sequences).
 */
export interface Candidates {
  length: number;
  at(i: number): Command;
  /** Only commands the reference must refuse (a kind's fallback): listed n times, such a kind still counts once. */
  refusedOnly?: true;
}

/** Items made into commands on demand, by a maker made once (`at` passes it the step index: data tokens). */
class Lazy<T> implements Candidates {
  readonly length: number;
  refusedOnly?: true;
  constructor(
    private readonly items: readonly T[],
    private readonly make: (t: T, step: number) => Command,
    private readonly step = 0,
  ) {
    this.length = items.length;
  }
  at(i: number): Command {
    return this.make(this.items[i] as T, this.step);
  }
}

function lazy<T>(items: readonly T[], make: (t: T, step: number) => Command, step?: number): Candidates {
  return new Lazy(items, make, step);
}

class Concat implements Candidates {
  readonly length: number;
  constructor(private readonly parts: readonly Candidates[]) {
    let n = 0;
    for (const p of parts) n += p.length;
    this.length = n;
  }
  at(i: number): Command {
    for (const p of this.parts) {
      if (i < p.length) return p.at(i);
      i -= p.length;
    }
    throw new Error(`bug: candidate ${i} out of range`);
  }
}

function concat(...parts: Candidates[]): Candidates {
  return new Concat(parts);
}

/** Every target with every option, target-major. */
class Product<T, O> implements Candidates {
  readonly length: number;
  constructor(
    private readonly targets: readonly T[],
    private readonly options: readonly O[],
    private readonly make: (t: T, o: O) => Command,
  ) {
    this.length = targets.length * options.length;
  }
  at(i: number): Command {
    const n = this.options.length;
    return this.make(this.targets[Math.floor(i / n)] as T, this.options[i % n] as O);
  }
}

/** Re-applies of an applied VM with another run strategy: strategy switches (R-RS*). */
function strategySwitches(s: GenState, d: Derived): Candidates {
  const pairs: [VirtualMachine, RunStrategy][] = [];
  for (const name of d.appliedVms) {
    const vm = s.applied.get(`VirtualMachine/${name}`);
    if (vm?.kind !== 'VirtualMachine') continue;
    const current = strategyOf(vm);
    for (const rs of RUN_STRATEGIES) if (rs !== current) pairs.push([vm, rs]);
  }
  return lazy(pairs, switched);
}

function switched([vm, rs]: [VirtualMachine, RunStrategy]): Command {
  const { running: _r, ...spec } = vm.spec;
  return { kind: 'apply', args: { object: { ...vm, spec: { ...spec, runStrategy: rs } } } };
}

type CandidatesOf = (s: GenState, d: Derived) => Candidates;

/** The VMIs of the migrations in flight. */
function inFlightVmis(s: GenState, d: Derived): string[] {
  const out = new Set<string>();
  for (const m of d.runningMigrations) {
    const vmi = s.obs.migrations[m]!.vmi;
    if (s.obs.vmis[vmi]?.migration?.completed === false) out.add(vmi);
  }
  return [...out].sort();
}

/** Which of a VM's objects: its dependencies (all but the last), its own object (the last), or all. */
type Part = 'deps' | 'own' | 'all';

/** [from, to) of a part in a VM's objects. */
const PART: Readonly<Record<Part, (n: number) => readonly [number, number]>> = {
  deps: (n) => [0, n - 1],
  own: (n) => [Math.max(n - 1, 0), n],
  all: (n) => [0, n],
};

const anyVm = (_flags: boolean[]): boolean => true;
/** A VM whose own object (the last) is applied. */
const vmApplied = (flags: boolean[]): boolean => flags.at(-1) === true;

/** The objects of `part` of every VM (of those `onlyVm` admits) whose applied state is `applied`, in VM order. */
function objectsWhere(s: GenState, d: Derived, part: Part, applied: boolean, onlyVm: (flags: boolean[]) => boolean = anyVm): KubeObject[] {
  const out: KubeObject[] = [];
  for (let i = 0; i < s.vms.length; i++) {
    const v = s.vms[i]!;
    const flags = d.isApplied[i] as boolean[];
    if (!onlyVm(flags)) continue;
    const [from, to] = PART[part](v.objects.length);
    for (let j = from; j < to; j++) if (flags[j] === applied) out.push(v.objects[j] as KubeObject);
  }
  return out;
}

const applyOf = (object: KubeObject): Command => ({ kind: 'apply', args: { object } });
const deleteOf = (o: KubeObject): Command => ({ kind: 'delete', args: { kind: o.kind, name: o.metadata.name } });
const deleteVmiOf = (name: string): Command => ({ kind: 'delete', args: { kind: 'VirtualMachineInstance', name } });
const migrateOf = (name: string): Command => ({ kind: 'vm', args: { verb: 'migrate', name } });
const stopOf = (name: string, o: (typeof STOP_OPTIONS)[number]): Command => ({ kind: 'vm', args: { verb: 'stop', name, ...o } });
const restartOf = (name: string, o: (typeof RESTART_OPTIONS)[number]): Command => ({ kind: 'vm', args: { verb: 'restart', name, ...o } });
const writeDataOf = ([vmi, disk]: readonly [string, string], step: number): Command => ({ kind: 'guest', args: { action: 'writeData', vmi, disk, token: `t${step}` } });
const killLauncherOf = (vmi: string): Command => ({ kind: 'fault', args: { fault: 'killLauncher', vmi } });
const nodeLossOf = (node: string): Command => ({ kind: 'fault', args: { fault: 'nodeLoss', node } });
const abortOf = (name: string): Command => ({ kind: 'delete', args: { kind: 'VirtualMachineInstanceMigration', name } });
const killTargetOf = (vmi: string): Command => ({ kind: 'fault', args: { fault: 'killMigrationTarget', vmi } });

function unapplied(s: GenState, d: Derived, part: Part, onlyVm?: (flags: boolean[]) => boolean): Candidates {
  return lazy(objectsWhere(s, d, part, false, onlyVm), applyOf);
}

/** The name lists of Derived (targets of verbs and guest actions). */
type Targets = Exclude<keyof Derived, 'isApplied'>;

function vmVerb(verb: Exclude<VmVerb, 'stop' | 'restart'>, targets: Targets): CandidatesOf {
  const make = (name: string): Command => ({ kind: 'vm', args: { verb, name } });
  return (_s, d) => lazy(d[targets], make);
}

function guestAction(action: Exclude<GuestActionKind, 'writeData'>, targets: Targets): CandidatesOf {
  const make = (vmi: string): Command => ({ kind: 'guest', args: { action, vmi } });
  return (_s, d) => lazy(d[targets], make);
}

/** The VMIs of the VMs (those a VMI deletion makes the VM controller react to). */
function vmOwnedVmis(s: GenState, d: Derived): string[] {
  const out: string[] = [];
  for (const n of d.vmiNames) if (s.obs.vmis[n]?.owner === 'vm') out.push(n);
  return out;
}

/** Running VMIs' disks with a size (the ones data can be written to), as [vmi, disk]. */
function writableDisks(s: GenState, d: Derived): (readonly [string, string])[] {
  const out: (readonly [string, string])[] = [];
  for (const vmi of d.runningVmis) for (const disk of s.obs.vmis[vmi]?.disks ?? []) if (disk.sizeBytes !== null) out.push([vmi, disk.name]);
  return out;
}

/** Ready nodes hosting a running VMI or the target of a migration in flight. */
function lossNodes(s: GenState, d: Derived): string[] {
  const hosts: (string | null | undefined)[] = [];
  for (const n of d.runningVmis) hosts.push(s.obs.vmis[n]?.node);
  for (const n of inFlightVmis(s, d)) hosts.push(s.obs.vmis[n]?.migration?.targetNode);
  const out = new Set<string>();
  for (const n of hosts) if (typeof n === 'string' && s.obs.nodes[n]?.ready === true) out.add(n);
  return [...out].sort();
}

function migrateCandidates(_s: GenState, d: Derived): Candidates {
  if (d.runningTargets.length > 0) return lazy(d.runningTargets, migrateOf);
  const refused = lazy(d.subresourceTargets, migrateOf);
  refused.refusedOnly = true;
  return refused;
}

const STOP_OPTIONS = [{}, { gracePeriod: 0 }, { gracePeriod: 0, force: true }, { gracePeriod: 1 }] as const;
const RESTART_OPTIONS = [{}, { gracePeriod: 0, force: true }] as const;

/**
 * The catalogue: candidates per kind of step, in a deterministic order. Public.
 * Its keys are the step kinds a suite can list (`commands:`). A migration is
 * in flight at a settled state only when it is held (capped by
 * bandwidthPerMigration, docs/harness-choices.md §2): the steps that act on
 * one (abortMigration, killMigrationTarget, nodeLoss of its target) are drawn
 * then.
 */
export const CATALOGUE = {
  // The VMs themselves first (index 0 is where shrinking goes), then their
  // dependencies: a VM applied before its PVC is a state worth observing too.
  // Once a VM is applied, its missing dependencies come first: the VM waiting
  // for them is observed, and then it can run (and be migrated, paused ...).
  apply: (s, d) => {
    const waiting = unapplied(s, d, 'deps', vmApplied);
    if (waiting.length > 0) return waiting;
    return concat(unapplied(s, d, 'own'), unapplied(s, d, 'deps'), strategySwitches(s, d));
  },
  // Deleting a VM's VMI: the VM controller reacts per run strategy.
  delete: (s, d) => concat(lazy(objectsWhere(s, d, 'all', true), deleteOf), lazy(vmOwnedVmis(s, d), deleteVmiOf)),
  start: vmVerb('start', 'appliedVms'),
  stop: (_s, d) => new Product(d.appliedVms, STOP_OPTIONS, stopOf),
  restart: (_s, d) => new Product(d.appliedVms, RESTART_OPTIONS, restartOf),
  // A running (migratable) VMI when there is one, so that migrations run; else the ones the reference must refuse.
  migrate: migrateCandidates,
  pause: vmVerb('pause', 'subresourceTargets'),
  unpause: vmVerb('unpause', 'subresourceTargets'),
  softReboot: vmVerb('softReboot', 'subresourceTargets'),
  reset: guestAction('reset', 'vmiNames'),
  acpiShutdown: guestAction('acpiShutdown', 'runningVmis'),
  poweroff: guestAction('poweroff', 'runningVmis'),
  reboot: guestAction('reboot', 'runningVmis'),
  panic: guestAction('panic', 'runningVmis'),
  writeData: (s, d) => lazy(writableDisks(s, d), writeDataOf, s.step),
  killLauncher: (_s, d) => lazy(d.runningVmis, killLauncherOf),
  // Losing a node matters when it hosts a running VMI or the target of a migration in flight.
  nodeLoss: (s, d) => lazy(lossNodes(s, d), nodeLossOf),
  // Deleting a running migration: KubeVirt aborts it (R-M4).
  abortMigration: (_s, d) => lazy(d.runningMigrations, abortOf),
  killMigrationTarget: (s, d) => lazy(inFlightVmis(s, d), killTargetOf),
} satisfies Record<string, CandidatesOf>;

/** What a generated step can be (finer than a command kind). Public. */
export type ChoiceKind = keyof typeof CATALOGUE;

/** The step kinds, in catalogue order. Public. */
export const CHOICE_KINDS = Object.keys(CATALOGUE) as [ChoiceKind, ...ChoiceKind[]];

/** Every candidate of one kind as Commands (tests, debugging). Public. */
export function candidates(kind: ChoiceKind, s: GenState): Command[] {
  const c = CATALOGUE[kind](s, derive(s));
  return Array.from({ length: c.length }, (_, i) => c.at(i));
}

/** A drawn step: which kind among the valid ones, which candidate of that kind (both wrap). Public. */
export type Choice = readonly [kind: number, candidate: number];

/** A suite's kinds, each computed once per state: the distinct kinds, and per listed kind its distinct index and whether it repeats one before. */
interface KindsPlan {
  unique: ChoiceKind[];
  slot: [index: number, repeat: boolean][];
}

/** A suite's kinds list lives for the whole run: its plan is made once. */
const plans = new WeakMap<readonly ChoiceKind[], KindsPlan>();
function planOf(kinds: readonly ChoiceKind[]): KindsPlan {
  let plan = plans.get(kinds);
  if (plan === undefined) {
    const unique = [...new Set(kinds)];
    plans.set(kinds, (plan = { unique, slot: kinds.map((k, i) => [unique.indexOf(k), kinds.indexOf(k) < i]) }));
  }
  return plan;
}

/**
 * Resolves a choice against the state: the kind index wraps over the
 * enabled kinds that have candidates (a repeated kind whose candidates can
 * only be refused counts once), the candidate index over that kind's
 * candidates. Null when nothing is valid. Public.
 */
export function resolveChoice(choice: Choice, kinds: readonly ChoiceKind[], s: GenState): Command | null {
  const d = derive(s);
  const { unique, slot } = planOf(kinds);
  const computed: Candidates[] = [];
  for (const k of unique) computed.push(CATALOGUE[k](s, d));
  const valid: Candidates[] = [];
  for (let i = 0; i < kinds.length; i++) {
    const [u, repeat] = slot[i] as [number, boolean];
    const c = computed[u] as Candidates;
    // A kind listed n times weighs n where it can run; where it can only be refused, once.
    if (c.length > 0 && !(repeat && c.refusedOnly)) valid.push(c);
  }
  if (valid.length === 0) return null;
  const list = valid[choice[0] % valid.length] as Candidates;
  return list.at(choice[1] % list.length);
}
