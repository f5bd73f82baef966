/**
 * The resource verbs (k8s.io/apiserver pkg/endpoints/handlers: get, list,
 * watch, create, update, patch, delete, deletecollection, the status
 * subresource) over the served cluster. Writes are admitted by harness/api
 * exactly as `vmconform validate` admits a manifest, then applied to the
 * backend (Backend.apply / Backend.delete); reads come from the change feed's
 * snapshots. Internal to harness/server.
 */
import { randomBytes } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { processTemplate, validateObject, type KubeObject, type Template } from '../api/index.ts';
import type { ApiObject } from '../cluster/index.ts';
import { NAMESPACE } from '../cluster/index.ts';
import type { Result, StatusCause } from '../contract/index.ts';
import type { ClusterDriver } from './driver.ts';
import type { FeedEvent, Snapshot } from './feed.ts';
import { applyPatch, type Json } from './patch.ts';
import { groupVersion, qualifiedName, type ResourceDef } from './resources.ts';
import { fieldSelector, labelSelector, type Matcher } from './selectors.ts';
import { errors, status, StatusError, type Status } from './status.ts';
import { toTable } from './tables.ts';
import { namespaceObject } from './views.ts';

export interface RestContext {
  driver: ClusterDriver;
  /** Period of watch bookmarks (ms). */
  bookmarkMs: number;
  /** Open watch streams, ended on close. */
  watches: Set<ServerResponse>;
}

export interface ResourceRequest {
  req: IncomingMessage;
  res: ServerResponse;
  url: URL;
  resource: ResourceDef;
  namespace: string | null;
  name: string | null;
  subresource: string | null;
  /** The parsed body of a write (read by the router). */
  body: () => Promise<unknown>;
}

export function sendJson(res: ServerResponse, code: number, body: unknown): void {
  const text = typeof body === 'string' ? body : JSON.stringify(body);
  res.writeHead(code, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(text) });
  res.end(text);
}

export const sendStatus = (res: ServerResponse, s: Status) => sendJson(res, s.code, s);

/** A failed Result as the Status the apiserver (or KubeVirt's webhook) answers with. */
export function resultStatus(r: Extract<Result, { ok: false }>, r0: ResourceDef, name: string): Status {
  const details = { name, ...(r0.group ? { group: r0.group } : {}), kind: r0.plural, ...(r.causes?.length ? { causes: r.causes } : {}) };
  const reason = r.reason ?? ({ 400: 'BadRequest', 403: 'Forbidden', 404: 'NotFound', 409: 'Conflict', 422: 'Invalid', 500: 'InternalError' } as const)[r.code];
  return status(r.code, reason, r.message, details);
}

const wantsTable = (req: IncomingMessage) => /as=Table/.test(req.headers.accept ?? '');

/** What a snapshot looks like on the wire (the namespace view is static). */
function serveObject(res: ServerResponse, s: Snapshot, code = 200): void {
  sendJson(res, code, s.json);
}

/** The namespace was made with the cluster: as old as its first node. */
const namespaceSnap = (driver: ClusterDriver): Snapshot => {
  const born = driver.feed.list('Node').map((s) => s.obj.metadata.creationTimestamp).sort()[0] ?? new Date(driver.now()).toISOString().replace(/\.\d+Z$/, 'Z');
  const obj = namespaceObject(born);
  return { obj, rv: 1, json: JSON.stringify(obj) };
};

/** The snapshots of a resource (its kind in the feed, or the namespace view). */
function snapshots(ctx: RestContext, r: ResourceDef): Snapshot[] {
  if (r.kind === 'Namespace') return [namespaceSnap(ctx.driver)];
  return ctx.driver.feed.list(r.kind);
}

function find(ctx: RestContext, r: ResourceDef, name: string): Snapshot | undefined {
  if (r.kind === 'Namespace') return name === NAMESPACE ? namespaceSnap(ctx.driver) : undefined;
  return ctx.driver.feed.get(r.kind, name);
}

/** The namespace of a request must exist (the apiserver's NamespaceLifecycle admission) for writes. */
function checkNamespace(ns: string | null): void {
  if (ns !== null && ns !== NAMESPACE) throw errors.namespaceNotFound(ns);
}

