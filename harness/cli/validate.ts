/**
 * `vmconform validate -f FILE... [--param K=V]... [--seed N]`: loads and
 * validates manifests as a fresh KubeVirt cluster judges them (docs/api.md);
 * Templates are processed (caller parameters, defaults, generated values from
 * the seed) and their objects validated too. Warnings (KubeVirt's, and each
 * field accepted but not simulated) go to stderr after `Warning: `. Exit 0
 * with one line per file, or 2 with every issue. Public.
 */
import { parseArgs } from 'node:util';
import { formatIssues, formatWarnings, NOT_SIMULATED, processTemplate, unsimulatedFields, type ValidationIssue } from '../api/index.ts';
import { loadManifestFilesEach } from '../engine/index.ts';
import { EXIT, UsageError, usageErrors } from './exit.ts';

const USAGE = 'usage: vmconform validate -f FILE [-f FILE]... [--param NAME=VALUE]... [--seed N]';

/** `K=V` pairs → record; a malformed pair is a usage error. Internal. */
function parseParams(pairs: readonly string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const p of pairs) {
    const eq = p.indexOf('=');
    if (eq <= 0) throw new UsageError(`--param: expected NAME=VALUE, got '${p}'`);
    out[p.slice(0, eq)] = p.slice(eq + 1);
  }
  return out;
}

export async function run(argv: string[]): Promise<number> {
  const { values } = usageErrors(() =>
    parseArgs({
      args: argv,
      strict: true,
      allowPositionals: false,
      options: {
        file: { type: 'string', short: 'f', multiple: true },
        param: { type: 'string', short: 'p', multiple: true },
        seed: { type: 'string', default: '1' },
        help: { type: 'boolean', short: 'h', default: false },
      },
    }),
  );
  if (values.help) {
    console.log(USAGE);
    return EXIT.ok;
  }
  const files = values.file ?? [];
  if (files.length === 0) throw new UsageError(`at least one -f FILE is required\n${USAGE}`);
  const seed = Number(values.seed);
  if (!Number.isSafeInteger(seed)) throw new UsageError(`--seed: expected an integer, got '${values.seed}'`);
  const params = parseParams(values.param ?? []);

  const issues: ValidationIssue[] = [];
  const warnings: ValidationIssue[] = [];
  const lines: string[] = [];
  const declared = new Set<string>();
  // One load for all files: admission sees their objects as the cluster (kubectl apply -f A -f B).
  for (const { path: file, result: r } of await loadManifestFilesEach(files)) {
    warnings.push(...r.warnings);
    if (!r.ok) {
      issues.push(...r.issues);
      continue;
    }
    const notes: string[] = [];
    let fileOk = true;
    r.objects.forEach((o, i) => {
      if (o.kind !== 'Template') return;
      const own: Record<string, string> = {};
      for (const p of o.parameters ?? []) {
        declared.add(p.name);
        if (params[p.name] !== undefined) own[p.name] = params[p.name]!;
      }
      const t = processTemplate(o, own, seed);
      const at = { source: file, document: r.documents[i]!, kind: o.kind, name: o.metadata.name };
      if (!t.ok) {
        fileOk = false;
        for (const f of t.issues) issues.push({ ...at, ...f });
        return;
      }
      for (const x of t.objects) {
        for (const p of unsimulatedFields(x)) warnings.push({ ...at, kind: x.kind, name: x.metadata.name, path: p, message: NOT_SIMULATED });
      }
      notes.push(`  Template/${o.metadata.name} → ${t.objects.map((x) => `${x.kind}/${x.metadata.name}`).join(', ')}`);
    });
    if (fileOk) lines.push(`${file}: ${r.objects.length} objects valid`, ...notes);
  }
  for (const name of Object.keys(params)) {
    if (!declared.has(name)) issues.push({ source: '--param', document: 0, path: '', message: `unknown parameter "${name}": no Template in the given files declares it` });
  }
  if (warnings.length > 0) console.error(formatWarnings(warnings));
  if (issues.length > 0) {
    console.error(formatIssues(issues));
    console.error(`${issues.length} issue(s) found`);
    return EXIT.usage;
  }
  console.log(lines.join('\n'));
  return EXIT.ok;
}
