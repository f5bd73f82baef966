/**
 * Hand-written scenarios (scenarios/<name>.yaml). Public: the format.
 *
 * ```yaml
 * name: mariadb-prod
 * description: what it shows
 * setup: [fixtures/cluster/default.yaml]   # manifest files applied first (paths from the project root)
 * steps:
 *   - apply: {apiVersion: kubevirt.io/v1, kind: VirtualMachine, ...}   # an inline manifest
 *   - apply: {file: fixtures/vms/mariadb-prod.yaml}                    # every object of a file, one step each
 *   - vm: {verb: stop, name: mariadb-prod, gracePeriod: 0}
 *   - guest: {action: reset, vmi: mariadb-prod}
 *   - delete: {kind: VirtualMachine, name: mariadb-prod}
 *   - fault: {fault: killLauncher, vmi: mariadb-prod}
 * ```
 *
 * Every manifest is validated like `vmconform validate` does; a malformed
 * scenario is a usage error naming file, step and field.
 */
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';
import { formatIssues, KNOWN_KINDS, loadManifestFiles, validateObject, type ValidationIssue } from '../api/index.ts';
import type { KubeKind } from '../api/types.ts';
import { UsageError } from '../contract/index.ts';
import type { Command } from './command.ts';
import { parseInput } from './parseInput.ts';
import { SCENARIOS_DIR } from './suite.ts';

export const PROJECT_ROOT = new URL('../../', import.meta.url).pathname;

const name = z.string().min(1);
const stepSchema = z.union([
  z.strictObject({ apply: z.union([z.strictObject({ file: z.string() }), z.looseObject({ kind: z.string() })]) }),
  z.strictObject({ delete: z.strictObject({ kind: z.enum(KNOWN_KINDS as [KubeKind, ...KubeKind[]]), name }) }),
  z.strictObject({
    vm: z.discriminatedUnion('verb', [
      z.strictObject({ verb: z.literal('start'), name, paused: z.boolean().optional() }),
      z.strictObject({ verb: z.literal('stop'), name, gracePeriod: z.number().int().min(0).optional(), force: z.boolean().optional() }),
      z.strictObject({ verb: z.literal('restart'), name, gracePeriod: z.number().int().min(0).optional(), force: z.boolean().optional() }),
      z.strictObject({ verb: z.enum(['migrate', 'pause', 'unpause', 'softReboot']), name }),
    ]),
  }),
  z.strictObject({
    guest: z.discriminatedUnion('action', [
      z.strictObject({ action: z.enum(['reset', 'acpiShutdown', 'poweroff', 'reboot', 'panic']), vmi: name }),
      z.strictObject({ action: z.literal('writeData'), vmi: name, disk: name, token: name }),
    ]),
  }),
  z.strictObject({
    fault: z.discriminatedUnion('fault', [
      z.strictObject({ fault: z.enum(['killLauncher', 'killMigrationTarget']), vmi: name }),
      z.strictObject({ fault: z.literal('nodeLoss'), node: name }),
    ]),
  }),
]);

const scenarioSchema = z.strictObject({
  name: z.string().regex(/^[a-z0-9-]+$/, 'lower-case letters, digits and dashes'),
  description: z.string().optional(),
  setup: z.array(z.string()).default([]),
  steps: z.array(stepSchema).min(1),
});

/** A loaded hand-written scenario: setup and steps as commands. Public. */
export interface HandwrittenScenario {
  name: string;
  description?: string;
  file: string;
  setup: Command[];
  steps: Command[];
}

function issuesText(list: readonly ValidationIssue[]): string {
  return formatIssues(list);
}

async function loadFiles(paths: string[], at: string): Promise<Command['args'][]> {
  const r = await loadManifestFiles(paths.map((p) => join(PROJECT_ROOT, p)));
  if (!r.ok) throw new UsageError(`${at}: invalid manifest:\n${issuesText(r.issues)}`);
  return r.objects.map((object) => ({ object }));
}

/** Parses and validates one scenario file. Throws UsageError naming file, step and field. Public. */
export async function parseHandwritten(text: string, file: string): Promise<HandwrittenScenario> {
  const s = parseInput(scenarioSchema, text, file);
  const setup: Command[] = (await loadFiles(s.setup, `${file}: setup`)).map((a) => ({ kind: 'apply', args: { ...(a as { object: never }), setup: true } }));
  const steps: Command[] = [];
  for (const [i, step] of s.steps.entries()) {
    const at = `${file}: steps[${i}]`;
    if ('apply' in step) {
      if ('file' in step.apply && typeof step.apply.file === 'string') {
        for (const a of await loadFiles([step.apply.file], at)) steps.push({ kind: 'apply', args: a as { object: never } });
        continue;
      }
      const v = validateObject(step.apply);
      if (!v.ok) throw new UsageError(`${at}.apply: invalid manifest:\n${v.issues.map((x) => `  ${x.path || '(object)'}: ${x.message}`).join('\n')}`);
      steps.push({ kind: 'apply', args: { object: v.object } });
    } else if ('delete' in step) steps.push({ kind: 'delete', args: step.delete });
    else if ('vm' in step) steps.push({ kind: 'vm', args: step.vm });
    else if ('guest' in step) steps.push({ kind: 'guest', args: step.guest });
    else steps.push({ kind: 'fault', args: step.fault });
  }
  const out: HandwrittenScenario = { name: s.name, file, setup, steps };
  if (s.description !== undefined) out.description = s.description;
  return out;
}

/** Names of the hand-written scenarios on disk, sorted. Public. */
export async function handwrittenNames(dir = SCENARIOS_DIR): Promise<string[]> {
  return (await readdir(dir)).filter((f) => f.endsWith('.yaml')).map((f) => f.slice(0, -5)).sort();
}

/** Loads the named scenarios (`all` = every one); unknown name → UsageError listing the valid ones. Public. */
export async function loadHandwritten(names: 'all' | readonly string[], dir = SCENARIOS_DIR): Promise<HandwrittenScenario[]> {
  const known = await handwrittenNames(dir);
  const wanted = names === 'all' ? known : names;
  const out: HandwrittenScenario[] = [];
  for (const n of wanted) {
    if (!known.includes(n)) throw new UsageError(`unknown scenario '${n}' (valid: ${known.join(', ') || 'none'})`);
    const file = join(dir, `${n}.yaml`);
    const s = await parseHandwritten(await readFile(file, 'utf8'), file);
    if (s.name !== n) throw new UsageError(`${file}: name: must be '${n}' (the file name), got '${s.name}'`);
    out.push(s);
  }
  return out;
}

/** Loads scenario files given on the command line; unreadable → UsageError naming the file. Public. */
export async function loadScenarioFiles(files: readonly string[]): Promise<HandwrittenScenario[]> {
  const out: HandwrittenScenario[] = [];
  for (const file of files) {
    let text: string;
    try {
      text = await readFile(file, 'utf8');
    } catch (err) {
      throw new UsageError(`--scenario ${file}: cannot read (${(err as NodeJS.ErrnoException).code ?? 'error'})`);
    }
    out.push(await parseHandwritten(text, file));
  }
  return out;
}