function matchers(url: URL): Matcher {
  const l = labelSelector(url.searchParams.get('labelSelector'));
  const f = fieldSelector(url.searchParams.get('fieldSelector'));
  return (o) => l(o) && f(o);
}

const inNamespace = (ns: string | null) => (o: ApiObject) => ns === null || (o.metadata.namespace ?? null) === ns || o.metadata.namespace === undefined;

// ---------------------------------------------------------------------------
// Reads

export function get(ctx: RestContext, rr: ResourceRequest): void {
  const s = find(ctx, rr.resource, rr.name!);
  if (!s || (rr.namespace !== null && rr.resource.namespaced && s.obj.metadata.namespace !== rr.namespace)) throw errors.notFound(rr.resource, rr.name!);
  if (wantsTable(rr.req)) return sendJson(rr.res, 200, toTable(rr.resource, [s], ctx.driver.now(), undefined, rr.url.searchParams.get('includeObject')));
  serveObject(rr.res, s);
}

/** A continue token: the name after which the next page starts, at a resourceVersion. */
const encodeContinue = (rv: number, after: string) => Buffer.from(JSON.stringify({ rv, after })).toString('base64url');
function decodeContinue(token: string): { rv: number; after: string } {
  try {
    const v = JSON.parse(Buffer.from(token, 'base64url').toString()) as { rv: number; after: string };
    if (typeof v.after === 'string' && typeof v.rv === 'number') return v;
  } catch {
    /* below */
  }
  throw errors.badRequest('continue key is not valid: incorrect encoded start resourceVersion (version meta.k8s.io/v1)');
}

/** The last plain list answered per resource and namespace, at a feed version (many clients list the same thing). */
const listCache = new WeakMap<RestContext, Map<string, { rv: number; body: Buffer }>>();

export function list(ctx: RestContext, rr: ResourceRequest): void {
  // only the namespaces that exist are cached (a client naming random ones must not grow the cache)
  const plain = !wantsTable(rr.req) && (rr.namespace === null || rr.namespace === NAMESPACE) && ['labelSelector', 'fieldSelector', 'limit', 'continue'].every((p) => !rr.url.searchParams.get(p));
  const key = `${rr.resource.plural}.${rr.resource.group}/${rr.namespace ?? ''}`;
  let cache = listCache.get(ctx);
  if (!cache) listCache.set(ctx, (cache = new Map()));
  const hit = plain ? cache.get(key) : undefined;
  if (hit && hit.rv === ctx.driver.feed.rv) {
    rr.res.writeHead(200, { 'Content-Type': 'application/json', 'Content-Length': hit.body.length });
    return void rr.res.end(hit.body);
  }
  if (plain) {
    const body = Buffer.from(listBody(ctx, rr));
    cache.set(key, { rv: ctx.driver.feed.rv, body });
    rr.res.writeHead(200, { 'Content-Type': 'application/json', 'Content-Length': body.length });
    return void rr.res.end(body);
  }
  listFiltered(ctx, rr);
}

/** A plain list's JSON. */
function listBody(ctx: RestContext, rr: ResourceRequest): string {
  const r = rr.resource;
  const ns = inNamespace(r.namespaced ? rr.namespace : null);
  const items = snapshots(ctx, r).filter((s) => ns(s.obj));
  return `{"kind":${JSON.stringify(`${r.kind}List`)},"apiVersion":${JSON.stringify(groupVersion(r))},"metadata":{"resourceVersion":"${ctx.driver.feed.rv}"},"items":[${items.map((s) => s.json).join(',')}]}`;
}

