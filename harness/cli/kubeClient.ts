/**
 * A small client of KubeVirt's subresource API for `vmconform virtctl` and
 * `vmconform virsh`: the kubeconfig read by @kubernetes/client-node (so a
 * real cluster works as well as `vmconform cluster`), JSON requests over
 * HTTPS, and the `plain.kubevirt.io` websockets of console and VNC.
 * Internal (harness/cli).
 *
 * Errors are worded as client-go words them: a metav1.Status answer gives
 * its message (StatusError.Error()); a websocket refused gives
 * `Can't connect to websocket (CODE): MESSAGE` (client-go
 * kubevirt/typed/core/v1/async.go, EnrichError).
 */
import { request as httpsRequest, type RequestOptions } from 'node:https';
import { request as httpRequest } from 'node:http';
import type { Duplex } from 'node:stream';
import { KubeConfig } from '@kubernetes/client-node';
import WebSocket, { createWebSocketStream } from 'ws';

export interface KubeTarget {
  /** API server base URL (no trailing slash). */
  server: string;
  namespace: string;
  /** TLS and auth options from the kubeconfig (CA, client certificate, bearer token header). */
  tls: RequestOptions;
}

/** A request the server answered with an error: `message` is what client-go's error says. */
export class ApiError extends Error {
  constructor(
    readonly code: number,
    message: string,
    readonly reason?: string,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

export interface TargetOptions {
  kubeconfig?: string | undefined;
  namespace?: string | undefined;
  env?: NodeJS.ProcessEnv;
}

/** Reads the kubeconfig (--kubeconfig, else $KUBECONFIG, else ~/.kube/config) and the namespace (-n, else the context's, else default). */
export async function loadTarget(opts: TargetOptions): Promise<KubeTarget> {
  const kc = new KubeConfig();
  const env = opts.env ?? process.env;
  const file = opts.kubeconfig ?? env['KUBECONFIG']?.split(':').find((f) => f !== '');
  try {
    if (file) kc.loadFromFile(file);
    else kc.loadFromDefault();
  } catch (err) {
    throw new Error(`cannot read the kubeconfig${file ? ` ${file}` : ''}: ${(err as Error).message}`);
  }
  const cluster = kc.getCurrentCluster();
  if (!cluster) throw new Error(`no current cluster in the kubeconfig${file ? ` ${file}` : ''} (set current-context)`);
  const tls: RequestOptions = {};
  await kc.applyToHTTPSOptions(tls);
  const ctx = kc.getContextObject(kc.getCurrentContext());
  return { server: cluster.server.replace(/\/+$/, ''), namespace: opts.namespace ?? ctx?.namespace ?? 'default', tls };
}

/** The message of an error answer: a Status's message, else the body as client-go shows it. */
function errorMessage(code: number, text: string): { message: string; reason?: string } {
  try {
    const s = JSON.parse(text) as { kind?: string; message?: string; reason?: string };
    if (s.kind === 'Status' && s.message) return s.reason ? { message: s.message, reason: s.reason } : { message: s.message };
  } catch {
    // not JSON: fall through
  }
  return text.trim() ? { message: `an error on the server ("${text.trim()}") has prevented the request from succeeding` } : { message: `the server responded with the status code ${code} but did not return more information` };
}

/** One JSON request; resolves with the parsed answer, rejects with ApiError for a non-2xx answer. */
export function apiRequest(t: KubeTarget, method: 'GET' | 'PUT' | 'POST', path: string, body?: unknown): Promise<unknown> {
  const url = new URL(t.server + path);
  const payload = body === undefined ? undefined : Buffer.from(JSON.stringify(body));
  const headers: Record<string, string> = { ...(t.tls.headers as Record<string, string> | undefined), Accept: 'application/json' };
  if (payload) {
    headers['Content-Type'] = 'application/json';
    headers['Content-Length'] = String(payload.length);
  }
  const send = url.protocol === 'http:' ? httpRequest : httpsRequest;
  return new Promise((resolve, reject) => {
    const req = send(url, { ...t.tls, method, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('error', reject);
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        const code = res.statusCode ?? 0;
        if (code < 200 || code > 299) {
          const { message, reason } = errorMessage(code, text);
          return reject(new ApiError(code, message, reason));
        }
        try {
          resolve(text ? JSON.parse(text) : {});
        } catch {
          reject(new Error(`${method} ${path}: the server answered with something that is not JSON`));
        }
      });
    });
    req.on('error', (err) => reject(new Error(`${method} ${url.origin}${path}: ${err.message}`)));
    req.end(payload);
  });
}

/** KubeVirt's subresource path of a VM or VMI. */
export function subresourcePath(namespace: string, kind: 'virtualmachines' | 'virtualmachineinstances', name: string, sub: string, group = 'subresources.kubevirt.io'): string {
  return `/apis/${group}/v1/namespaces/${encodeURIComponent(namespace)}/${kind}/${encodeURIComponent(name)}/${sub}`;
}

/** The subprotocol of KubeVirt's console and VNC websockets: binary frames of raw bytes. */
export const PLAIN_SUBPROTOCOL = 'plain.kubevirt.io';

/** Opens a `plain.kubevirt.io` websocket (console, vnc) as a byte stream. */
export function openStream(t: KubeTarget, path: string): Promise<Duplex> {
  const url = new URL(t.server + path);
  url.protocol = url.protocol === 'http:' ? 'ws:' : 'wss:';
  const { ca, cert, key, headers, rejectUnauthorized } = t.tls;
  const opts: WebSocket.ClientOptions = { headers: headers as Record<string, string> };
  if (ca) opts.ca = ca;
  if (cert) opts.cert = cert;
  if (key) opts.key = key;
  if (rejectUnauthorized !== undefined) opts.rejectUnauthorized = rejectUnauthorized;
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, [PLAIN_SUBPROTOCOL], opts);
    ws.once('open', () => resolve(createWebSocketStream(ws)));
    let refused = false;
    ws.once('unexpected-response', (_req, res) => {
      refused = true;
      const chunks: Buffer[] = [];
      const done = () => {
        const code = res.statusCode ?? 0;
        const { message } = errorMessage(code, Buffer.concat(chunks).toString('utf8'));
        reject(new ApiError(code, `Can't connect to websocket (${code}): ${message}`));
        ws.terminate();
      };
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', done);
      res.on('error', done);
    });
    ws.on('error', (err) => {
      if (!refused) reject(new Error(`Can't connect to websocket: ${err.message}`));
    });
  });
}
