/**
 * The API server's wire behaviour over real TLS sockets (a model cluster in
 * this process): security (token, body limit, malformed bodies), watch
 * semantics (resourceVersion, bookmarks, 410), patches, KubeVirt's
 * subresources, and the console / vnc / virsh glue with a fake
 * LauncherAccess (the real node side is the qemu backend's).
 */
import { request } from 'node:https';
import { PassThrough, Duplex } from 'node:stream';
import WebSocket from 'ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LauncherAccess } from '../../backends/contract.ts';
import { serveModel, type Served } from './served.testkit.ts';

let s: Served;
const virshCalls: { namespace: string; vmi: string; argv: string[] }[] = [];

/** A serial console that echoes upper-cased; a VNC stream that greets with the RFB banner. */
const fakeLauncher: LauncherAccess = {
  async console() {
    const d = new Duplex({
      read() {},
      write(chunk: Buffer, _enc, cb) {
        this.push(Buffer.from(chunk.toString().toUpperCase()));
        cb();
      },
    });
    return d;
  },
  async vnc() {
    const p = new PassThrough();
    p.write('RFB 003.008\n');
    return p;
  },
  async virsh(namespace, vmi, argv) {
    virshCalls.push({ namespace, vmi, argv });
    return { exitCode: 0, stdout: ` Id   Name           State\n------------------------------\n 1    ${namespace}_${vmi}   running\n`, stderr: '' };
  },
};

interface Answer {
  code: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
  json: any;
}

function call(method: string, path: string, opts: { body?: string | Buffer; type?: string; token?: string | null; accept?: string } = {}): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const headers: Record<string, string> = { Accept: opts.accept ?? 'application/json' };
    const token = opts.token === undefined ? s.creds.token : opts.token;
    if (token !== null) headers.Authorization = `Bearer ${token}`;
    if (opts.body !== undefined) headers['Content-Type'] = opts.type ?? 'application/json';
    const req = request(new URL(path, s.server.url), { method, headers, ca: s.creds.caCert }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString();
        let json: unknown = null;
        try {
          json = JSON.parse(text);
        } catch {
          /* not JSON */
        }
        resolve({ code: res.statusCode ?? 0, headers: res.headers, text, json });
      });
    });
    req.on('error', reject);
    req.end(opts.body);
  });
}

/** Opens a watch and collects its events until `stop()`. */
function watchEvents(path: string): Promise<{ events: any[]; code: number; stop: () => void; text: () => string }> {
  return new Promise((resolve, reject) => {
    const events: any[] = [];
    let buf = '';
    const req = request(new URL(path, s.server.url), { headers: { Authorization: `Bearer ${s.creds.token}` }, ca: s.creds.caCert }, (res) => {
      res.on('data', (c: Buffer) => {
        buf += c.toString();
        let i: number;
        while ((i = buf.indexOf('\n')) >= 0) {
          events.push(JSON.parse(buf.slice(0, i)));
          buf = buf.slice(i + 1);
        }
      });
      res.on('error', () => {});
      resolve({ events, code: res.statusCode ?? 0, stop: () => req.destroy(), text: () => buf });
    });
    req.on('error', (e) => (events.length ? undefined : reject(e)));
    req.end();
  });
}

const VMS = '/apis/kubevirt.io/v1/namespaces/default/virtualmachines';
const VMIS = '/apis/kubevirt.io/v1/namespaces/default/virtualmachineinstances';
const SUB = '/apis/subresources.kubevirt.io/v1/namespaces/default';
const vm = (name: string, runStrategy = 'Always') => JSON.stringify({ apiVersion: 'kubevirt.io/v1', kind: 'VirtualMachine', metadata: { name }, spec: { runStrategy, template: { spec: { domain: { memory: { guest: '512Mi' }, devices: {} } } } } });
const until = async (what: () => boolean | Promise<boolean>, ms = 5000) => {
  const end = Date.now() + ms;
  while (!(await what()) && Date.now() < end) await new Promise((r) => setTimeout(r, 20));
  expect(await what()).toBe(true);
};

beforeAll(async () => {
  s = await serveModel({ bookmarkMs: 100, maxBodyBytes: 64 * 1024, launcher: fakeLauncher });
});
afterAll(async () => {
  await s?.close();
});