function listFiltered(ctx: RestContext, rr: ResourceRequest): void {
  const match = matchers(rr.url);
  const ns = inNamespace(rr.resource.namespaced ? rr.namespace : null);
  let items = snapshots(ctx, rr.resource).filter((s) => ns(s.obj) && match(s.obj));
  const rv = String(ctx.driver.feed.rv);
  const cont = rr.url.searchParams.get('continue');
  if (cont) {
    const { after } = decodeContinue(cont);
    items = items.filter((s) => s.obj.metadata.name > after);
  }
  const limit = Number(rr.url.searchParams.get('limit') ?? '0');
  let next: string | undefined;
  if (Number.isInteger(limit) && limit > 0 && items.length > limit) {
    items = items.slice(0, limit);
    next = encodeContinue(ctx.driver.feed.rv, items.at(-1)!.obj.metadata.name);
  }
  const meta = `{"resourceVersion":${JSON.stringify(rv)}${next ? `,"continue":${JSON.stringify(next)}` : ''}}`;
  if (wantsTable(rr.req)) {
    const t = toTable(rr.resource, items, ctx.driver.now(), rv, rr.url.searchParams.get('includeObject'));
    return sendJson(rr.res, 200, { ...t, metadata: JSON.parse(meta) as object });
  }
  const r = rr.resource;
  sendJson(rr.res, 200, `{"kind":${JSON.stringify(`${r.kind}List`)},"apiVersion":${JSON.stringify(groupVersion(r))},"metadata":${meta},"items":[${items.map((s) => s.json).join(',')}]}`);
}

/**
 * A watch stream: JSON lines `{"type","object"}` (k8s.io/apimachinery
 * pkg/apis/meta/v1 WatchEvent). From `resourceVersion` N: the history after
 * N, or 410 Expired when it no longer reaches back; without one (or "0"):
 * every current object as ADDED first. Objects leaving a selector come as
 * DELETED, as the apiserver's cacher sends them.
 */
export function watch(ctx: RestContext, rr: ResourceRequest): void {
  const { res, url, resource: r } = rr;
  const match = matchers(url);
  const ns = inNamespace(r.namespaced ? rr.namespace : null);
  const only = (o: ApiObject) => ns(o) && (rr.name === null || o.metadata.name === rr.name) && match(o);
  const rvParam = url.searchParams.get('resourceVersion');
  const feed = ctx.driver.feed;
  let backlog: FeedEvent[];
  if (rvParam && rvParam !== '0') {
    const n = Number(rvParam);
    if (!Number.isSafeInteger(n) || n < 0) throw errors.badRequest(`invalid resource version: ${rvParam}`);
    const since = feed.since(n, new Set([r.kind]));
    if (since === null) throw errors.gone(n, feed.rv);
    backlog = since;
  } else {
    backlog = snapshots(ctx, r).map((snap) => ({ type: 'ADDED' as const, kind: r.kind, snap }));
  }
  const table = wantsTable(rr.req);
  const includeObject = url.searchParams.get('includeObject');
  const shown = new Set<string>();
  res.writeHead(200, { 'Content-Type': 'application/json', 'Transfer-Encoding': 'chunked', 'Cache-Control': 'no-cache, private' });
  res.flushHeaders();
  const write = (type: string, snap: Snapshot) => {
    const object = table ? JSON.stringify(toTable(r, [snap], ctx.driver.now(), String(snap.rv), includeObject)) : snap.json;
    res.write(`{"type":"${type}","object":${object}}\n`);
  };
  const deliver = (ev: FeedEvent) => {
    if (ev.kind !== r.kind) return;
    const name = ev.snap.obj.metadata.name;
    if (ev.type !== 'DELETED' && only(ev.snap.obj)) {
      write(shown.has(name) ? 'MODIFIED' : 'ADDED', ev.snap);
      shown.add(name);
    } else if (shown.has(name) || (ev.type === 'DELETED' && only(ev.snap.obj))) {
      shown.delete(name);
      write('DELETED', ev.snap);
    }
  };
  // objects known to the client from its list count as shown
  if (rvParam && rvParam !== '0') for (const s of snapshots(ctx, r)) if (only(s.obj)) shown.add(s.obj.metadata.name);
  for (const ev of backlog) deliver(ev);
  const unsubscribe = feed.subscribe(deliver);
  const bookmarks = url.searchParams.get('allowWatchBookmarks') === 'true' ? setInterval(() => res.write(`{"type":"BOOKMARK","object":{"kind":${JSON.stringify(r.kind)},"apiVersion":${JSON.stringify(groupVersion(r))},"metadata":{"resourceVersion":"${feed.rv}"}}}\n`), ctx.bookmarkMs) : null;
  const timeout = Number(url.searchParams.get('timeoutSeconds') ?? '0');
  const timer = timeout > 0 ? setTimeout(() => res.end(), timeout * 1000) : null;
  ctx.watches.add(res);
  const done = () => {
    unsubscribe();
    if (bookmarks) clearInterval(bookmarks);
    if (timer) clearTimeout(timer);
    ctx.watches.delete(res);
  };
  res.on('close', done);
}

