/**
 * The patch types the apiserver accepts (k8s.io/apiserver pkg/endpoints/handlers
 * patch.go): JSON merge patch (RFC 7386), JSON patch (RFC 6902) and strategic
 * merge patch. Custom resources refuse a strategic merge patch with 415, as
 * the apiserver does (kubectl therefore sends merge patches for them); for the
 * core kinds a strategic merge patch is a merge patch whose lists of objects
 * with a `name` merge by name and whose `$patch: delete` entries delete (the
 * patch strategy the core kinds' lists declare in k8s.io/api). Internal.
 */
import { errors } from './status.ts';

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };

const isObject = (v: unknown): v is Record<string, Json> => v !== null && typeof v === 'object' && !Array.isArray(v);

export function mergePatch(target: Json, patch: Json): Json {
  if (!isObject(patch)) return patch;
  const out: Record<string, Json> = isObject(target) ? { ...target } : {};
  for (const [k, v] of Object.entries(patch)) {
    if (v === null) delete out[k];
    else out[k] = mergePatch(out[k] ?? null, v);
  }
  return out;
}

export function strategicMergePatch(target: Json, patch: Json): Json {
  if (!isObject(patch)) return patch;
  const out: Record<string, Json> = isObject(target) ? { ...target } : {};
  for (const [k, v] of Object.entries(patch)) {
    if (k.startsWith('$')) continue;
    if (v === null) delete out[k];
    else if (Array.isArray(v) && Array.isArray(out[k]) && v.every((x) => isObject(x) && typeof x.name === 'string')) out[k] = mergeByName(out[k] as Json[], v as Record<string, Json>[]);
    else out[k] = strategicMergePatch(out[k] ?? null, v);
  }
  return out;
}

function mergeByName(base: Json[], patch: Record<string, Json>[]): Json[] {
  const out = [...base];
  for (const p of patch) {
    const i = out.findIndex((x) => isObject(x) && x.name === p.name);
    if (p.$patch === 'delete') {
      if (i >= 0) out.splice(i, 1);
    } else if (i >= 0) out[i] = strategicMergePatch(out[i]!, p);
    else out.push(strategicMergePatch(null, p));
  }
  return out;
}

const unescape = (s: string) => s.replace(/~1/g, '/').replace(/~0/g, '~');

function pointer(path: string): string[] {
  if (path === '') return [];
  if (!path.startsWith('/')) throw errors.badRequest(`the server rejected our request due to an error in our request: invalid JSON patch path "${path}"`);
  return path.slice(1).split('/').map(unescape);
}

function parentOf(doc: Json, parts: string[], op: string, path: string): { parent: Record<string, Json> | Json[]; key: string } {
  let cur: Json = doc;
  for (const p of parts.slice(0, -1)) {
    const next: Json | undefined = Array.isArray(cur) ? cur[Number(p)] : isObject(cur) ? cur[p] : undefined;
    if (next === undefined) throw errors.unprocessable(`${op} operation does not apply: doc is missing path: "${path}": missing value`);
    cur = next;
  }
  if (!Array.isArray(cur) && !isObject(cur)) throw errors.unprocessable(`${op} operation does not apply: doc is missing path: "${path}": missing value`);
  return { parent: cur, key: parts.at(-1)! };
}

function getAt(doc: Json, path: string, op: string): Json {
  const parts = pointer(path);
  if (parts.length === 0) return doc;
  const { parent, key } = parentOf(doc, parts, op, path);
  const v = Array.isArray(parent) ? parent[Number(key)] : parent[key];
  if (v === undefined) throw errors.unprocessable(`${op} operation does not apply: doc is missing path: "${path}": missing value`);
  return v;
}

function removeAt(doc: Json, path: string, op: string): Json {
  const v = getAt(doc, path, op);
  const { parent, key } = parentOf(doc, pointer(path), op, path);
  if (Array.isArray(parent)) parent.splice(Number(key), 1);
  else delete parent[key];
  return v;
}

function addAt(doc: Json, path: string, value: Json, replace: boolean, op: string): Json {
  const parts = pointer(path);
  if (parts.length === 0) return value;
  const { parent, key } = parentOf(doc, parts, op, path);
  if (Array.isArray(parent)) {
    const i = key === '-' ? parent.length : Number(key);
    if (!Number.isInteger(i) || i < 0 || i > parent.length) throw errors.unprocessable(`${op} operation does not apply: doc is missing path: "${path}": missing value`);
    if (replace) parent[i] = value;
    else parent.splice(i, 0, value);
  } else {
    if (replace && !(key in parent)) throw errors.unprocessable(`replace operation does not apply: doc is missing key: ${path}: missing value`);
    parent[key] = value;
  }
  return doc;
}

interface Op {
  op: string;
  path: string;
  from?: string;
  value?: Json;
}

export function jsonPatch(target: Json, ops: unknown): Json {
  if (!Array.isArray(ops)) throw errors.badRequest('json: cannot unmarshal object into Go value of type jsonpatch.Patch');
  let doc = structuredClone(target);
  for (const raw of ops as Op[]) {
    if (!isObject(raw) || typeof raw.op !== 'string' || typeof raw.path !== 'string') throw errors.badRequest(`the server rejected our request due to an error in our request: invalid JSON patch operation ${JSON.stringify(raw)}`);
    const { op, path } = raw;
    switch (op) {
      case 'add':
        doc = addAt(doc, path, structuredClone(raw.value ?? null), false, op);
        break;
      case 'replace':
        doc = addAt(doc, path, structuredClone(raw.value ?? null), true, op);
        break;
      case 'remove':
        removeAt(doc, path, op);
        break;
      case 'move': {
        const v = removeAt(doc, raw.from ?? '', op);
        doc = addAt(doc, path, v, false, op);
        break;
      }
      case 'copy':
        doc = addAt(doc, path, structuredClone(getAt(doc, raw.from ?? '', op)), false, op);
        break;
      case 'test':
        if (JSON.stringify(getAt(doc, path, op)) !== JSON.stringify(raw.value)) throw errors.unprocessable(`testing value ${path} failed: test failed`);
        break;
      default:
        throw errors.badRequest(`Unexpected kind: ${op}`);
    }
  }
  return doc;
}

export const PATCH_TYPES = ['application/merge-patch+json', 'application/json-patch+json', 'application/strategic-merge-patch+json'] as const;
export type PatchType = (typeof PATCH_TYPES)[number];

/** Applies a patch body of `type` to `target`; `crd`: the resource is a custom resource (no strategic merge). */
export function applyPatch(type: string, target: Json, body: unknown, crd: boolean): Json {
  switch (type) {
    case 'application/merge-patch+json':
      return mergePatch(structuredClone(target), body as Json);
    case 'application/json-patch+json':
      return jsonPatch(target, body);
    case 'application/strategic-merge-patch+json':
      if (crd) throw errors.unsupportedMediaType(type);
      return strategicMergePatch(structuredClone(target), body as Json);
    default:
      throw errors.unsupportedMediaType(type);
  }
}

export type { Json };
