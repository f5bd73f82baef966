/**
 * Commands as data: one zod schema for every place a command comes from or
 * goes to — generation, scenario YAML, `results.json` (`StepRecord.command`),
 * replay. Public. `kind` says which Backend method receives `args`.
 *
 * An applied object is loose here (apiVersion, kind and metadata.name
 * required, the rest kept as given): harness/api validates it against
 * KubeVirt's schemas. To add a command kind or an action, see docs/guide.md.
 */
import { z } from 'zod';
import { faultSchema, guestActionSchema, vmActionSchema } from './actions.ts';

const name = z.string().min(1);

/** The least a Kubernetes object has; everything else is the API layer's to check. */
export interface Manifest {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string };
}

export const manifestSchema: z.ZodType<Manifest> = z.looseObject({
  apiVersion: name,
  kind: name,
  metadata: z.looseObject({ name, namespace: name.optional() }),
});

/** An object named by kind and name, as `kubectl delete KIND NAME`. */
export const objectRefSchema = z.strictObject({ kind: name, name, namespace: name.optional() });

export type ManifestRef = z.infer<typeof objectRefSchema>;

export const commandSchema = z.discriminatedUnion('kind', [
  /** `kubectl apply`; `setup` marks the cluster objects applied before the steps under test. */
  z.strictObject({ kind: z.literal('apply'), args: z.strictObject({ object: manifestSchema, setup: z.boolean().optional() }) }),
  z.strictObject({ kind: z.literal('delete'), args: objectRefSchema }),
  z.strictObject({ kind: z.literal('vm'), args: vmActionSchema }),
  z.strictObject({ kind: z.literal('guest'), args: guestActionSchema }),
  z.strictObject({ kind: z.literal('fault'), args: faultSchema }),
]);

/** A command as it travels: plain JSON. */
export type Command = z.infer<typeof commandSchema>;
export type CommandKind = Command['kind'];

/**
 * A command whose objects and references have been checked by a layer that
 * knows the kinds (harness/api): the same shape with narrower types.
 */
export type CommandWith<Obj, Ref> =
  | Exclude<Command, { kind: 'apply' | 'delete' }>
  | { kind: 'apply'; args: { object: Obj; setup?: boolean } }
  | { kind: 'delete'; args: Ref };

/** A problem with a command, at a field path relative to the command (`args.verb`). */
export interface FieldProblem {
  path: string;
  message: string;
}

/** `['args', 'object', 'spec', 'volumes', 0]` → `args.object.spec.volumes[0]`. */
export function fieldPath(path: readonly PropertyKey[]): string {
  return path.map((p, i) => (typeof p === 'number' ? `[${p}]` : `${i > 0 ? '.' : ''}${String(p)}`)).join('');
}

/** How a discriminator is named in a message. */
const DISCRIMINATOR_NAME: Record<string, string> = { kind: 'command kind', verb: 'verb', action: 'guest action', fault: 'fault' };

function problemOf(issue: z.core.$ZodIssue, raw: unknown): FieldProblem {
  const path = fieldPath(issue.path);
  if (issue.code === 'invalid_union' && 'discriminator' in issue && typeof issue.discriminator === 'string') {
    const given = issue.path.reduce<unknown>((v, k) => (v as Record<PropertyKey, unknown> | undefined)?.[k], raw);
    const options = 'options' in issue && Array.isArray(issue.options) ? ` (expected ${issue.options.map((o) => `'${String(o)}'`).join(' | ')})` : '';
    return { path, message: `unknown ${DISCRIMINATOR_NAME[issue.discriminator] ?? issue.discriminator} '${String(given)}'${options}` };
  }
  return { path, message: issue.message };
}

/** Parses a command from plain JSON or YAML data; problems name field paths. Public. */
export function parseCommand(raw: unknown): { ok: true; command: Command } | { ok: false; problems: FieldProblem[] } {
  const r = commandSchema.safeParse(raw);
  if (r.success) return { ok: true, command: r.data };
  return { ok: false, problems: r.error.issues.map((i) => problemOf(i, raw)) };
}

/** The command kinds, in schema order. */
export const COMMAND_KINDS: readonly CommandKind[] = commandSchema.options.map((o) => o.shape.kind.value);