// ---------------------------------------------------------------------------
// Writes

const isObject = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);

/** Checks the body against the request (kind, apiVersion, namespace, name) and fills what the path says. */
function bodyObject(rr: ResourceRequest, body: unknown): ApiObject {
  const r = rr.resource;
  if (!isObject(body)) throw errors.badRequest(`the object provided is unrecognized (must be of type ${r.kind}): couldn't get version/kind; json parse error: expected an object`);
  const o = body as unknown as ApiObject;
  o.kind ??= r.kind;
  o.apiVersion ??= groupVersion(r);
  if (o.kind !== r.kind) throw errors.badRequest(`the object provided is unrecognized (must be of type ${r.kind}): ${o.kind}`);
  if (!isObject(o.metadata)) o.metadata = {} as ApiObject['metadata'];
  const m = o.metadata;
  if (r.namespaced) {
    if (m.namespace !== undefined && m.namespace !== '' && rr.namespace !== null && m.namespace !== rr.namespace) throw errors.badRequest('the namespace of the provided object does not match the namespace sent on the request');
    m.namespace = rr.namespace ?? m.namespace ?? NAMESPACE;
  }
  if (rr.name !== null) {
    if (m.name !== undefined && m.name !== rr.name) throw errors.badRequest(`the name of the object (${m.name}) does not match the name on the URL (${rr.name})`);
    m.name = rr.name;
  }
  return o;
}

/** Schema messages the apiserver words itself; the rest comes from KubeVirt's and CDI's webhooks. */
const SCHEMA_MESSAGE = /^(Required value|Invalid value|Unsupported value|unknown field|Too long|Too many|Duplicate value|must be|no matches for kind)/;

/** The validating webhook KubeVirt / CDI register for a kind (pkg/virt-operator/resource/generate/components/webhooks.go). */
const WEBHOOK: Readonly<Record<string, string>> = {
  VirtualMachine: 'virtualmachine-validator.kubevirt.io',
  VirtualMachineInstance: 'virtualmachineinstances-create-validator.kubevirt.io',
  VirtualMachineInstanceMigration: 'migration-create-validator.kubevirt.io',
  VirtualMachineInstanceReplicaSet: 'virtualmachinereplicaset-validator.kubevirt.io',
  VirtualMachinePool: 'virtualmachinepool-validator.kubevirt.io',
  DataVolume: 'datavolume-validate.cdi.kubevirt.io',
  VirtualMachineInstancetype: 'virtualmachineinstancetype-validator.instancetype.kubevirt.io',
  VirtualMachinePreference: 'virtualmachinepreference-validator.instancetype.kubevirt.io',
};

const causeReason = (message: string) => (message.startsWith('Required value') ? 'FieldValueRequired' : message.startsWith('Unsupported value') ? 'FieldValueNotSupported' : message.startsWith('unknown field') ? 'FieldValueInvalid' : 'FieldValueInvalid');

/**
 * Admission as `vmconform validate` judges the object (harness/api
 * validateObject: schema, defaults, webhooks). A schema failure is the
 * apiserver's 422 (`VirtualMachine.kubevirt.io "x" is invalid: …`); a webhook
 * denial is KubeVirt's (k8s.io/apiserver pkg/admission/plugin/webhook/errors:
 * `admission webhook "…" denied the request: …`, at most 10 causes joined by
 * ", " as pkg/util/webhooks/webhooks.go ToAdmissionResponse does).
 */
/** Metadata a client may set; the rest (uid, resourceVersion, timestamps, generation, managedFields) the server owns. */
const CLIENT_METADATA = ['name', 'generateName', 'namespace', 'labels', 'annotations', 'ownerReferences', 'finalizers'] as const;

/** The object as a manifest: server-owned metadata and (but for a Node's, which the harness reads as its capacity) the status dropped. */
function manifestOf(o: ApiObject): ApiObject {
  const m = o.metadata as unknown as Record<string, unknown>;
  const metadata = Object.fromEntries(CLIENT_METADATA.filter((k) => m[k] !== undefined).map((k) => [k, m[k]]));
  const { status, ...rest } = o as ApiObject & { status?: unknown };
  return { ...rest, ...(o.kind === 'Node' && status !== undefined ? { status } : {}), metadata } as unknown as ApiObject;
}