describe('security', () => {
  it('listens on loopback only', () => {
    expect(s.server.url).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
  });

  it('answers 401 Unauthorized without the right token, everywhere but the health and version probes', async () => {
    for (const token of [null, 'wrong']) {
      const r = await call('GET', '/api/v1/nodes', { token });
      expect(r.code).toBe(401);
      expect(r.json).toMatchObject({ kind: 'Status', reason: 'Unauthorized', code: 401 });
    }
    expect((await call('GET', '/version', { token: null })).code).toBe(200);
    expect((await call('GET', '/readyz', { token: null })).code).toBe(200);
  });

  it('refuses a body over the limit with 413', async () => {
    const big = JSON.stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'big' }, data: { x: 'x'.repeat(100 * 1024) } });
    const r = await call('POST', '/api/v1/namespaces/default/configmaps', { body: big });
    expect(r.code).toBe(413);
    expect(r.json).toMatchObject({ kind: 'Status', reason: 'RequestEntityTooLarge', code: 413 });
  });

  it('answers malformed JSON and YAML bodies with 400 Status, and keeps serving', async () => {
    const j = await call('POST', VMS, { body: '{"apiVersion": "kubevirt.io/v1", "kind": ' });
    expect(j.code).toBe(400);
    expect(j.json).toMatchObject({ kind: 'Status', reason: 'BadRequest', code: 400 });
    const y = await call('POST', VMS, { body: 'a: [b\n  c: }', type: 'application/yaml' });
    expect(y.code).toBe(400);
    expect(y.json.message).toContain('yaml parse error');
    const notObject = await call('POST', VMS, { body: '[1,2]' });
    expect(notObject.code).toBe(400);
    expect((await call('GET', '/api/v1/nodes')).code).toBe(200);
  });
});

