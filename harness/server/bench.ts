/**
 * API server benchmarks (harness/bench.ts). Public: `vmconform bench --only server`.
 * Model backend, served in this process over TLS on loopback.
 *
 * - server.list1000VmsMs: GET of 1,000 VMs (JSON, as kubectl -o json and
 *   informers ask), the median of 20 requests on a keep-alive connection as
 *   the client sees it (an upper bound of the server's time); the server
 *   reuses a list's answer while nothing changed, so meta.firstMs is the one
 *   that built it. Target ≤ 50 ms.
 * - server.watchLatencyMs: from a VM write in the cluster to its watch event
 *   arriving at a watching client, the median of 50 writes (meta: p99, max).
 *   Target ≤ 10 ms.
 * - server.concurrentListP99Ms: 50 keep-alive clients (in a worker thread,
 *   so they do not share the server's event loop) listing 100 VMIs in a
 *   loop for 30 s (3 s with --quick; VMCONFORM_BENCH_SERVER_SECONDS
 *   overrides): p99 latency; meta: requests, errors (must be 0). Target ≤ 100 ms.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { request, Agent } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import type { BenchFigure, BenchSuite } from '../bench.ts';
import { validateObject, type KubeObject } from '../api/index.ts';
import { modelCluster } from './clusters.ts';
import { ensureCredentials } from './credentials.ts';
import { startApiServer } from './server.ts';

const vm = (name: string, runStrategy: string): KubeObject => {
  const v = validateObject({ apiVersion: 'kubevirt.io/v1', kind: 'VirtualMachine', metadata: { name, labels: { bench: 'yes' } }, spec: { runStrategy, template: { spec: { domain: { memory: { guest: '64Mi' }, devices: {} } } } } });
  if (!v.ok) throw new Error(`bench VM: ${JSON.stringify(v.issues)}`);
  return v.object;
};

const quantile = (xs: number[], q: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(q * s.length))]!;
};

/** The load generator: `clients` keep-alive loops GETting `url` until `seconds` pass. */
const LOAD = `
const { parentPort, workerData } = require('node:worker_threads');
const https = require('node:https');
const { url, token, ca, clients, seconds } = workerData;
const agent = new https.Agent({ keepAlive: true, maxSockets: clients, ca });
const lat = []; let errors = 0; const end = Date.now() + seconds * 1000;
function once() {
  return new Promise((resolve) => {
    const t = performance.now();
    const req = https.request(url, { agent, headers: { Authorization: 'Bearer ' + token, Accept: 'application/json' } }, (res) => {
      res.on('data', () => {});
      res.on('end', () => { if (res.statusCode === 200) lat.push(performance.now() - t); else errors++; resolve(); });
    });
    req.on('error', () => { errors++; resolve(); });
    req.end();
  });
}
async function loop() { while (Date.now() < end) await once(); }
Promise.all(Array.from({ length: clients }, loop)).then(() => { agent.destroy(); parentPort.postMessage({ lat, errors }); });
`;