function admit(ctx: RestContext, r: ResourceDef, given: ApiObject): { object: KubeObject; warnings: string[] } {
  const lookup = (kind: string, name: string) => ctx.driver.backend.core.object(kind, name) as { spec?: unknown } | undefined;
  const o = manifestOf(given);
  const v = validateObject(o, { lookup });
  if (v.ok) return { object: v.object, warnings: v.warnings };
  const clean = (m: string) => m.replace(/ \(the CRD requires it even when empty: `devices: \{\}` is enough\)$/, '');
  const causes: StatusCause[] = v.issues.map((i) => ({ reason: causeReason(clean(i.message)), message: clean(i.message), field: i.path }));
  const name = o.metadata.name ?? '';
  if (v.issues.every((i) => SCHEMA_MESSAGE.test(i.message)) || !WEBHOOK[r.kind]) throw errors.invalid(r.kind, r.group, name, causes);
  const all = v.issues.filter((i) => !SCHEMA_MESSAGE.test(i.message)).map((i) => ({ reason: causeReason(i.message), message: i.message, field: i.path }));
  const webhookCauses = all.slice(0, 10);
  const more = all.length > 10 ? `, and ${all.length - 10} more validation errors` : '';
  throw new StatusError(status(422, 'Invalid', `admission webhook "${WEBHOOK[r.kind]}" denied the request: ${webhookCauses.map((c) => c.message).join(', ')}${more}`, { causes: webhookCauses }));
}

function warn(res: ServerResponse, warnings: readonly string[]): void {
  if (warnings.length) res.setHeader('Warning', warnings.map((w) => `299 - ${JSON.stringify(w)}`));
}

const dryRun = (url: URL) => url.searchParams.getAll('dryRun').includes('All');

/** A write to the backend; its failure as KubeVirt's Status. */
async function write(ctx: RestContext, r: ResourceDef, name: string, act: () => Promise<Result>): Promise<void> {
  const result = await act();
  ctx.driver.flush();
  if (!result.ok) {
    // the apiserver words a conflict as `Operation cannot be fulfilled on …`
    if (result.code === 409 && !result.reason && !result.message.startsWith('Operation cannot')) throw errors.conflict(r, name, result.message);
    throw new StatusError(resultStatus(result, r, name));
  }
}

export async function create(ctx: RestContext, rr: ResourceRequest): Promise<void> {
  const r = rr.resource;
  if (r.plural === 'processedtemplates') return processTemplates(rr);
  if (r.kind === 'Namespace') {
    const name = ((await rr.body()) as { metadata?: { name?: string } } | undefined)?.metadata?.name ?? '';
    throw new StatusError(status(403, 'Forbidden', `namespaces "${name}" is forbidden: this cluster has one namespace, "${NAMESPACE}"`, { name, kind: 'namespaces' }));
  }
  if (r.source === 'view') throw errors.methodNotAllowed('POST', r.kind);
  checkNamespace(rr.namespace);
  const o = bodyObject({ ...rr, name: null }, await rr.body());
  const m = o.metadata as ApiObject['metadata'] & { generateName?: string };
  if (!m.name && m.generateName) m.name = `${m.generateName}${randomBytes(4).toString('hex').slice(0, 5)}`;
  if (m.name && find(ctx, r, m.name)) throw errors.alreadyExists(r, m.name);
  const { object, warnings } = admit(ctx, r, o);
  warn(rr.res, warnings);
  if (dryRun(rr.url)) return sendJson(rr.res, 201, { ...object, metadata: { ...object.metadata, namespace: m.namespace } });
  await write(ctx, r, m.name, () => ctx.driver.backend.apply(object));
  const s = find(ctx, r, m.name);
  if (!s) throw errors.internal(`${qualifiedName(r)} "${m.name}" was accepted but is not in the store`);
  serveObject(rr.res, s, 201);
}

/** Whether a resource is a custom resource (kubectl sends merge patches; the apiserver refuses strategic ones). */
const isCustom = (r: ResourceDef) => r.group !== '' && r.group !== 'storage.k8s.io';

