/**
 * Suites (docs/harness-choices.md §8). Public: the format of
 * `scenarios/suites/<name>.yaml`, validated with zod so that a bad suite file
 * is a usage error naming the field.
 *
 * A suite says how many sequences to generate, how long they are, the time
 * budgets, and which part of the command catalogue and of the VM spec space
 * generation draws from; `scenarios` names the hand-written scenarios
 * (scenarios/*.yaml) that run before the generated sequences.
 */
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';
import { UsageError } from '../contract/index.ts';
import { CHOICE_KINDS } from './catalogue.ts';
import { BUILDS } from './vmEntry.ts';
import { parseInput } from './parseInput.ts';
import { simplestFirst, SPEC_DIMENSION_NAMES, SPEC_DIMENSIONS, type SpecChoice, type SpecDimension } from './specSpace.ts';

export { CHOICE_KINDS, type ChoiceKind } from './catalogue.ts';

export const BOOT_SOURCES = ['containerDisk', 'pvc', 'dataVolume', 'iso', 'kernel'] as const;
export type BootSource = (typeof BOOT_SOURCES)[number];

export const NETWORKS = ['pod', 'multus', 'sriov'] as const;
export type NetworkKind = (typeof NETWORKS)[number];

export { BUILDS, type BuildWay } from './vmEntry.ts';

export const EXTRA_DISKS = ['emptyDisk', 'pvc', 'cloudInit', 'configMap', 'secret', 'serviceAccount'] as const;
export type ExtraDisk = (typeof EXTRA_DISKS)[number];

const nonEmpty = <T extends readonly [string, ...string[]]>(values: T) => z.array(z.enum(values)).min(1);

/** A dimension's values as YAML writes them: `grace: [0, 1, unset]` reads as strings. */
const specValues = <T extends readonly [string, ...string[]]>(values: T) =>
  z.array(z.preprocess((v) => (typeof v === 'number' ? String(v) : v), z.enum(values))).min(1);

/**
 * `spec:` of a suite: per dimension of the VM spec space (specSpace.ts) the
 * values drawn; a dimension left out stays at its first (simplest) value.
 */
const specSchema = z
  .strictObject(Object.fromEntries(SPEC_DIMENSION_NAMES.map((d) => [d, specValues(SPEC_DIMENSIONS[d]).optional()])) as unknown as Record<SpecDimension, z.ZodOptional<z.ZodArray<z.ZodType<string>>>>)
  .default({})
  .transform((given): SpecChoice => {
    const out = {} as Record<SpecDimension, readonly string[]>;
    for (const d of SPEC_DIMENSION_NAMES) out[d] = simplestFirst(d, (given[d] ?? [SPEC_DIMENSIONS[d][0]]) as never);
    return out as SpecChoice;
  });

export const suiteSchema = z.strictObject({
  name: z.string().regex(/^[a-z0-9-]+$/, 'lower-case letters, digits and dashes'),
  description: z.string().optional(),
  runs: z.number().int().min(0),
  maxSteps: z.number().int().min(1).max(200),
  /**
   * Fewest choices a scenario draws (at most maxSteps). A run stops at its
   * first difference, so a counterexample can still be shorter; shrinking
   * keeps the floor only for the choices a passing run would use.
   */
  minSteps: z.number().int().min(1).max(200).default(1),
  budgetSeconds: z.number().positive().optional(),
  shrinkBudgetSeconds: z.number().positive().optional(),
  /** Settle budget per step and backend. */
  settleBudgetMs: z.number().int().positive().default(120_000),
  maxNodes: z.number().int().min(1).max(3).default(3),
  maxVms: z.number().int().min(1).max(3).default(3),
  /** Standalone VMIs besides VMs. */
  standalone: z.boolean().default(true),
  commands: nonEmpty(CHOICE_KINDS),
  bootSources: nonEmpty(BOOT_SOURCES),
  networks: z.array(z.enum(NETWORKS)).default(['pod']),
  builds: nonEmpty(BUILDS),
  extraDisks: z.array(z.enum(EXTRA_DISKS)).default([]),
  /** The VM spec space drawn (specSpace.ts): dimension → values. */
  spec: specSchema,
  /** Hand-written scenarios (scenarios/<name>.yaml) run first; `all` = every one. */
  scenarios: z.union([z.literal('all'), z.array(z.string())]).default([]),
}).superRefine((s, ctx) => {
  if (s.minSteps > s.maxSteps) ctx.addIssue({ code: 'custom', path: ['minSteps'], message: `must be at most maxSteps (${s.maxSteps}), got ${s.minSteps}` });
});

/** A validated suite. Public. */
export type Suite = z.infer<typeof suiteSchema>;

/** Where suites and hand-written scenarios live, relative to the project root. */
export const SCENARIOS_DIR = new URL('../../scenarios/', import.meta.url).pathname;
export const SUITES_DIR = join(SCENARIOS_DIR, 'suites');

/** Names of the suites on disk, sorted. Public. */
export async function suiteNames(dir = SUITES_DIR): Promise<string[]> {
  const files = await readdir(dir);
  return files
    .filter((f) => f.endsWith('.yaml'))
    .map((f) => f.slice(0, -'.yaml'.length))
    .sort();
}

/** Parses a suite document; throws UsageError naming the file and field. Public. */
export function parseSuite(text: string, source: string): Suite {
  return parseInput(suiteSchema, text, source);
}

/** Loads suite `name`; unknown name → UsageError listing the valid ones. Public. */
export async function loadSuite(name: string, dir = SUITES_DIR): Promise<Suite> {
  const names = await suiteNames(dir);
  if (!names.includes(name)) {
    throw new UsageError(`unknown suite '${name}' (valid: ${names.join(', ')})`);
  }
  const file = join(dir, `${name}.yaml`);
  const suite = parseSuite(await readFile(file, 'utf8'), file);
  if (suite.name !== name) throw new UsageError(`${file}: name: must be '${name}' (the file name), got '${suite.name}'`);
  return suite;
}