describe('resources', () => {
  it('creates from YAML, refuses a duplicate with 409 AlreadyExists, and 404s in the apiserver\'s words', async () => {
    const yaml = `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cfg\ndata:\n  a: "1"\n`;
    expect((await call('POST', '/api/v1/namespaces/default/configmaps', { body: yaml, type: 'application/yaml' })).code).toBe(201);
    const dup = await call('POST', '/api/v1/namespaces/default/configmaps', { body: yaml, type: 'application/yaml' });
    expect(dup.json).toMatchObject({ code: 409, reason: 'AlreadyExists', message: 'configmaps "cfg" already exists' });
    const missing = await call('GET', `${VMS}/nope`);
    expect(missing.json).toMatchObject({ code: 404, reason: 'NotFound', message: 'virtualmachines.kubevirt.io "nope" not found', details: { name: 'nope', group: 'kubevirt.io', kind: 'virtualmachines' } });
    const otherNs = await call('POST', '/api/v1/namespaces/other/configmaps', { body: yaml, type: 'application/yaml' });
    expect(otherNs.json).toMatchObject({ code: 404, message: 'namespaces "other" not found' });
  });

  it('patches: merge and JSON patch on a VM, strategic merge refused for custom resources (415), accepted for core kinds', async () => {
    expect((await call('POST', VMS, { body: vm('p', 'Halted') })).code).toBe(201);
    const merge = await call('PATCH', `${VMS}/p`, { body: '{"metadata":{"labels":{"a":"b"}}}', type: 'application/merge-patch+json' });
    expect(merge.code).toBe(200);
    expect(merge.json.metadata.labels).toEqual({ a: 'b' });
    const jp = await call('PATCH', `${VMS}/p`, { body: '[{"op":"add","path":"/metadata/labels/c","value":"d"}]', type: 'application/json-patch+json' });
    expect(jp.json.metadata.labels).toEqual({ a: 'b', c: 'd' });
    const smp = await call('PATCH', `${VMS}/p`, { body: '{"metadata":{"labels":{"e":"f"}}}', type: 'application/strategic-merge-patch+json' });
    expect(smp.code).toBe(415);
    const cm = await call('PATCH', '/api/v1/namespaces/default/configmaps/cfg', { body: '{"data":{"b":"2"}}', type: 'application/strategic-merge-patch+json' });
    expect(cm.json.data).toEqual({ a: '1', b: '2' });
    const badPath = await call('PATCH', `${VMS}/p`, { body: '[{"op":"replace","path":"/spec/nothing/here","value":1}]', type: 'application/json-patch+json' });
    expect(badPath.code).toBe(422);
  });

  it('optimistic concurrency: PUT with a stale resourceVersion is 409 Conflict, with the current one 200', async () => {
    const cur = (await call('GET', `${VMS}/p`)).json;
    const stale = { ...cur, metadata: { ...cur.metadata, resourceVersion: '1' } };
    const r = await call('PUT', `${VMS}/p`, { body: JSON.stringify(stale) });
    expect(r.json).toMatchObject({ code: 409, reason: 'Conflict', message: 'Operation cannot be fulfilled on virtualmachines.kubevirt.io "p": the object has been modified; please apply your changes to the latest version and try again' });
    const ok = await call('PUT', `${VMS}/p`, { body: JSON.stringify({ ...cur, metadata: { ...cur.metadata, labels: { z: 'y' } } }) });
    expect(ok.code).toBe(200);
    expect(Number(ok.json.metadata.resourceVersion)).toBeGreaterThan(Number(cur.metadata.resourceVersion));
    const status = await call('GET', `${VMS}/p/status`);
    expect(status.json.status.printableStatus).toBe('Stopped');
  });

  it('serves a Table with KubeVirt\'s columns, the wide ones at priority 1', async () => {
    const t = await call('GET', VMIS, { accept: 'application/json;as=Table;v=v1;g=meta.k8s.io,application/json' });
    expect(t.json.kind).toBe('Table');
    expect(t.json.columnDefinitions.map((c: { name: string; priority: number }) => `${c.name}:${c.priority}`)).toEqual(['Name:0', 'Age:0', 'Phase:0', 'IP:0', 'NodeName:0', 'Ready:0', 'Live-Migratable:1', 'Paused:1']);
  });

  it('processes a Template (processedtemplates): parameters resolved, objects substituted, nothing stored', async () => {
    const { readFileSync } = await import('node:fs');
    const { parse } = await import('yaml');
    const t = parse(readFileSync(new URL('../../fixtures/templates/vmconform-server.yaml', import.meta.url), 'utf8')) as { parameters: { name: string; value?: string }[] };
    t.parameters = t.parameters.map((p) => (p.name === 'NAME' ? { ...p, value: 'from-template' } : p));
    const r = await call('POST', '/apis/template.openshift.io/v1/namespaces/default/processedtemplates', { body: JSON.stringify(t) });
    expect(r.code).toBe(201);
    expect(r.json.kind).toBe('Template');
    const vmObj = r.json.objects.find((o: { kind: string }) => o.kind === 'VirtualMachine');
    expect(vmObj.metadata.name).toBe('from-template');
    expect(r.json.parameters.find((p: { name: string }) => p.name === 'MEMORY').value).toBe('512Mi');
    expect((await call('GET', `${VMS}/from-template`)).code).toBe(404);
    expect((await call('GET', '/apis/template.openshift.io/v1/namespaces/default/processedtemplates')).code).toBe(405);
  });

  it('lists with a limit and a continue token', async () => {
    for (const n of ['l1', 'l2', 'l3']) await call('POST', '/api/v1/namespaces/default/configmaps', { body: JSON.stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: n } }) });
    const first = await call('GET', '/api/v1/namespaces/default/configmaps?limit=2');
    expect(first.json.items.map((i: { metadata: { name: string } }) => i.metadata.name)).toEqual(['cfg', 'l1']);
    const next = await call('GET', `/api/v1/namespaces/default/configmaps?limit=2&continue=${first.json.metadata.continue}`);
    expect(next.json.items.map((i: { metadata: { name: string } }) => i.metadata.name)).toEqual(['l2', 'l3']);
    expect(next.json.metadata.continue).toBeUndefined();
  });
});

describe('watch', () => {
  it('streams changes after a resourceVersion, with bookmarks, and answers 410 Expired for one the history lost', async () => {
    const list = await call('GET', VMIS);
    const w = await watchEvents(`${VMIS}?watch=1&resourceVersion=${list.json.metadata.resourceVersion}&allowWatchBookmarks=true`);
    expect(w.code).toBe(200);
    const t0 = Date.now();
    expect((await call('POST', VMS, { body: vm('w') })).code).toBe(201);
    await until(() => w.events.some((e) => e.type !== 'BOOKMARK' && e.object.metadata.name === 'w' && e.object.status.phase === 'Running'));
    expect(Date.now() - t0).toBeLessThan(3000);
    const phases = w.events.filter((e) => e.type !== 'BOOKMARK').map((e) => `${e.type} ${e.object.status.phase}`);
    expect(phases[0]).toMatch(/^ADDED (Pending|Scheduling|Scheduled)$/);
    expect(phases).toContain('MODIFIED Running');
    await until(() => w.events.some((e) => e.type === 'BOOKMARK'));
    const bookmark = w.events.find((e) => e.type === 'BOOKMARK');
    expect(bookmark.object).toMatchObject({ kind: 'VirtualMachineInstance', apiVersion: 'kubevirt.io/v1' });
    w.stop();

    const gone = await call('GET', `${VMIS}?watch=1&resourceVersion=0000001`);
    // the feed's history starts at the served cluster's initial state: version 1 is older
    expect(gone.code).toBe(410);
    expect(gone.json).toMatchObject({ kind: 'Status', reason: 'Expired', code: 410 });
  });

  it('a watch from the current version sees a deletion as DELETED', async () => {
    const rv = (await call('GET', VMS)).json.metadata.resourceVersion;
    const w = await watchEvents(`${VMS}?watch=true&resourceVersion=${rv}&fieldSelector=metadata.name%3Dw`);
    expect((await call('DELETE', `${VMS}/w`)).code).toBe(200);
    await until(() => w.events.some((e) => e.type === 'DELETED' && e.object.metadata.name === 'w'));
    expect(w.events.every((e) => e.object.metadata.name === 'w' || e.type === 'BOOKMARK')).toBe(true);
    w.stop();
  });
});

