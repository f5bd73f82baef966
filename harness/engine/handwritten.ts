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
 *   - fault: {fault: drainNode, node: node01}
 * ```
 *
 * A step is one command of the contract (harness/contract/command.ts): its
 * key is the command kind, its value the command's args. Every manifest is
 * validated like `vmconform validate` does; a malformed scenario is a usage
 * error naming file, step and field (`steps[2].vm.gracePeriod: …`).
 */
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';
import { formatIssues, type KubeObject, type ValidationIssue } from '../api/index.ts';
import { loadManifestFiles } from './manifestFiles.ts';
import { COMMAND_KINDS, UsageError, type CommandKind, type FieldProblem } from '../contract/index.ts';
import { checkCommand, problemsText, type Command } from './command.ts';
import { parseInput } from './parseInput.ts';
import { SCENARIOS_DIR } from './suite.ts';

export const PROJECT_ROOT = new URL('../../', import.meta.url).pathname;

/** A step is a mapping with one key, the command kind; its value is the command's args (for `apply`, the object or `{file}`). */
const stepSchema = z
  .partialRecord(z.enum(COMMAND_KINDS as [CommandKind, ...CommandKind[]]), z.unknown())
  .refine((step) => Object.keys(step).length === 1, { message: `a step has exactly one of ${COMMAND_KINDS.join(', ')}` });

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

function isFileRef(v: unknown): v is { file: string } {
  return typeof v === 'object' && v !== null && Object.keys(v).length === 1 && typeof (v as { file?: unknown }).file === 'string';
}

/** Command problems at YAML paths: `args.object.x` is `apply.x`, `args.x` is `<kind>.x`. */
function stepProblems(at: string, kind: CommandKind, problems: readonly FieldProblem[]): string {
  const yamlPath = (p: string) => p.replace(kind === 'apply' ? /^args\.object/ : /^args/, kind);
  if (kind === 'apply') return `${at}.apply: invalid manifest:\n${problems.map((p) => `  ${yamlPath(p.path).replace(/^apply\.?/, '') || '(object)'}: ${p.message}`).join('\n')}`;
  return problemsText(at, problems.map((p) => ({ ...p, path: yamlPath(p.path) })));
}

async function loadFiles(paths: string[], at: string): Promise<{ object: KubeObject }[]> {
  const r = await loadManifestFiles(paths.map((p) => join(PROJECT_ROOT, p)));
  if (!r.ok) throw new UsageError(`${at}: invalid manifest:\n${issuesText(r.issues)}`);
  return r.objects.map((object) => ({ object }));
}

/** Parses and validates one scenario file. Throws UsageError naming file, step and field. Public. */
export async function parseHandwritten(text: string, file: string): Promise<HandwrittenScenario> {
  const s = parseInput(scenarioSchema, text, file);
  const setup: Command[] = (await loadFiles(s.setup, `${file}: setup`)).map((a) => ({ kind: 'apply', args: { ...a, setup: true } }));
  const steps: Command[] = [];
  for (const [i, step] of s.steps.entries()) {
    const [kind, value] = Object.entries(step)[0] as [CommandKind, unknown];
    const at = `${file}: steps[${i}]`;
    if (kind === 'apply' && isFileRef(value)) {
      for (const a of await loadFiles([value.file], at)) steps.push({ kind: 'apply', args: a });
      continue;
    }
    const checked = checkCommand(kind === 'apply' ? { kind, args: { object: value } } : { kind, args: value });
    if (!checked.ok) throw new UsageError(stepProblems(at, kind, checked.problems));
    steps.push(checked.command);
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
