/**
 * `vmconform get vms|vmis|vmim|vmirs|vmpool [-A] [-o wide] -f FILE...`
 * (R-CLI): loads the manifests as `validate` does (Templates processed with
 * their defaults), applies them in file order to the model backend, settles,
 * and prints the `kubectl get` table of the resource. Without a Node in the
 * manifests the default cluster (fixtures/cluster/default.yaml) is applied
 * first. The table is a function of `backend.list` (harness/observe/tables.ts);
 * AGE is the backend's clock (the model's is virtual) minus an object's
 * creationTimestamp. Exit 0 with the table, 2 for bad flags, bad manifests or an
 * object the cluster rejects. Public.
 */
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { formatIssues, formatWarnings, NOT_SIMULATED, processTemplate, type KubeObject, type ValidationIssue } from '../api/index.ts';
import { loadManifestFile, loadManifestFilesEach } from '../engine/index.ts';
import { createModelBackend } from '../../backends/model/index.ts';
import type { ApiObject } from '../../backends/contract.ts';
import { printTable, RESOURCE_KIND, RESOURCE_NAMES, RESOURCES } from '../observe/tables.ts';
import { EXIT, UsageError, usageErrors } from './exit.ts';

const USAGE = `usage: vmconform get ${RESOURCES.join('|')} [-A] [-o wide] -f FILE [-f FILE]... [--seed N]`;
const DEFAULT_CLUSTER = fileURLToPath(new URL('../../fixtures/cluster/default.yaml', import.meta.url));

/** Templates replaced by their objects (no parameters, `seed`); issues name file and Template. */
function expand(objects: KubeObject[], sources: string[], seed: number, issues: ValidationIssue[]): KubeObject[] {
  const out: KubeObject[] = [];
  objects.forEach((o, i) => {
    if (o.kind !== 'Template') return void out.push(o);
    const t = processTemplate(o, {}, seed);
    if (t.ok) out.push(...t.objects);
    else for (const f of t.issues) issues.push({ source: sources[i]!, document: 0, kind: o.kind, name: o.metadata.name, ...f });
  });
  return out;
}

export async function run(argv: string[]): Promise<number> {
  const { values, positionals } = usageErrors(() =>
    parseArgs({
      args: argv,
      strict: true,
      allowPositionals: true,
      options: {
        file: { type: 'string', short: 'f', multiple: true },
        'all-namespaces': { type: 'boolean', short: 'A', default: false },
        output: { type: 'string', short: 'o' },
        seed: { type: 'string', default: '1' },
        help: { type: 'boolean', short: 'h', default: false },
      },
    }),
  );
  if (values.help) {
    console.log(USAGE);
    return EXIT.ok;
  }
  if (positionals.length !== 1) throw new UsageError(`expected one resource (${RESOURCES.join(', ')}), got ${positionals.length}\n${USAGE}`);
  const resource = RESOURCE_NAMES[positionals[0]!.toLowerCase()];
  if (!resource) throw new UsageError(`unknown resource '${positionals[0]}' (known: ${RESOURCES.join(', ')})`);
  if (values.output !== undefined && values.output !== 'wide') throw new UsageError(`-o: only 'wide' is supported, got '${values.output}'`);
  const files = values.file ?? [];
  if (files.length === 0) throw new UsageError(`at least one -f FILE is required\n${USAGE}`);
  const seed = Number(values.seed);
  if (!Number.isSafeInteger(seed)) throw new UsageError(`--seed: expected an integer, got '${values.seed}'`);

  const issues: ValidationIssue[] = [];
  const loaded: KubeObject[] = [];
  const sources: string[] = [];
  for (const { path: f, result: r } of await loadManifestFilesEach(files)) {
    const unsimulated = r.warnings.filter((w) => w.message.startsWith(NOT_SIMULATED));
    if (unsimulated.length > 0) console.error(formatWarnings(unsimulated));
    if (!r.ok) issues.push(...r.issues);
    else for (const o of r.objects) loaded.push(o), sources.push(f);
  }
  if (issues.length > 0) return fail(issues);
  let objects = expand(loaded, sources, seed, issues);
  if (issues.length > 0) return fail(issues);
  if (!objects.some((o) => o.kind === 'Node')) {
    const cluster = await loadManifestFile(DEFAULT_CLUSTER);
    if (!cluster.ok) return fail(cluster.issues);
    objects = [...cluster.objects, ...objects];
  }

  const backend = createModelBackend({ seed });
  for (const o of objects) {
    const r = await backend.apply(o);
    if (!r.ok) issues.push({ source: 'apply', document: 0, kind: o.kind, name: o.metadata.name, path: '', message: `${r.code}: ${r.message}` });
    await backend.settle(10_000);
  }
  if (issues.length > 0) return fail(issues);
  const rows = await backend.list(RESOURCE_KIND[resource]);
  const created = new Map(rows.map((o) => [resource === 'vmis' ? o.metadata.uid : o.metadata.name, Date.parse(o.metadata.creationTimestamp)]));
  const now = backend.clock();
  const table = printTable((kind) => (kind === RESOURCE_KIND[resource] ? rows : ([] as ApiObject[])), resource, {
    allNamespaces: values['all-namespaces'],
    wide: values.output === 'wide',
    age: (_r, key) => {
      const born = created.get(key);
      return born === undefined ? null : (now - born) / 1000;
    },
  });
  await backend.dispose();
  if (table === null) console.error(values['all-namespaces'] ? 'No resources found' : 'No resources found in default namespace.');
  else console.log(table);
  return EXIT.ok;
}

function fail(issues: readonly ValidationIssue[]): number {
  console.error(formatIssues(issues));
  console.error(`${issues.length} issue(s) found`);
  return EXIT.usage;
}