/** The optimistic-concurrency check (k8s.io/apiserver pkg/registry/generic/registry store.go Update). */
function checkVersion(r: ResourceDef, current: Snapshot, given: string | undefined): void {
  if (given === undefined || given === '') {
    if (isCustom(r)) throw errors.invalid(r.kind, r.group, current.obj.metadata.name, [{ reason: 'FieldValueInvalid', field: 'metadata.resourceVersion', message: 'Invalid value: 0x0: must be specified for an update' }]);
    return;
  }
  if (given !== String(current.rv)) throw errors.conflict(r, current.obj.metadata.name, 'the object has been modified; please apply your changes to the latest version and try again');
}

async function replace(ctx: RestContext, rr: ResourceRequest, o: ApiObject, requireVersion: boolean): Promise<void> {
  const r = rr.resource;
  const current = find(ctx, r, rr.name!);
  if (!current) throw errors.notFound(r, rr.name!);
  if (requireVersion || o.metadata.resourceVersion) checkVersion(r, current, o.metadata.resourceVersion);
  if (rr.subresource === 'status') return serveObject(rr.res, current); // the controllers own status: the write is reconciled away at once
  const { object, warnings } = admit(ctx, r, o);
  warn(rr.res, warnings);
  if (dryRun(rr.url)) return sendJson(rr.res, 200, object);
  await write(ctx, r, rr.name!, () => ctx.driver.backend.apply(object));
  serveObject(rr.res, find(ctx, r, rr.name!) ?? current);
}

export async function update(ctx: RestContext, rr: ResourceRequest): Promise<void> {
  if (rr.resource.source === 'view') throw errors.methodNotAllowed('PUT', rr.resource.kind);
  checkNamespace(rr.namespace);
  await replace(ctx, rr, bodyObject(rr, await rr.body()), true);
}

export async function patch(ctx: RestContext, rr: ResourceRequest): Promise<void> {
  const r = rr.resource;
  if (r.source === 'view') throw errors.methodNotAllowed('PATCH', r.kind);
  checkNamespace(rr.namespace);
  const current = find(ctx, r, rr.name!);
  if (!current) throw errors.notFound(r, rr.name!);
  const type = (rr.req.headers['content-type'] ?? '').split(';')[0]!.trim();
  const patched = applyPatch(type, JSON.parse(current.json) as Json, await rr.body(), isCustom(r));
  if (!isObject(patched)) throw errors.badRequest('the patch does not result in an object');
  await replace(ctx, rr, bodyObject(rr, patched), false);
}

