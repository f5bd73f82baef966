/**
 * `--require-coverage KEY=N,...` (README, "CLI flags"): minimum counts a run
 * must reach, in the spirit of QuickCheck's `checkCoverage`. A key names one
 * count of results.json `coverage` (coverage.ts); a shortfall fails the run.
 * Public.
 *
 * | key | counts |
 * |---|---|
 * | `<kind>` (`migrate`) | steps of that kind drawn |
 * | `<kind>.accepted`, `<kind>.refused` | of those, accepted / refused by the reference |
 * | `migration.succeeded`, `.failed`, `.aborted` | migrations with that outcome |
 * | `migration.ran`, `.failedInFlight`, `.targetDied` | migrations that really ran; failed after being seen in flight; of those, failed with the VMI still running on its source |
 * | `migration.sequences` | sequences with a migration that ran |
 * | `migration.share` | those as a percentage of the counted sequences (`migration.share=25`) |
 * | `dim.<dimension>.<value>` (`dim.memory.1Gi`) | VMs accepted with that spec value |
 * | `rule.<id>` (`rule.R-G2`) | times the rule fired (a backend that reports rule hits) |
 */
import { UsageError } from '../contract/index.ts';
import { CHOICE_KINDS } from './catalogue.ts';
import { migrationShare } from './coverage.ts';
import type { Coverage } from './runResults.ts';
import { SPEC_DIMENSIONS } from './specSpace.ts';
import { BOOT_SOURCES, BUILDS, EXTRA_DISKS, NETWORKS } from './suite.ts';

const FLAG = '--require-coverage';

/** Requirement key → minimum count. Public. */
export type CoverageRequirements = Record<string, number>;

/** Every dimension the coverage counts (VmEntry.dims), with its values. */
const COUNTED_DIMENSIONS: Record<string, readonly string[]> = {
  kind: ['VirtualMachine', 'VirtualMachineInstance'],
  build: BUILDS,
  boot: BOOT_SOURCES,
  storage: ['shared', 'local'],
  network: [...NETWORKS, 'none'],
  extraDisk: EXTRA_DISKS,
  vcpus: ['1', '2', '3', '4'],
  preference: ['yes', 'no'],
  mac: ['spec', 'generated'],
  serial: ['set', 'unset'],
  ...SPEC_DIMENSIONS,
};

const OUTCOMES = ['succeeded', 'failed', 'aborted', 'ran', 'failedInFlight', 'targetDied', 'sequences'] as const;
const ANSWERS = { accepted: true, refused: true } as const;

/** How a key reads its count, and the unit its shortfall is said in. */
type Reader = { count(c: Coverage): number; unit: string };

const sum = (m: Record<string, number> | undefined) => Object.values(m ?? {}).reduce((a, b) => a + b, 0);

/** Resolves one key, or says what is wrong with it. */
function reader(key: string): Reader | string {
  const [head = '', ...rest] = key.split('.');
  const tail = rest.join('.');
  if (head === 'migration') {
    if (tail === 'share') return { count: migrationShare, unit: '% of sequences with a migration that ran' };
    if (!(OUTCOMES as readonly string[]).includes(tail)) return `expected migration.${OUTCOMES.join('|')}|share`;
    return { count: (c) => c.migrations[tail as (typeof OUTCOMES)[number]] ?? 0, unit: tail === 'sequences' ? 'sequences' : 'migrations' };
  }
  if (head === 'dim') {
    const dot = tail.indexOf('.');
    const dim = dot < 0 ? tail : tail.slice(0, dot);
    const value = dot < 0 ? '' : tail.slice(dot + 1);
    const values = COUNTED_DIMENSIONS[dim];
    if (!values) return `unknown dimension '${dim}' (expected dim.<dimension>.<value>, dimensions: ${Object.keys(COUNTED_DIMENSIONS).join(', ')})`;
    if (!values.includes(value)) return `unknown value '${value}' of dimension ${dim} (expected one of ${values.join(', ')})`;
    return { count: (c) => c.spec[dim]?.[value] ?? 0, unit: 'VMs' };
  }
  if (head === 'rule') {
    if (!/^[A-Za-z0-9_-]+(\.[A-Za-z0-9_-]+)*$/.test(tail)) return 'expected rule.<id>, e.g. rule.R-G2';
    return { count: (c) => c.rules?.[tail] ?? 0, unit: 'hits' };
  }
  if (!(CHOICE_KINDS as readonly string[]).includes(head)) {
    return `unknown command kind '${head}' (expected one of ${CHOICE_KINDS.join(', ')}, or migration.<outcome>, dim.<dimension>.<value>, rule.<id>)`;
  }
  if (tail === '') return { count: (c) => c.commands[head]?.drawn ?? 0, unit: 'drawn' };
  if (!(tail in ANSWERS)) return `expected ${head}, ${head}.accepted or ${head}.refused`;
  return tail === 'accepted'
    ? { count: (c) => c.commands[head]?.accepted ?? 0, unit: 'accepted' }
    : { count: (c) => sum(c.commands[head]?.refused), unit: 'refused' };
}

/** Parses the flag's values (comma lists, the flag repeatable); UsageError naming the flag and the item. Public. */
export function parseRequirements(texts: readonly string[]): CoverageRequirements {
  const out: CoverageRequirements = {};
  for (const item of texts.flatMap((t) => t.split(',')).map((t) => t.trim())) {
    const m = /^([^=\s]+)=(\d+)$/.exec(item);
    if (!m) throw new UsageError(`${FLAG}: expected KEY=N (N a whole number), got '${item}'`);
    const [, key = '', n = '0'] = m;
    const r = reader(key);
    if (typeof r === 'string') throw new UsageError(`${FLAG}: '${item}': ${r}`);
    out[key] = Number(n);
  }
  return out;
}

/** The requirements a coverage does not meet, one sentence each (empty: all met). Public. */
export function shortfalls(c: Coverage, required: CoverageRequirements): string[] {
  const out: string[] = [];
  for (const [key, min] of Object.entries(required)) {
    const r = reader(key) as Reader;
    const n = r.count(c);
    if (n >= min) continue;
    const why = key.startsWith('rule.') && c.rules === undefined ? ' (the reference backend reports no rule hits)' : '';
    out.push(`${key}: ${n} ${r.unit}, at least ${min} required${why}`);
  }
  return out;
}