describe('KubeVirt subresources', () => {
  it('start, stop, pause as virt-api answers them (202 / 200, 409 worded as virt-api, 404 for an unknown VM)', async () => {
    expect((await call('POST', VMS, { body: vm('sub', 'Halted') })).code).toBe(201);
    const dry = await call('PUT', `${SUB}/virtualmachines/sub/start`, { body: '{"dryRun":["All"]}' });
    expect(dry.code).toBe(202);
    expect((await call('GET', `${VMS}/sub`)).json.spec.runStrategy).toBe('Halted');
    expect((await call('PUT', `${SUB}/virtualmachines/sub/start`)).code).toBe(202);
    await until(async () => (await call('GET', `${VMIS}/sub`)).json?.status?.phase === 'Running');
    // pkg/virt-api/rest/lifecycle.go StartVMRequestHandler: a running VM is a Conflict
    const again = await call('PUT', `${SUB}/virtualmachines/sub/start`, { body: '{}' });
    expect(again.json).toMatchObject({ code: 409, reason: 'Conflict', message: 'Operation cannot be fulfilled on virtualmachine.kubevirt.io "sub": VM is already running' });
    expect((await call('PUT', `${SUB}/virtualmachineinstances/sub/pause`)).code).toBe(200);
    const paused = await call('PUT', `${SUB}/virtualmachineinstances/sub/pause`);
    expect(paused.json).toMatchObject({ code: 409, message: 'Operation cannot be fulfilled on virtualmachineinstance.kubevirt.io "sub": VMI is already paused' });
    expect((await call('PUT', `${SUB}/virtualmachineinstances/sub/unpause`)).code).toBe(200);
    expect((await call('PUT', `${SUB}/virtualmachines/sub/stop`, { body: '{"gracePeriod": 0}' })).code).toBe(202);
    const bad = await call('PUT', `${SUB}/virtualmachines/sub/stop`, { body: '{"gracePeriod": "soon"}' });
    expect(bad.code).toBe(400);
    const missing = await call('PUT', `${SUB}/virtualmachines/ghost/start`);
    expect(missing.json).toMatchObject({ code: 404, message: 'virtualmachine.kubevirt.io "ghost" not found' });
  });

  it('is listed in discovery like a real cluster lists it', async () => {
    const groups = (await call('GET', '/apis')).json.groups.map((g: { name: string }) => g.name);
    expect(groups).toContain('subresources.kubevirt.io');
    const rs = (await call('GET', '/apis/subresources.kubevirt.io/v1')).json.resources.map((r: { name: string }) => r.name);
    expect(rs).toEqual(expect.arrayContaining(['virtualmachines/start', 'virtualmachines/stop', 'virtualmachineinstances/console', 'virtualmachineinstances/vnc']));
    const agg = await call('GET', '/apis', { accept: 'application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList,application/json' });
    expect(agg.json.kind).toBe('APIGroupDiscoveryList');
    expect(agg.headers['content-type']).toContain('as=APIGroupDiscoveryList');
  });
});

