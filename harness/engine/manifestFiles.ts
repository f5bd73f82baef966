/**
 * Manifest files: reads them and hands their text to harness/api's loader,
 * which does no I/O (the model imports it). An unreadable file is an issue
 * naming it, not an exception.
 */
import { readFile } from 'node:fs/promises';
import { loadManifestSources, type KubeObject, type LoadOptions, type LoadResult, type ManifestSource, type ValidationIssue } from '../api/index.ts';

async function readSource(path: string): Promise<ManifestSource> {
  try {
    return { source: path, text: await readFile(path, 'utf8') };
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code ?? 'error';
    return { source: path, issue: { source: path, document: 0, path: '', message: `cannot read file (${code})` } };
  }
}

/** Reads and loads each file, one result per file in order; admission sees all of them as the cluster. */
export async function loadManifestFilesEach(paths: readonly string[], options: LoadOptions = {}): Promise<{ path: string; result: LoadResult }[]> {
  const sources = await Promise.all(paths.map(readSource));
  return loadManifestSources(sources, options).map(({ source, result }) => ({ path: source, result }));
}

/** Reads and loads one file. */
export async function loadManifestFile(path: string, options: LoadOptions = {}): Promise<LoadResult> {
  return (await loadManifestFilesEach([path], options))[0]!.result;
}

/** Reads and loads each file into one result; objects keep file order. */
export async function loadManifestFiles(paths: readonly string[], options: LoadOptions = {}): Promise<LoadResult> {
  const objects: KubeObject[] = [];
  const documents: number[] = [];
  const issues: ValidationIssue[] = [];
  const warnings: ValidationIssue[] = [];
  for (const { result: r } of await loadManifestFilesEach(paths, options)) {
    warnings.push(...r.warnings);
    if (r.ok) {
      objects.push(...r.objects);
      documents.push(...r.documents);
    } else issues.push(...r.issues);
  }
  return issues.length > 0 ? { ok: false, issues, warnings } : { ok: true, objects, documents, warnings };
}
