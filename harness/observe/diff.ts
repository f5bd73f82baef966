/**
 * Structural diff of canonical observations.
 * Public. Lists every differing leaf path (a missing key on one side is one
 * entry at that key), in a deterministic order: object keys sorted, arrays by
 * index. Paths read like `vmis.mariadb-prod.phase` or
 * `vmis.db.interfaces[0].mac`; a key that is not a plain word is quoted:
 * `pvcs["data.v1"].phase`.
 */
import type { DiffEntry } from './types.ts';

const PLAIN_KEY = /^[A-Za-z0-9_-]+$/;

/** Appends an object key to a JSON path. Internal. */
export function joinPath(base: string, key: string): string {
  const part = PLAIN_KEY.test(key) ? key : `[${JSON.stringify(key)}]`;
  if (base === '') return part;
  return part.startsWith('[') ? `${base}${part}` : `${base}.${part}`;
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function walk(path: string, a: unknown, b: unknown, backend: string, out: DiffEntry[]): void {
  if (Object.is(a, b)) return;
  if (Array.isArray(a) && Array.isArray(b)) {
    const n = Math.max(a.length, b.length);
    for (let i = 0; i < n; i++) walk(`${path}[${i}]`, a[i], b[i], backend, out);
    return;
  }
  if (isRecord(a) && isRecord(b)) {
    const keys = [...new Set([...Object.keys(a), ...Object.keys(b)])].sort();
    for (const k of keys) walk(joinPath(path, k), a[k], b[k], backend, out);
    return;
  }
  out.push({ path: path === '' ? '$' : path, expected: a, actual: b, backend });
}

/** Every path where `actual` (observed on `backend`) differs from `expected`. Public. */
export function diffValues(expected: unknown, actual: unknown, backend: string, base = ''): DiffEntry[] {
  const out: DiffEntry[] = [];
  walk(base, expected, actual, backend, out);
  return out;
}

/** Deep equality of JSON values without building paths: the fast check before a diff. Public. */
export function deepEqual(a: unknown, b: unknown): boolean {
  if (Object.is(a, b)) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a)) {
    if (!Array.isArray(b) || a.length !== b.length) return false;
    for (let i = 0; i < a.length; i++) if (!deepEqual(a[i], b[i])) return false;
    return true;
  }
  if (Array.isArray(b)) return false;
  const ra = a as Record<string, unknown>;
  const rb = b as Record<string, unknown>;
  let n = 0;
  for (const k in ra) {
    if (!Object.hasOwn(ra, k)) continue;
    n++;
    if (!Object.hasOwn(rb, k) || !deepEqual(ra[k], rb[k])) return false;
  }
  for (const k in rb) if (Object.hasOwn(rb, k)) n--;
  return n === 0;
}
