/**
 * The Kubernetes REST API server over a running cluster backend: node:https
 * on loopback (another address only when the caller names it), bearer-token
 * authentication (401 Status without it), request bodies size-limited (413)
 * and parsed as JSON or YAML (400 Status when malformed), routing to
 * discovery, OpenAPI, the resource verbs (rest.ts), KubeVirt's subresources
 * (kubevirt.ts) and the launcher streams (launcher.ts). Public (through
 * harness/server/index.ts).
 */
import { timingSafeEqual } from 'node:crypto';
import { createServer, type Server } from 'node:https';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import { parse as parseYaml } from 'yaml';
import type { Backend } from '../../backends/contract.ts';
import type { ClusterBackend } from '../../backends/cluster/index.ts';
import { validateObject } from '../api/index.ts';
import { aggregated, apiGroup, apiGroupList, apiVersions, resourceList, VERSION } from './discovery.ts';
import { ClusterDriver, type DriverOptions } from './driver.ts';
import { checkLauncher, consoleSockets, launcherError, pipeSocket, refuseUpgrade, virshArgv } from './launcher.ts';
import { guestOsInfo, isVerb, verb } from './kubevirt.ts';
import { OPENAPI_V2_JSON, OPENAPI_V2_PROTOBUF, openapiV3, openapiV3Root } from './openapi.ts';
import { resourceAt, type ResourceDef } from './resources.ts';
import { create, get, list, patch, remove, removeCollection, scale, sendJson, sendStatus, update, watch, type ResourceRequest, type RestContext } from './rest.ts';
import { errors, status, StatusError } from './status.ts';

/** A backend the server can drive: the cluster core with a node agent, and perhaps launcher access. */
export type ServedBackend = ClusterBackend & Pick<Backend, 'launcher'>;

export interface ApiServerOptions extends DriverOptions {
  backend: ServedBackend;
  /** The bearer token clients must send. */
  token: string;
  tls: { key: string | Buffer; cert: string | Buffer };
  /** Listen address; loopback unless the caller names another (`--address`). */
  host?: string;
  /** 0: any free port. */
  port?: number;
  /** Request body limit in bytes (the apiserver's is 3 MiB). */
  maxBodyBytes?: number;
  /** Period of watch bookmarks (ms). */
  bookmarkMs?: number;
  /** Compile the admission schemas before listening (default true). */
  warm?: boolean;
}

export interface ApiServer {
  readonly url: string;
  readonly port: number;
  readonly driver: ClusterDriver;
  close(): Promise<void>;
}

const LOOPBACK = new Set(['127.0.0.1', '::1', 'localhost']);

/** Reads a body up to `limit` bytes; more is 413. */
function readBody(req: IncomingMessage, limit: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const declared = Number(req.headers['content-length'] ?? '0');
    if (declared > limit) return reject(errors.tooLarge(limit));
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > limit) {
        req.removeAllListeners('data');
        req.resume();
        reject(errors.tooLarge(limit));
      } else chunks.push(c);
    });
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

/** JSON, or YAML when the client says so; a malformed body is 400. Empty: undefined. */
function parseBody(buf: Buffer, type: string | undefined): unknown {
  const text = buf.toString('utf8');
  if (text.trim() === '') return undefined;
  const yaml = /yaml/.test(type ?? '');
  try {
    return yaml ? parseYaml(text) : JSON.parse(text);
  } catch (err) {
    const why = err instanceof Error ? err.message.split('\n')[0] : String(err);
    throw errors.badRequest(`the object provided is unrecognized: couldn't get version/kind; ${yaml ? 'yaml' : 'json'} parse error: ${why}`);
  }
}

const APIDISCOVERY = /g=apidiscovery\.k8s\.io;\s*v=(v2beta1|v2);\s*as=APIGroupDiscoveryList/;

/**
 * Compiles the large KubeVirt schemas once before serving (harness/api
 * compiles a kind's schema on its first validation, about 2 s for the VM):
 * the first `kubectl apply` then answers as fast as the next.
 */
function warmAdmission(): void {
  const domain = { memory: { guest: '64Mi' }, devices: {} };
  validateObject({ apiVersion: 'kubevirt.io/v1', kind: 'VirtualMachine', metadata: { name: 'warm' }, spec: { runStrategy: 'Halted', template: { spec: { domain } } } });
  validateObject({ apiVersion: 'kubevirt.io/v1', kind: 'VirtualMachineInstance', metadata: { name: 'warm' }, spec: { domain } });
}

