/**
 * Regenerates the vendored API schemas in harness/api/schemas/ from checkouts
 * of the projects that publish them (docs/api.md, "Regenerating the schemas"):
 *
 *   node --import tsx scripts/regen-schemas.ts \
 *     --kubevirt DIR --kubevirt-version v1.9.0 \
 *     --cdi DIR --cdi-version v1.66.0 \
 *     --nad DIR --nad-version v1.7.7
 *
 * Each DIR is a checkout (work tree) of the given tag. Read from it:
 * - KubeVirt: pkg/virt-operator/resource/generate/components/validations_generated.go
 *   (the `openAPIV3Schema` of every CRD virt-operator installs) and
 *   staging/src/kubevirt.io/api/core/v1/register.go (the deprecation warning of v1alpha3);
 * - CDI: pkg/operator/resources/crds_generated.go (whole CRDs);
 * - Multus NAD: artifacts/networks-crd.yaml.
 * The Template schema (template.openshift.io/v1) is not published as a CRD:
 * it is derived by hand from openshift/api template/v1/types.go and written
 * from TEMPLATE_SCHEMA below.
 *
 * Descriptions are stripped (the files shrink about tenfold); nothing else is
 * changed. Output: one minified JSON per kind and versions.json (pins, served
 * versions, deprecation warnings). Then the TypeScript types are regenerated:
 * harness/api/generated/*.ts (scripts/regen-schemas-types.ts).
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse, parseAllDocuments } from 'yaml';

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };

const OUT = new URL('../harness/api/schemas/', import.meta.url).pathname;

function arg(name: string): string {
  const i = process.argv.indexOf(`--${name}`);
  const v = i >= 0 ? process.argv[i + 1] : undefined;
  if (v === undefined) {
    process.stderr.write(`regen-schemas: missing --${name}\n`);
    process.exit(2);
  }
  return v;
}

/** Drops every `description` (schema keyword, not a property named so). */
function strip(s: Json): Json {
  if (Array.isArray(s)) return s.map(strip);
  if (s === null || typeof s !== 'object') return s;
  const out: { [k: string]: Json } = {};
  for (const [k, v] of Object.entries(s)) {
    if (k === 'description' && typeof v === 'string') continue;
    if (k === 'properties' && v !== null && typeof v === 'object' && !Array.isArray(v)) {
      out[k] = Object.fromEntries(Object.entries(v).map(([p, ps]) => [p, strip(ps)]));
    } else out[k] = strip(v);
  }
  return out;
}

/** The Go map literal of raw strings `"key": \`yaml\`,` → key → text. */
function goRawStrings(text: string): Map<string, string> {
  const out = new Map<string, string>();
  const re = /^\t"([a-z0-9-]+)": `([\s\S]*?)`,$/gm;
  for (const m of text.matchAll(re)) out.set(m[1]!, m[2]!);
  return out;
}

interface Entry {
  group: string;
  kind: string;
  versions: { name: string; served: boolean; deprecationWarning?: string }[];
  file: string;
}

const entries: Entry[] = [];
mkdirSync(OUT, { recursive: true });

function write(file: string, schema: Json): void {
  writeFileSync(join(OUT, file), `${JSON.stringify(strip(schema))}\n`);
}

