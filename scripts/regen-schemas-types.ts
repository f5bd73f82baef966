/**
 * Generates the TypeScript types of the vendored schemas (harness/api/schemas)
 * with json-schema-to-typescript: harness/api/generated/<kind>.ts, one
 * exported type per kind, named `<Kind>Schema`. Run after
 * scripts/regen-schemas.ts (docs/api.md, "Regenerating the schemas"):
 *
 *   node --import tsx scripts/regen-schemas-types.ts
 *
 * The structural extensions become TypeScript: a free-form object (`metadata`,
 * embedded objects) `object`, `x-kubernetes-preserve-unknown-fields` an open record, `x-kubernetes-int-or-string` a
 * number or string; any other object is closed (the apiserver refuses unknown
 * fields). types.ts checks at compile time that the simulated types are a
 * subset of these (harness/api/typesMatchSchemas.ts).
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { compile, type JSONSchema } from 'json-schema-to-typescript';

type Node = Record<string, unknown>;
const ROOT = new URL('../harness/api/', import.meta.url).pathname;
const OUT = join(ROOT, 'generated');

/**
 * Subtrees several schemas share (the VMI spec in VM, VMIRS, pool; the VM
 * spec in the pool; the domain in the preset; resource requirements, label
 * selectors …) become one named type in shared.ts: JSON text → type name,
 * filled below. Internal.
 */
const SHARED = new Map<string, string>();

/** The schema as json-schema-to-typescript should read it; `self` is the shared type being defined (internal). */
function prepare(s: unknown, self?: string): unknown {
  if (Array.isArray(s)) return s.map((x) => prepare(x));
  if (s === null || typeof s !== 'object') return s;
  const shared = SHARED.get(JSON.stringify(s));
  if (shared !== undefined && shared !== self) return { tsType: shared };
  const n = s as Node;
  const out: Node = {};
  for (const [k, v] of Object.entries(n)) {
    if (k === 'properties') out[k] = Object.fromEntries(Object.entries(v as Node).map(([p, ps]) => [p, prepare(ps)]));
    else if (k.startsWith('x-kubernetes-') || k === 'default' || k === 'format' || k === 'pattern') continue;
    else out[k] = prepare(v);
  }
  if (n['x-kubernetes-int-or-string'] === true) return { anyOf: [{ type: 'integer' }, { type: 'string' }] };
  const freeForm = n.type === 'object' && n.properties === undefined && n.additionalProperties === undefined;
  // A free-form object (metadata, embedded objects) is `object`: any interface is assignable to it.
  if (freeForm) return { tsType: 'object' };
  const open = n['x-kubernetes-preserve-unknown-fields'] === true;
  if (n.type === 'object' || n.properties !== undefined) out.additionalProperties = open ? true : (out.additionalProperties ?? false);
  if (n.nullable === true) delete out.nullable;
  return out;
}

