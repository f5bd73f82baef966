/**
 * Commands as data (issue "Scenario engine", item 1). Public: a step of a
 * sequence is one `Command`; it is generated, shrunk, recorded in
 * results.json (`StepRecord.command`) and replayed from there, so it is plain
 * JSON. `kind` says which Backend method receives `args`; the table below is
 * the only place that knows.
 */
import type { Backend, Fault, GuestAction, KubeObject, ObjectRef, Result, VmAction } from '../../backends/contract.ts';

export type Command =
  | { kind: 'apply'; args: { object: KubeObject; setup?: boolean } }
  | { kind: 'delete'; args: ObjectRef }
  | { kind: 'vm'; args: VmAction }
  | { kind: 'guest'; args: GuestAction }
  | { kind: 'fault'; args: Fault };

export type CommandKind = Command['kind'];

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

const VERB_TEXT: Record<VmAction['verb'], string> = {
  start: 'start',
  stop: 'stop',
  restart: 'restart',
  migrate: 'migrate',
  pause: 'pause vm',
  unpause: 'unpause vm',
  softReboot: 'soft-reboot',
};

function guestText(g: GuestAction): string {
  switch (g.action) {
    case 'reset':
      return `virtctl reset ${g.vmi}`;
    case 'acpiShutdown':
      return `virsh shutdown ${g.vmi} (ACPI)`;
    case 'writeData':
      return `guest ${g.vmi}: write token ${g.token} to disk ${g.disk}`;
    default:
      return `guest ${g.vmi}: ${g.action}`;
  }
}

const DISPATCH: { [K in CommandKind]: Dispatch<K> } = {
  apply: { apply: (b, a) => b.apply(a.object), text: (a) => `${a.setup ? 'setup: ' : ''}apply ${a.object.kind}/${a.object.metadata.name}${strategyText(a.object)}` },
  delete: { apply: (b, a) => b.delete(a), text: (a) => `delete ${a.kind}/${a.name}` },
  vm: { apply: (b, a) => b.vm(a), text: (a) => `virtctl ${VERB_TEXT[a.verb]} ${a.name}${optionText(a)}` },
  guest: { apply: (b, a) => b.guest(a), text: guestText },
  fault: {
    apply: (b, a) => b.fault(a),
    text: (a) => `fault ${a.fault} ${'vmi' in a ? a.vmi : a.node}`,
  },
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

/** Checks that a recorded `{kind, args}` names a known command (replay input). Internal. */
export function isCommandKind(kind: string): kind is CommandKind {
  return Object.hasOwn(DISPATCH, kind);
}