export async function remove(ctx: RestContext, rr: ResourceRequest): Promise<void> {
  const r = rr.resource;
  if (r.source === 'view') throw errors.methodNotAllowed('DELETE', r.kind);
  const current = find(ctx, r, rr.name!);
  if (!current) throw errors.notFound(r, rr.name!);
  const body = await rr.body().catch(() => null);
  const policy = (isObject(body) ? (body.propagationPolicy as string | undefined) : undefined) ?? rr.url.searchParams.get('propagationPolicy');
  if (policy === 'Orphan' && ['VirtualMachine', 'VirtualMachineInstanceReplicaSet', 'VirtualMachinePool'].includes(r.kind)) {
    throw errors.badRequest(`propagationPolicy Orphan is not supported by this cluster for ${qualifiedName(r)}: its controllers always delete what the object owns`);
  }
  if (policy && !['Orphan', 'Background', 'Foreground'].includes(policy)) throw errors.badRequest(`propagationPolicy: Unsupported value: "${policy}": supported values: "Foreground", "Background", "Orphan"`);
  if (dryRun(rr.url)) return serveObject(rr.res, current);
  await write(ctx, r, rr.name!, () => ctx.driver.backend.delete({ kind: r.kind as never, name: rr.name! }));
  const still = find(ctx, r, rr.name!);
  if (still) return serveObject(rr.res, still);
  sendJson(rr.res, 200, { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Success', details: { name: rr.name!, ...(r.group ? { group: r.group } : {}), kind: r.plural, uid: current.obj.metadata.uid } });
}

export async function removeCollection(ctx: RestContext, rr: ResourceRequest): Promise<void> {
  const r = rr.resource;
  if (r.source === 'view') throw errors.methodNotAllowed('DELETE', r.kind);
  const match = matchers(rr.url);
  const items = snapshots(ctx, r).filter((s) => match(s.obj));
  for (const s of items) await write(ctx, r, s.obj.metadata.name, () => ctx.driver.backend.delete({ kind: r.kind as never, name: s.obj.metadata.name }));
  sendJson(rr.res, 200, `{"kind":${JSON.stringify(`${r.kind}List`)},"apiVersion":${JSON.stringify(groupVersion(r))},"metadata":{"resourceVersion":"${ctx.driver.feed.rv}"},"items":[${items.map((s) => s.json).join(',')}]}`);
}

/**
 * POST processedtemplates (openshift/api template/v1, the template service
 * broker's processing endpoint): the Template with its parameters resolved
 * and `objects` substituted, nothing stored (harness/api processTemplate).
 */
async function processTemplates(rr: ResourceRequest): Promise<void> {
  const o = bodyObject({ ...rr, name: null }, await rr.body()) as unknown as Template & { parameters?: { name: string; value?: string }[] };
  const given: Record<string, string> = {};
  for (const p of o.parameters ?? []) if (p.value !== undefined && p.value !== '') given[p.name] = p.value;
  const t = processTemplate(o, given, Date.now() & 0x7fffffff);
  if (!t.ok) throw errors.invalid('Template', 'template.openshift.io', o.metadata?.name ?? '', t.issues.map((i) => ({ reason: causeReason(i.message), field: i.path, message: i.message })));
  sendJson(rr.res, 201, { ...o, parameters: (o.parameters ?? []).map((p) => ({ ...p, value: t.parameters[p.name] ?? p.value })), objects: t.objects });
}

/**
 * The scale subresource of replica sets and pools (autoscaling/v1 Scale over
 * spec.replicas, status.replicas and the selector, as the CRDs' `subresources:
 * scale` declare it; what `kubectl scale` reads and writes).
 */
export async function scale(ctx: RestContext, rr: ResourceRequest, method: string): Promise<void> {
  const r = rr.resource;
  const current = find(ctx, r, rr.name!);
  if (!current) throw errors.notFound(r, rr.name!);
  const toScale = (s: Snapshot) => {
    const o = s.obj as ApiObject & { spec: { replicas?: number; selector?: { matchLabels?: Record<string, string> } }; status?: { replicas?: number } };
    const selector = Object.entries(o.spec.selector?.matchLabels ?? {}).map(([k, v]) => `${k}=${v}`).join(',');
    return { kind: 'Scale', apiVersion: 'autoscaling/v1', metadata: { name: o.metadata.name, namespace: o.metadata.namespace, uid: o.metadata.uid, resourceVersion: o.metadata.resourceVersion, creationTimestamp: o.metadata.creationTimestamp }, spec: { replicas: o.spec.replicas ?? 1 }, status: { replicas: o.status?.replicas ?? 0, selector } };
  };
  if (method === 'GET') return sendJson(rr.res, 200, toScale(current));
  if (method !== 'PUT' && method !== 'PATCH') throw errors.methodNotAllowed(method, 'Scale');
  const body = await rr.body();
  const type = (rr.req.headers['content-type'] ?? '').split(';')[0]!.trim();
  const wanted = (method === 'PUT' ? body : applyPatch(type, toScale(current) as unknown as Json, body, false)) as { spec?: { replicas?: unknown }; metadata?: { resourceVersion?: string } };
  const replicas = wanted?.spec?.replicas;
  if (typeof replicas !== 'number' || !Number.isInteger(replicas) || replicas < 0) throw errors.invalid('Scale', 'autoscaling', rr.name!, [{ reason: 'FieldValueInvalid', field: 'spec.replicas', message: `Invalid value: ${JSON.stringify(replicas)}: must be greater than or equal to 0` }]);
  if (wanted.metadata?.resourceVersion) checkVersion(r, current, wanted.metadata.resourceVersion);
  const o = JSON.parse(current.json) as ApiObject & { spec: Record<string, unknown> };
  o.spec.replicas = replicas;
  const { object } = admit(ctx, r, o);
  await write(ctx, r, rr.name!, () => ctx.driver.backend.apply(object));
  sendJson(rr.res, 200, toScale(find(ctx, r, rr.name!) ?? current));
}