const versions = JSON.parse(readFileSync(join(ROOT, 'schemas/versions.json'), 'utf8')) as { kinds: { kind: string; file: string }[] };
mkdirSync(OUT, { recursive: true });
const read = (file: string) => JSON.parse(readFileSync(join(ROOT, 'schemas', file), 'utf8')) as Node;
const props = (n: Node) => n.properties as Record<string, Node>;
const vmi = props(read('virtualmachineinstance.json')).spec!;
const vm = props(read('virtualmachine.json')).spec!;
/** Names for the subtrees that have one in KubeVirt's Go types; others are named after their field. */
const KNOWN: [string, Node][] = [
  ['DomainSpecSchema', props(vmi).domain!],
  ['VirtualMachineInstanceSpecSchema', vmi],
  ['VirtualMachineSpecSchema', vm],
  ['InstancetypeSpecSchema', props(read('virtualmachineclusterinstancetype.json')).spec!],
  ['PreferenceSpecSchema', props(read('virtualmachineclusterpreference.json')).spec!],
];
for (const [name, node] of KNOWN) SHARED.set(JSON.stringify(node), name);
/** Every other object subtree of at least MIN characters that occurs twice or more is shared too. */
const MIN = 300;
const seen = new Map<string, { count: number; key: string; node: Node }>();
function collect(n: unknown, key: string): void {
  if (n === null || typeof n !== 'object' || Array.isArray(n)) return;
  const node = n as Node;
  const text = JSON.stringify(node);
  if (text.length >= MIN && (node.properties !== undefined || node.items !== undefined)) {
    const e = seen.get(text);
    if (e) e.count++;
    else seen.set(text, { count: 1, key, node });
  }
  for (const [k, v] of Object.entries(props(node) ?? {})) collect(v, k);
  if (node.items !== undefined) collect(node.items, `${key}Item`);
  if (typeof node.additionalProperties === 'object') collect(node.additionalProperties, `${key}Value`);
}
for (const { file } of versions.kinds) collect(read(file), '');
const pascal = (k: string) => {
  const w = k.replace(/[^A-Za-z0-9]+(.)?/g, (_m, c: string | undefined) => (c ?? '').toUpperCase());
  return /^[A-Za-z]/.test(w) ? w.charAt(0).toUpperCase() + w.slice(1) : `Field${w}`;
};
const names = new Set([...KNOWN.map(([n]) => n), ...versions.kinds.map((k) => `${k.kind}Schema`)]);
const sharedTypes: [string, Node][] = [...KNOWN];
for (const [text, e] of seen) {
  if (e.count < 2 || SHARED.has(text)) continue;
  let name = `${pascal(e.key)}Schema`;
  for (let i = 2; names.has(name); i++) name = `${pascal(e.key)}${i}Schema`;
  names.add(name);
  SHARED.set(text, name);
  sharedTypes.push([name, e.node]);
}
const banner = (from: string) => `/* Generated by scripts/regen-schemas-types.ts from ${from}. Do not edit. */`;
const OPTIONS = { additionalProperties: false, strictIndexSignatures: false, format: false, unreachableDefinitions: false } as const;
const sharedTs: string[] = [banner('the subtrees several schemas share')];
for (const [name, node] of sharedTypes) {
  sharedTs.push(await compile({ ...(prepare(node, name) as JSONSchema), title: name }, name, { ...OPTIONS, bannerComment: '' }));
}
writeFileSync(join(OUT, 'shared.ts'), sharedTs.join('\n'));
const index: string[] = [`export type { ${sharedTypes.map(([n]) => n).join(', ')} } from './shared.ts';`];
for (const { kind, file } of versions.kinds) {
  const raw = JSON.parse(readFileSync(join(ROOT, 'schemas', file), 'utf8')) as Node;
  // apiVersion, kind and metadata are every object's, declared or not (as validator.ts reads them).
  const root = { ...raw, properties: { apiVersion: { type: 'string' }, kind: { type: 'string' }, metadata: { type: 'object' }, ...(raw.properties as Node) } };
  const schema = prepare(root) as JSONSchema;
  const used = [...new Set([...JSON.stringify(schema).matchAll(/"tsType":"(\w+Schema)"/g)].map((m) => m[1]!))];
  const ts = await compile({ ...schema, title: `${kind}Schema` }, `${kind}Schema`, { ...OPTIONS, bannerComment: banner(`harness/api/schemas/${file}`) });
  const name = file.replace(/\.json$/, '.ts');
  const imports = used.length > 0 ? `import type { ${used.join(', ')} } from './shared.ts';\n` : '';
  writeFileSync(join(OUT, name), ts.replace(/\*\/\n/, `*/\n${imports}`));
  index.push(`export type { ${kind}Schema } from './${name}';`);
}
writeFileSync(join(OUT, 'index.ts'), `/* Generated by scripts/regen-schemas-types.ts. Do not edit. */\n${index.join('\n')}\n`);
process.stdout.write(`regen-schemas-types: ${versions.kinds.length} kinds written to ${OUT}\n`);
