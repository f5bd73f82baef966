/**
 * Coverage counts (README, "results.json" `coverage`): what one generated
 * sequence exercised, from what the engine sees of it — each step's command
 * and the reference's answer (code + reason, `answerKey` in
 * harness/contract/result.ts), the migrations in the reference's
 * observations, the spec values of the VMs it accepted, and the rule ids the
 * reference says fired. Counts of sequences add up with `mergeCoverage`.
 */
import type { Backend } from '../../backends/contract.ts';
import { answerKey, type Result } from '../contract/index.ts';
import type { Command as AnyCommand, CommandKind } from '../contract/index.ts';
import type { Coverage, StepRecord } from './runResults.ts';
import type { VmEntry } from './vmEntry.ts';

/** Rule id (docs/spec.md, e.g. `R-G2`) → times it fired. Public. */
export type RuleHits = Record<string, number>;

/**
 * What the engine asks of a backend that can say which rules of docs/spec.md
 * its cluster core applied: optional, declared here rather than in the
 * Backend contract; counted from the reference when it has it. The counts
 * are those since the backend was created (one sequence). Public.
 */
export interface RuleHitReporter {
  ruleHits?(): RuleHits;
}

/** The reference's rule hits, when it reports them. */
export function ruleHitsOf(b: Backend | undefined): RuleHits | undefined {
  const r = b as (Backend & RuleHitReporter) | undefined;
  return typeof r?.ruleHits === 'function' ? r.ruleHits() : undefined;
}

/** The step kind of a command, as suites name them (catalogue.ts): `vm` and `guest` by verb, `fault` by fault. */
const KIND_OF: { [K in CommandKind]: (args: Extract<AnyCommand, { kind: K }>['args']) => string } = {
  apply: () => 'apply',
  // Deleting a migration is KubeVirt's way to abort one (R-M4): its own step kind.
  delete: (a) => (a.kind === 'VirtualMachineInstanceMigration' ? 'abortMigration' : 'delete'),
  vm: (a) => a.verb,
  guest: (a) => a.action,
  fault: (a) => a.fault,
};

export function stepKindOf(cmd: AnyCommand): string {
  return (KIND_OF[cmd.kind] as (a: unknown) => string)(cmd.args);
}

/** `409 Conflict`: how refusals are told apart. */
export function refusalKey(r: Result): string | null {
  if (r.ok) return null; // the common case: no answer key to build
  const k = answerKey(r);
  return `${k.code} ${k.reason}`;
}

/** An empty tally. Public. */
export function emptyCoverage(): Coverage {
  return { sequences: 0, commands: {}, migrations: { succeeded: 0, failed: 0, aborted: 0, ran: 0, failedInFlight: 0, targetDied: 0, sequences: 0 }, spec: {} };
}

const bump = (m: Record<string, number>, k: string, n = 1) => (m[k] = (m[k] ?? 0) + n);

const FINAL_MIGRATION: Record<string, 'succeeded' | 'failed'> = { Succeeded: 'succeeded', Failed: 'failed' };

interface ObservedMigrations {
  migrations?: Record<string, { vmi?: string; phase?: string }>;
  vmis?: Record<string, { phase?: string }>;
}

function isEmpty(r: object): boolean {
  for (const _ in r) return false;
  return true;
}

/**
 * Each migration once: when it reaches a final phase, or when it disappears
 * before one. One ran when it was seen Running (held) or Succeeded; a failure
 * after it was seen Running is a failure in flight (target or source died).
 */
function countMigrations(steps: readonly StepRecord[], reference: string, c: Coverage): void {
  let open = new Map<string, string>(); // name → last phase, not final yet
  const done = new Set<string>();
  const m8 = c.migrations;
  let ran = 0;
  for (const step of steps) {
    const obs = step.observations?.[reference] as ObservedMigrations | undefined;
    if (!obs) continue;
    const now = obs.migrations ?? {};
    if (isEmpty(now)) {
      // Most steps see no migration: every open one disappeared, nothing is left to track.
      m8.aborted += open.size;
      open.clear();
      done.clear();
      continue;
    }
    for (const name of open.keys()) if (!(name in now)) m8.aborted++;
    const next = new Map<string, string>();
    for (const [name, m] of Object.entries(now)) {
      const final = FINAL_MIGRATION[m.phase ?? ''];
      if (final) {
        if (!done.has(name)) {
          m8[final]++;
          if (final === 'failed' && open.get(name) === 'Running') {
            m8.failedInFlight = (m8.failedInFlight ?? 0) + 1;
            // its VMI still runs: the source lived, so the target side ended the migration (R-M8)
            if (m.vmi !== undefined && obs.vmis?.[m.vmi]?.phase === 'Running') m8.targetDied = (m8.targetDied ?? 0) + 1;
          }
          if (final === 'succeeded' && open.get(name) !== 'Running') ran++;
        }
        done.add(name);
      } else {
        if (m.phase === 'Running' && open.get(name) !== 'Running') ran++;
        done.delete(name); // a name used again is another migration
        next.set(name, m.phase ?? '');
      }
    }
    for (const name of done) if (!(name in now)) done.delete(name);
    open = next;
  }
  m8.ran = (m8.ran ?? 0) + ran;
  if (ran > 0) m8.sequences = (m8.sequences ?? 0) + 1;
}