export async function startApiServer(opts: ApiServerOptions): Promise<ApiServer> {
  if (opts.warm !== false) warmAdmission();
  const host = opts.host ?? '127.0.0.1';
  const limit = opts.maxBodyBytes ?? 3 * 1024 * 1024;
  const driver = new ClusterDriver(opts.backend, opts);
  const ctx: RestContext = { driver, bookmarkMs: opts.bookmarkMs ?? 10_000, watches: new Set() };
  const token = Buffer.from(`Bearer ${opts.token}`);
  const authorised = (req: IncomingMessage) => {
    const given = Buffer.from(req.headers.authorization ?? '');
    return given.length === token.length && timingSafeEqual(given, token);
  };

  async function route(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'https://localhost');
    const path = url.pathname.replace(/\/+$/, '') || '/';
    const method = req.method ?? 'GET';
    if (['/healthz', '/livez', '/readyz'].includes(path)) return void (res.writeHead(200, { 'Content-Type': 'text/plain' }), res.end('ok'));
    if (path === '/version') return sendJson(res, 200, VERSION);
    if (!authorised(req)) throw errors.unauthorized();
    let bodyPromise: Promise<unknown> | null = null;
    const body = () => (bodyPromise ??= readBody(req, limit).then((b) => parseBody(b, req.headers['content-type'])));
    const accept = req.headers.accept ?? '';
    const agg = APIDISCOVERY.exec(accept);
    if (path === '/api') {
      if (agg) return sendAggregated(res, agg[1] as 'v2' | 'v2beta1', true);
      return sendJson(res, 200, apiVersions());
    }
    if (path === '/apis') {
      if (agg) return sendAggregated(res, agg[1] as 'v2' | 'v2beta1', false);
      return sendJson(res, 200, apiGroupList());
    }
    if (path === '/openapi/v2') {
      if (/protobuf/.test(accept)) {
        res.writeHead(200, { 'Content-Type': 'application/octet-stream', 'Content-Length': OPENAPI_V2_PROTOBUF.length });
        return void res.end(OPENAPI_V2_PROTOBUF);
      }
      return sendJson(res, 200, OPENAPI_V2_JSON);
    }
    if (path === '/openapi/v3') return sendJson(res, 200, openapiV3Root());
    if (path.startsWith('/openapi/v3/')) {
      const doc = openapiV3(path.slice('/openapi/v3/'.length));
      if (!doc) throw errors.notFoundPath();
      return sendJson(res, 200, doc);
    }
    const parts = path.split('/').filter(Boolean).map(decodeURIComponent);
    // /api/v1/… or /apis/{group}/{version}/…
    let gv: string;
    let rest: string[];
    if (parts[0] === 'api' && parts[1] === 'v1') (gv = 'v1'), (rest = parts.slice(2));
    else if (parts[0] === 'apis' && parts.length >= 3) (gv = `${parts[1]}/${parts[2]}`), (rest = parts.slice(3));
    else if (parts[0] === 'apis' && parts.length === 2) {
      const g = apiGroup(parts[1]!);
      if (!g) throw errors.notFoundPath();
      return sendJson(res, 200, g);
    } else throw errors.notFoundPath();
    if (rest.length === 0) {
      const l = resourceList(gv);
      if (!l) throw errors.notFoundPath();
      return sendJson(res, 200, l);
    }
    if (gv === 'subresources.kubevirt.io/v1' || gv === 'subresources.vmconform.io/v1') return kubevirtSubresource(gv, rest, method, res, body);
    // namespaces/{ns}/{plural}/… vs the namespaces resource itself
    let namespace: string | null = null;
    if (rest[0] === 'namespaces' && rest.length >= 3 && gv !== 'v1') (namespace = rest[1]!), (rest = rest.slice(2));
    else if (rest[0] === 'namespaces' && rest.length >= 3 && resourceAt(gv, rest[2]!)) (namespace = rest[1]!), (rest = rest.slice(2));
    const resource = resourceAt(gv, rest[0]!);
    if (!resource || rest.length > 3) throw errors.notFoundPath();
    if (namespace !== null && !resource.namespaced) throw errors.notFoundPath();
    const name = rest[1] ?? null;
    const subresource = rest[2] ?? null;
    if (subresource !== null && !((subresource === 'status' && resource.status) || (subresource === 'scale' && resource.scale))) throw errors.notFoundPath();
    const rr: ResourceRequest = { req, res, url, resource, namespace, name, subresource, body };
    return resourceVerb(method, rr, url);
  }

  function sendAggregated(res: ServerResponse, v: 'v2' | 'v2beta1', legacy: boolean): void {
    const text = JSON.stringify(aggregated(v, legacy));
    res.writeHead(200, { 'Content-Type': `application/json;g=apidiscovery.k8s.io;v=${v};as=APIGroupDiscoveryList`, 'Content-Length': Buffer.byteLength(text), Vary: 'Accept' });
    res.end(text);
  }

  async function resourceVerb(method: string, rr: ResourceRequest, url: URL): Promise<void> {
    const isWatch = ['1', 'true'].includes(url.searchParams.get('watch') ?? '');
    const r: ResourceDef = rr.resource;
    if (r.createOnly && method !== 'POST') throw errors.methodNotAllowed(method, r.kind);
    if (rr.subresource === 'scale') return scale(ctx, rr, method);
    switch (method) {
      case 'GET':
        if (isWatch) return watch(ctx, rr);
        return rr.name === null ? list(ctx, rr) : get(ctx, rr);
      case 'POST':
        if (rr.name !== null) throw errors.methodNotAllowed(method, r.kind);
        return create(ctx, rr);
      case 'PUT':
        if (rr.name === null) throw errors.methodNotAllowed(method, r.kind);
        return update(ctx, rr);
      case 'PATCH':
        if (rr.name === null) throw errors.methodNotAllowed(method, r.kind);
        return patch(ctx, rr);
      case 'DELETE':
        return rr.name === null ? removeCollection(ctx, rr) : remove(ctx, rr);
      default:
        throw errors.methodNotAllowed(method, r.kind);
    }
  }

  async function kubevirtSubresource(gv: string, rest: string[], method: string, res: ServerResponse, body: () => Promise<unknown>): Promise<void> {
    // namespaces/{ns}/{virtualmachines|virtualmachineinstances}/{name}/{sub}
    if (rest.length !== 5 || rest[0] !== 'namespaces') throw errors.notFoundPath();
    const [, ns, on, name, sub] = rest as [string, string, string, string, string];
    if (ns !== 'default') throw errors.namespaceNotFound(ns);
    if (gv === 'subresources.vmconform.io/v1') {
      if (on !== 'virtualmachineinstances' || sub !== 'virsh') throw errors.notFoundPath();
      if (method !== 'POST') throw errors.methodNotAllowed(method, 'virsh');
      const argv = virshArgv(await body());
      const launcher = checkLauncher(driver, opts.backend.launcher, name, false);
      const out = await launcher.virsh(ns, name, argv).catch((err: unknown) => {
        throw launcherError(err);
      });
      driver.flush();
      return sendJson(res, 200, out);
    }
    if (on === 'virtualmachineinstances' && sub === 'guestosinfo') {
      if (method !== 'GET') throw errors.methodNotAllowed(method, sub);
      return guestOsInfo(driver, res, name);
    }
    if (on === 'virtualmachineinstances' && (sub === 'console' || sub === 'vnc')) throw errors.badRequest(`${sub} needs a websocket upgrade (subprotocol plain.kubevirt.io)`);
    if (!isVerb(on, sub)) throw errors.notFoundPath();
    if (method !== 'PUT') throw errors.methodNotAllowed(method, sub);
    return verb(driver, res, on, sub, name, await body());
  }

  const server: Server = createServer({ key: opts.tls.key, cert: opts.tls.cert }, (req, res) => {
    route(req, res).catch((err: unknown) => {
      const s = err instanceof StatusError ? err.status : status(500, 'InternalError', `Internal error occurred: ${err instanceof Error ? err.message : String(err)}`);
      if (!(err instanceof StatusError)) console.error(`vmconform server: ${req.method} ${req.url}: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
      if (res.headersSent) return void res.end();
      sendStatus(res, s);
    });
  });
  server.keepAliveTimeout = 60_000;

  // console and vnc websockets
  const wss = consoleSockets();
  server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    socket.on('error', () => socket.destroy());
    const url = new URL(req.url ?? '/', 'https://localhost');
    const m = /^\/apis\/subresources\.kubevirt\.io\/(v1|v1alpha3)\/namespaces\/([^/]+)\/virtualmachineinstances\/([^/]+)\/(console|vnc)$/.exec(url.pathname);
    void (async () => {
      if (!authorised(req)) throw errors.unauthorized();
      if (!m) throw errors.notFoundPath();
      const [, , ns, name, kind] = m as unknown as [string, string, string, string, 'console' | 'vnc'];
      if (ns !== 'default') throw errors.namespaceNotFound(ns);
      const launcher = checkLauncher(driver, opts.backend.launcher, name, true);
      const stream = await launcher[kind](ns, name).catch((err: unknown) => {
        throw launcherError(err);
      });
      wss.handleUpgrade(req, socket, head, (ws) => pipeSocket(ws, stream));
    })().catch((err: unknown) => refuseUpgrade(socket, err instanceof StatusError ? err.status : status(500, 'InternalError', String(err))));
  });

  server.on('clientError', (_err, socket) => socket.destroy());
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, host, () => resolve());
  });
  driver.start();
  const port = (server.address() as AddressInfo).port;
  return {
    url: `https://${host.includes(':') ? `[${host}]` : host}:${port}`,
    port,
    driver,
    async close() {
      for (const w of ctx.watches) w.end();
      for (const c of wss.clients) c.terminate();
      await driver.stop();
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
    },
  };
}

/** Whether an address is loopback (the server refuses others unless the caller names one explicitly). */
export const isLoopback = (host: string): boolean => LOOPBACK.has(host) || host.startsWith('127.');