export const bench: BenchSuite = async ({ quick }) => {
  const dir = await mkdtemp(join(tmpdir(), 'vmconform-server-bench-'));
  const creds = await ensureCredentials(dir);
  const cluster = await modelCluster({ nodes: 20 });
  const server = await startApiServer({ backend: cluster.backend, advanceClock: cluster.advanceClock!, token: creds.token, tls: { key: creds.key, cert: creds.cert } });
  const agent = new Agent({ keepAlive: true, ca: creds.caCert });
  const get = (path: string) =>
    new Promise<{ ms: number; bytes: number }>((resolve, reject) => {
      const t = performance.now();
      const req = request(`${server.url}${path}`, { agent, headers: { Authorization: `Bearer ${creds.token}`, Accept: 'application/json' } }, (res) => {
        let bytes = 0;
        res.on('data', (c: Buffer) => (bytes += c.length));
        res.on('end', () => (res.statusCode === 200 ? resolve({ ms: performance.now() - t, bytes }) : reject(new Error(`GET ${path}: ${res.statusCode}`))));
      });
      req.on('error', reject);
      req.end();
    });
  const figures: BenchFigure[] = [];
  try {
    const b = server.driver.backend;
    // 100 running VMs (their VMIs for the concurrent list), 900 halted
    for (let i = 0; i < 1000; i++) await b.apply(vm(`vm-${String(i).padStart(4, '0')}`, i < 100 ? 'Always' : 'Halted'));
    server.driver.flush();
    await new Promise((r) => setTimeout(r, 500));

    const VMS = '/apis/kubevirt.io/v1/namespaces/default/virtualmachines';
    const uncached = (await get(VMS)).ms; // the first list builds the answer; the next ones at the same version reuse it
    for (let i = 0; i < 2; i++) await get(VMS);
    const lists: number[] = [];
    let bytes = 0;
    for (let i = 0; i < 20; i++) {
      const r = await get(VMS);
      lists.push(r.ms);
      bytes = r.bytes;
    }
    figures.push({ name: 'server.list1000VmsMs', value: quantile(lists, 0.5), unit: 'ms', target: { op: '<=', value: 50 }, meta: { requests: 20, max: Math.max(...lists), bytes, firstMs: uncached } });

    // watch latency: write, then wait for the event at the client
    const delays: number[] = [];
    await new Promise<void>((resolve, reject) => {
      let pending: { name: string; t: number } | null = null;
      let buf = '';
      let n = 0;
      const next = async () => {
        if (n === 50) return resolve(req.destroy() && undefined);
        const name = `vm-${String(100 + n++).padStart(4, '0')}`;
        const cur = b.core.object('VirtualMachine', name)!;
        pending = { name, t: performance.now() };
        await b.apply({ ...vm(name, 'Halted'), metadata: { ...cur.metadata, labels: { bench: 'yes', n: String(n) } } } as never);
        server.driver.flush();
      };
      const req = request(`${server.url}${VMS}?watch=1&resourceVersion=${server.driver.feed.rv}`, { headers: { Authorization: `Bearer ${creds.token}` }, ca: creds.caCert }, (res) => {
        res.on('data', (c: Buffer) => {
          buf += c.toString();
          let i: number;
          while ((i = buf.indexOf('\n')) >= 0) {
            const ev = JSON.parse(buf.slice(0, i)) as { object: { metadata: { name: string } } };
            buf = buf.slice(i + 1);
            if (pending && ev.object.metadata.name === pending.name) {
              delays.push(performance.now() - pending.t);
              pending = null;
              setTimeout(() => void next().catch(reject), 5);
            }
          }
        });
        res.on('error', () => {});
        void next().catch(reject);
      });
      req.on('error', (e) => (delays.length < 50 ? reject(e) : undefined));
      req.end();
    });
    figures.push({ name: 'server.watchLatencyMs', value: quantile(delays, 0.5), unit: 'ms', target: { op: '<=', value: 10 }, meta: { writes: delays.length, p99: quantile(delays, 0.99), max: Math.max(...delays) } });

    const seconds = Number(process.env.VMCONFORM_BENCH_SERVER_SECONDS ?? (quick ? 3 : 30));
    const load = await new Promise<{ lat: number[]; errors: number }>((resolve, reject) => {
      const w = new Worker(LOAD, { eval: true, workerData: { url: `${server.url}/apis/kubevirt.io/v1/namespaces/default/virtualmachineinstances`, token: creds.token, ca: creds.caCert, clients: 50, seconds } });
      w.once('message', resolve);
      w.once('error', reject);
    });
    figures.push({
      name: 'server.concurrentListP99Ms',
      value: load.lat.length ? quantile(load.lat, 0.99) : Number.POSITIVE_INFINITY,
      unit: 'ms',
      target: { op: '<=', value: 100 },
      meta: { clients: 50, seconds, vmis: server.driver.feed.list('VirtualMachineInstance').length, requests: load.lat.length + load.errors, errors: load.errors, p50: load.lat.length ? quantile(load.lat, 0.5) : null },
    });
  } finally {
    agent.destroy();
    await server.close();
    await cluster.backend.dispose();
    await rm(dir, { recursive: true, force: true });
  }
  return figures;
};