/** The VMs whose own object (VM or standalone VMI) the reference accepted at least once. */
function acceptedVms(steps: readonly StepRecord[], vms: readonly VmEntry[], reference: string): VmEntry[] {
  const accepted = new Set<string>();
  for (const s of steps) {
    if (s.command.kind !== 'apply' || s.results[reference]?.ok !== true) continue;
    const o = s.command.args.object;
    accepted.add(`${o.kind}/${o.metadata.name}`);
  }
  return vms.filter((v) => accepted.has(`${v.kind}/${v.name}`));
}

/** The coverage of one sequence: its steps (setup excluded), its VMs and the reference's rule hits. Public. */
export function sequenceCoverage(steps: readonly StepRecord[], vms: readonly VmEntry[], reference: string, rules?: RuleHits): Coverage {
  const c = emptyCoverage();
  c.sequences = 1;
  for (const s of steps) {
    if (s.command.kind === 'apply' && s.command.args.setup) continue;
    const answer = s.results[reference];
    if (!answer) continue;
    const k = (c.commands[stepKindOf(s.command)] ??= { drawn: 0, accepted: 0, refused: {} });
    k.drawn++;
    const refused = refusalKey(answer);
    if (refused === null) k.accepted++;
    else bump(k.refused, refused);
  }
  countMigrations(steps, reference, c);
  for (const v of acceptedVms(steps, vms, reference)) {
    for (const dim in v.dims) {
      const values = v.dims[dim] as string | readonly string[];
      const counts = (c.spec[dim] ??= {});
      // Each value once per VM (a VM with two pod NICs counts `pod` once); most dimensions hold one value.
      if (typeof values === 'string') bump(counts, values);
      else for (const value of new Set(values)) bump(counts, value);
    }
  }
  if (rules) c.rules = { ...rules };
  return c;
}

/** Adds `b` into `a` (in place) and returns `a`. Public. */
export function mergeCoverage(a: Coverage, b: Coverage): Coverage {
  a.sequences += b.sequences;
  for (const [kind, k] of Object.entries(b.commands)) {
    const t = (a.commands[kind] ??= { drawn: 0, accepted: 0, refused: {} });
    t.drawn += k.drawn;
    t.accepted += k.accepted;
    for (const [r, n] of Object.entries(k.refused)) bump(t.refused, r, n);
  }
  a.migrations.succeeded += b.migrations.succeeded;
  a.migrations.failed += b.migrations.failed;
  a.migrations.aborted += b.migrations.aborted;
  for (const k of ['ran', 'failedInFlight', 'targetDied', 'sequences'] as const) a.migrations[k] = (a.migrations[k] ?? 0) + (b.migrations[k] ?? 0);
  if (b.rules) for (const [id, n] of Object.entries(b.rules)) bump((a.rules ??= {}), id, n);
  for (const [dim, values] of Object.entries(b.spec)) for (const [v, n] of Object.entries(values)) bump((a.spec[dim] ??= {}), v, n);
  return a;
}

/** The percentage of counted sequences with a migration that ran, one decimal (0 when none was counted). Public. */
export function migrationShare(c: Coverage): number {
  return c.sequences === 0 ? 0 : Math.round((1000 * (c.migrations.sequences ?? 0)) / c.sequences) / 10;
}

/** The run's total with its derived figures set (`migrations.sequencesPercent`). Public. */
export function withShares(c: Coverage): Coverage {
  return { ...c, migrations: { ...c.migrations, sequencesPercent: migrationShare(c) } };
}

/**
 * The line the end of a run prints about migrations: how many sequences had
 * one that ran, as a share, and the outcomes. Public, pure.
 */
export function migrationLine(c: Coverage): string {
  const m = c.migrations;
  return (
    `migrations: ${m.sequences ?? 0} of ${c.sequences} generated sequences (${migrationShare(c)} %) with a migration that ran; ` +
    `${m.ran ?? 0} ran, ${m.succeeded} succeeded, ${m.failed} failed (${m.failedInFlight ?? 0} in flight, ${m.targetDied ?? 0} by target death), ${m.aborted} aborted`
  );
}