// KubeVirt -------------------------------------------------------------------
const kvDir = arg('kubevirt');
const kvVersion = arg('kubevirt-version');
const kvText = readFileSync(join(kvDir, 'pkg/virt-operator/resource/generate/components/validations_generated.go'), 'utf8');
const kv = goRawStrings(kvText);
const register = readFileSync(join(kvDir, 'staging/src/kubevirt.io/api/core/v1/register.go'), 'utf8');
const v1alpha3Warning = /Name:\s+"v1alpha3",[\s\S]*?DeprecationWarning:\s+pointer\.\w+\("([^"]+)"\)/.exec(register)?.[1];
if (v1alpha3Warning === undefined) throw new Error('register.go: no v1alpha3 deprecation warning found');
const core = [
  { name: 'v1', served: true },
  { name: 'v1alpha3', served: true, deprecationWarning: v1alpha3Warning },
];
// Served versions per CRD as pkg/virt-operator/resource/generate/components/crds.go declares them.
const KUBEVIRT: { key: string; group: string; kind: string; versions: Entry['versions'] }[] = [
  { key: 'virtualmachine', group: 'kubevirt.io', kind: 'VirtualMachine', versions: core },
  { key: 'virtualmachineinstance', group: 'kubevirt.io', kind: 'VirtualMachineInstance', versions: core },
  { key: 'virtualmachineinstancemigration', group: 'kubevirt.io', kind: 'VirtualMachineInstanceMigration', versions: core },
  { key: 'virtualmachineinstancereplicaset', group: 'kubevirt.io', kind: 'VirtualMachineInstanceReplicaSet', versions: core },
  {
    key: 'virtualmachineinstancepreset',
    group: 'kubevirt.io',
    kind: 'VirtualMachineInstancePreset',
    versions: [
      { name: 'v1', served: true, deprecationWarning: 'kubevirt.io/v1 VirtualMachineInstancePresets is now deprecated and will be removed in v2.' },
      { name: 'v1alpha3', served: true, deprecationWarning: 'kubevirt.io/v1alpha3 VirtualMachineInstancePresets is now deprecated and will be removed in v2.' },
    ],
  },
  { key: 'virtualmachinepool', group: 'pool.kubevirt.io', kind: 'VirtualMachinePool', versions: [{ name: 'v1beta1', served: true }, { name: 'v1alpha1', served: true }] },
  { key: 'virtualmachineinstancetype', group: 'instancetype.kubevirt.io', kind: 'VirtualMachineInstancetype', versions: [{ name: 'v1beta1', served: true }] },
  { key: 'virtualmachineclusterinstancetype', group: 'instancetype.kubevirt.io', kind: 'VirtualMachineClusterInstancetype', versions: [{ name: 'v1beta1', served: true }] },
  { key: 'virtualmachinepreference', group: 'instancetype.kubevirt.io', kind: 'VirtualMachinePreference', versions: [{ name: 'v1beta1', served: true }] },
  { key: 'virtualmachineclusterpreference', group: 'instancetype.kubevirt.io', kind: 'VirtualMachineClusterPreference', versions: [{ name: 'v1beta1', served: true }] },
  { key: 'migrationpolicy', group: 'migrations.kubevirt.io', kind: 'MigrationPolicy', versions: [{ name: 'v1alpha1', served: true }] },
];
for (const k of KUBEVIRT) {
  const text = kv.get(k.key);
  if (text === undefined) throw new Error(`validations_generated.go: no schema "${k.key}"`);
  const schema = (parse(text) as { openAPIV3Schema: Json }).openAPIV3Schema;
  const file = `${k.key}.json`;
  write(file, schema);
  entries.push({ group: k.group, kind: k.kind, versions: k.versions, file });
}

// CDI ------------------------------------------------------------------------
const cdiDir = arg('cdi');
const cdiVersion = arg('cdi-version');
const cdi = goRawStrings(readFileSync(join(cdiDir, 'pkg/operator/resources/crds_generated.go'), 'utf8'));
interface Crd {
  spec: {
    group: string;
    names: { kind: string };
    versions: { name: string; served: boolean; deprecationWarning?: string; schema: { openAPIV3Schema: Json } }[];
  };
}
function fromCrd(crd: Crd, file: string): void {
  const served = crd.spec.versions.filter((v) => v.served);
  const storage = served[served.length - 1];
  if (storage === undefined) throw new Error(`${crd.spec.names.kind}: no served version`);
  write(file, storage.schema.openAPIV3Schema);
  entries.push({
    group: crd.spec.group,
    kind: crd.spec.names.kind,
    versions: served.map((v) => ({ name: v.name, served: true, ...(v.deprecationWarning ? { deprecationWarning: v.deprecationWarning } : {}) })),
    file,
  });
}
for (const key of ['datavolume', 'datasource']) {
  const text = cdi.get(key);
  if (text === undefined) throw new Error(`crds_generated.go: no CRD "${key}"`);
  fromCrd(parse(text) as Crd, `${key}.json`);
}