describe('console, vnc and virsh through the LauncherAccess', () => {
  const open = (name: string, kind: 'console' | 'vnc') =>
    new WebSocket(`${s.server.url.replace('https', 'wss')}${SUB}/virtualmachineinstances/${name}/${kind}`, 'plain.kubevirt.io', { headers: { Authorization: `Bearer ${s.creds.token}` }, ca: s.creds.caCert });

  it('pipes console bytes both ways in binary frames over plain.kubevirt.io', async () => {
    expect((await call('POST', VMS, { body: vm('con') })).code).toBe(201);
    await until(async () => (await call('GET', `${VMIS}/con`)).json?.status?.phase === 'Running');
    const ws = open('con', 'console');
    await new Promise((r, j) => (ws.once('open', r), ws.once('error', j)));
    expect(ws.protocol).toBe('plain.kubevirt.io');
    const got = new Promise<Buffer>((r) => ws.once('message', (d: Buffer, binary: boolean) => (expect(binary).toBe(true), r(d))));
    ws.send(Buffer.from('hello'));
    expect((await got).toString()).toBe('HELLO');
    ws.close();
    const vnc = open('con', 'vnc');
    const banner = await new Promise<Buffer>((r, j) => (vnc.once('message', r), vnc.once('error', j)));
    expect(banner.toString()).toBe('RFB 003.008\n');
    vnc.close();
  });

  it('refuses the upgrade with 404 for an unknown VMI and 401 without the token', async () => {
    const ws = open('ghost', 'console');
    const code = await new Promise<number>((r) => ws.once('unexpected-response', (_req, res) => r(res.statusCode ?? 0)));
    expect(code).toBe(404);
    const anon = new WebSocket(`${s.server.url.replace('https', 'wss')}${SUB}/virtualmachineinstances/con/console`, 'plain.kubevirt.io', { ca: s.creds.caCert });
    expect(await new Promise<number>((r) => anon.once('unexpected-response', (_req, res) => r(res.statusCode ?? 0)))).toBe(401);
  });

  it('runs virsh with the argv of the body; 404 for an unknown VMI', async () => {
    const r = await call('POST', '/apis/subresources.vmconform.io/v1/namespaces/default/virtualmachineinstances/con/virsh', { body: '{"argv":["list","--all"]}' });
    expect(r.code).toBe(200);
    expect(r.json).toMatchObject({ exitCode: 0, stderr: '' });
    expect(r.json.stdout).toContain('default_con');
    expect(virshCalls.at(-1)).toEqual({ namespace: 'default', vmi: 'con', argv: ['list', '--all'] });
    const ghost = await call('POST', '/apis/subresources.vmconform.io/v1/namespaces/default/virtualmachineinstances/ghost/virsh', { body: '{"argv":["list"]}' });
    expect(ghost.code).toBe(404);
    const bad = await call('POST', '/apis/subresources.vmconform.io/v1/namespaces/default/virtualmachineinstances/con/virsh', { body: '{"argv":"list"}' });
    expect(bad.code).toBe(400);
  });
});

describe('without launcher access', () => {
  it('answers 503 for virsh and console', async () => {
    const plain = await serveModel();
    try {
      const r = await new Promise<number>((resolve, reject) => {
        const req = request(new URL('/apis/subresources.vmconform.io/v1/namespaces/default/virtualmachineinstances/x/virsh', plain.server.url), { method: 'POST', headers: { Authorization: `Bearer ${plain.creds.token}`, 'Content-Type': 'application/json' }, ca: plain.creds.caCert }, (res) => (res.resume(), resolve(res.statusCode ?? 0)));
        req.on('error', reject);
        req.end('{"argv":["list"]}');
      });
      // no VMI named x: 404 comes first, as KubeVirt looks the VMI up before the handler
      expect(r).toBe(404);
      await plain.server.driver.backend.apply({ apiVersion: 'kubevirt.io/v1', kind: 'VirtualMachine', metadata: { name: 'x' }, spec: { runStrategy: 'Always', template: { spec: { domain: { memory: { guest: '512Mi' }, devices: {} } } } } } as never);
      plain.server.driver.flush();
      await until(() => plain.server.driver.feed.get('VirtualMachineInstance', 'x') !== undefined);
      const r2 = await new Promise<{ code: number; body: string }>((resolve, reject) => {
        const req = request(new URL('/apis/subresources.vmconform.io/v1/namespaces/default/virtualmachineinstances/x/virsh', plain.server.url), { method: 'POST', headers: { Authorization: `Bearer ${plain.creds.token}`, 'Content-Type': 'application/json' }, ca: plain.creds.caCert }, (res) => {
          let b = '';
          res.on('data', (c) => (b += c));
          res.on('end', () => resolve({ code: res.statusCode ?? 0, body: b }));
        });
        req.on('error', reject);
        req.end('{"argv":["list"]}');
      });
      expect(r2.code).toBe(503);
      expect(JSON.parse(r2.body)).toMatchObject({ kind: 'Status', reason: 'ServiceUnavailable' });
    } finally {
      await plain.close();
    }
  });
});
