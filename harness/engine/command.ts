/**
 * Commands as the engine runs them. Public. The vocabulary is the contract's
 * one zod schema (harness/contract/command.ts); here a command's object and
 * reference are checked against the kinds harness/api knows (`checkCommand`),
 * and the dispatch table says which Backend method receives `args` and how
 * the step reads in a report. A step is plain JSON: generated, shrunk,
 * recorded in results.json (`StepRecord.command`) and replayed from there.
 */
import type { Backend, KubeObject, ObjectRef, Result } from '../../backends/contract.ts';
import { KNOWN_KINDS, validateObject, type KubeKind } from '../api/index.ts';
import { parseCommand, type CommandKind, type CommandWith, type FieldProblem, type GuestAction, type VmAction, type VmVerb } from '../contract/index.ts';

/** A command whose object is a validated KubeObject and whose reference names a known kind. */
export type Command = CommandWith<KubeObject, ObjectRef>;
export type { CommandKind };

type Of<K extends CommandKind> = Extract<Command, { kind: K }>['args'];

interface Dispatch<K extends CommandKind> {
  apply(b: Backend, args: Of<K>): Promise<Result>;
  text(args: Of<K>): string;
}

function optionText(a: VmAction): string {
  const o: string[] = [];
  if ('gracePeriod' in a && a.gracePeriod !== undefined) o.push(`--grace-period=${a.gracePeriod}`);
  if ('force' in a && a.force) o.push('--force');
  if ('paused' in a && a.paused) o.push('--paused');
  return o.length ? ` ${o.join(' ')}` : '';
}

/** VMs show their run strategy: a re-apply is usually a strategy switch. */
function strategyText(o: KubeObject): string {
  if (o.kind !== 'VirtualMachine') return '';
  if (o.spec.runStrategy !== undefined) return ` (runStrategy ${o.spec.runStrategy})`;
  return o.spec.running !== undefined ? ` (running: ${o.spec.running})` : '';
}

/** virtctl words where they are not the verb in kebab case (`softReboot` → `soft-reboot`). */
const VERB_TEXT: Partial<Record<VmVerb, string>> = { pause: 'pause vm', unpause: 'unpause vm' };

const kebab = (s: string) => s.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);

/** Guest actions whose text is not `guest <vmi>: <action>`. */
const GUEST_TEXT: { [A in GuestAction['action']]?: (g: Extract<GuestAction, { action: A }>) => string } = {
  reset: (g) => `virtctl reset ${g.vmi}`,
  acpiShutdown: (g) => `virsh shutdown ${g.vmi} (ACPI)`,
  writeData: (g) => `guest ${g.vmi}: write token ${g.token} to disk ${g.disk}`,
};

function guestText(g: GuestAction): string {
  const special = GUEST_TEXT[g.action] as ((g: GuestAction) => string) | undefined;
  return special ? special(g) : `guest ${g.vmi}: ${g.action}`;
}

const DISPATCH: { [K in CommandKind]: Dispatch<K> } = {
  apply: { apply: (b, a) => b.apply(a.object), text: (a) => `${a.setup ? 'setup: ' : ''}apply ${a.object.kind}/${a.object.metadata.name}${strategyText(a.object)}` },
  delete: { apply: (b, a) => b.delete(a), text: (a) => `delete ${a.kind}/${a.name}` },
  vm: { apply: (b, a) => b.vm(a), text: (a) => `virtctl ${VERB_TEXT[a.verb] ?? kebab(a.verb)} ${a.name}${optionText(a)}` },
  guest: { apply: (b, a) => b.guest(a), text: guestText },
  fault: { apply: (b, a) => b.fault(a), text: (a) => `fault ${a.fault} ${'vmi' in a ? a.vmi : a.node}` },
};

/** Sends a command to a backend. Public. */
export function applyCommand(backend: Backend, cmd: Command): Promise<Result> {
  const d = DISPATCH[cmd.kind] as Dispatch<CommandKind>;
  return d.apply(backend, cmd.args as never);
}

/** One-line human form, like the kubectl / virtctl / virsh command it stands for. Public. */
export function commandText(cmd: Command): string {
  const d = DISPATCH[cmd.kind] as Dispatch<CommandKind>;
  return d.text(cmd.args as never);
}

const isKnownKind = (k: string): k is KubeKind => (KNOWN_KINDS as readonly string[]).includes(k);

/**
 * Parses a command from data (scenario YAML, results.json) and checks it
 * against the API: an applied object is validated like `vmconform validate`
 * does, a deleted kind must be known. Problems name field paths relative to
 * the command (`args.object.spec.running`). Public.
 */
export function checkCommand(raw: unknown): { ok: true; command: Command } | { ok: false; problems: FieldProblem[] } {
  const parsed = parseCommand(raw);
  if (!parsed.ok) return parsed;
  const c = parsed.command;
  if (c.kind === 'delete') {
    if (isKnownKind(c.args.kind)) return { ok: true, command: { kind: 'delete', args: { ...c.args, kind: c.args.kind } } };
    return { ok: false, problems: [{ path: 'args.kind', message: `unknown kind '${c.args.kind}' (expected one of ${KNOWN_KINDS.join(', ')})` }] };
  }
  if (c.kind !== 'apply') return { ok: true, command: c };
  const v = validateObject(c.args.object);
  if (!v.ok) return { ok: false, problems: v.issues.map((i) => ({ path: `args.object${i.path ? `.${i.path}` : ''}`, message: i.message })) };
  return { ok: true, command: { kind: 'apply', args: { ...c.args, object: v.object } } };
}

/** Problems as indented lines under a heading `at` (a file and step). */
export function problemsText(at: string, problems: readonly FieldProblem[]): string {
  if (problems.length === 1) return `${at}.${(problems[0] as FieldProblem).path}: ${(problems[0] as FieldProblem).message}`;
  return `${at}:\n${problems.map((p) => `  ${p.path || '(command)'}: ${p.message}`).join('\n')}`;
}