// NetworkAttachmentDefinition ------------------------------------------------------
const nadDir = arg('nad');
const nadVersion = arg('nad-version');
for (const doc of parseAllDocuments(readFileSync(join(nadDir, 'artifacts/networks-crd.yaml'), 'utf8'))) {
  const crd = doc.toJS() as Crd | null;
  if (crd?.spec?.names?.kind === 'NetworkAttachmentDefinition') fromCrd(crd, 'networkattachmentdefinition.json');
}

// Template (openshift/api template/v1/types.go: Template, Parameter) -------------------
const TEMPLATE_SCHEMA: Json = {
  type: 'object',
  required: ['objects'],
  properties: {
    apiVersion: { type: 'string' },
    kind: { type: 'string' },
    metadata: { type: 'object' },
    message: { type: 'string' },
    // []runtime.RawExtension: any object, checked only once processed (oc process).
    objects: { type: 'array', items: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true } },
    parameters: {
      type: 'array',
      items: {
        type: 'object',
        required: ['name'],
        properties: {
          name: { type: 'string' },
          displayName: { type: 'string' },
          description: { type: 'string' },
          value: { type: 'string' },
          generate: { type: 'string' },
          from: { type: 'string' },
          required: { type: 'boolean' },
        },
      },
    },
    labels: { type: 'object', additionalProperties: { type: 'string' } },
  },
};
write('template.json', TEMPLATE_SCHEMA);
entries.push({ group: 'template.openshift.io', kind: 'Template', versions: [{ name: 'v1', served: true }], file: 'template.json' });

const versions = {
  sources: {
    kubevirt: { repo: 'github.com/kubevirt/kubevirt', tag: kvVersion, path: 'pkg/virt-operator/resource/generate/components/validations_generated.go', license: 'Apache-2.0' },
    cdi: { repo: 'github.com/kubevirt/containerized-data-importer', tag: cdiVersion, path: 'pkg/operator/resources/crds_generated.go', license: 'Apache-2.0' },
    nad: { repo: 'github.com/k8snetworkplumbingwg/network-attachment-definition-client', tag: nadVersion, path: 'artifacts/networks-crd.yaml', license: 'Apache-2.0' },
    template: { repo: 'github.com/openshift/api', path: 'template/v1/types.go', note: 'no CRD published: derived by hand (scripts/regen-schemas.ts TEMPLATE_SCHEMA)', license: 'Apache-2.0' },
  },
  kinds: entries,
};
writeFileSync(join(OUT, 'versions.json'), `${JSON.stringify(versions, null, 2)}\n`);
// The validator imports the schemas as modules, so that loading them is no file
// I/O of its own (the model, which admits objects, imports no I/O module).
const ident = (file: string): string => file.replace(/\.json$/, '');
writeFileSync(
  join(OUT, 'index.ts'),
  [
    '// Generated by scripts/regen-schemas.ts: do not edit.',
    "import versions from './versions.json' with { type: 'json' };",
    ...entries.map((e) => `import ${ident(e.file)} from './${e.file}' with { type: 'json' };`),
    '',
    'export const VERSIONS: unknown = versions;',
    `export const SCHEMA_FILES: Readonly<Record<string, unknown>> = { ${entries.map((e) => `'${e.file}': ${ident(e.file)}`).join(', ')} };`,
    '',
  ].join('\n'),
);
process.stdout.write(`regen-schemas: ${entries.length} kinds written to ${OUT}\n`);
