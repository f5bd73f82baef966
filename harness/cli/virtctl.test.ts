/**
 * `vmconform virtctl` and `vmconform virsh` against a small local HTTPS +
 * websocket server that records what the clients send (the API server is
 * tested on its own; here it only stands in for it): the paths, bodies and
 * bearer token of KubeVirt's subresource calls (client-go
 * kubevirt/typed/core/v1/*_expansion.go), virtctl's messages and exit
 * codes (pkg/virtctl/vm/*.go, pause/, unpause/, softreboot/, console/), the
 * console's Ctrl+] detach, and an RFB screenshot decoded to PNG.
 */
import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:https';
import { connect, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough, Writable } from 'node:stream';
import { PNG } from 'pngjs';
import { WebSocketServer, type WebSocket } from 'ws';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { run as virtctl, type CliIo } from './virtctl.ts';
import { run as virsh } from './virsh.ts';
import { readFramebuffer } from './rfb.ts';

const TOKEN = 'test-token-1';
const READY = 'vmconform-ready boot_id=0b4bd1a4-3c3e-4a51-9d0b-6b0b0c6b7e11\r\n';

interface Seen {
  method: string;
  path: string;
  auth: string | undefined;
  body: unknown;
}

/** Answers by "METHOD path": status and JSON body. Unlisted: 404 Status. */
type Routes = Record<string, [number, unknown]>;

let dir: string;
let server: Server;
let wss: WebSocketServer;
let kubeconfig: string;
let seen: Seen[] = [];
let routes: Routes = {};
let consoleInput: Buffer[] = [];
/** How many more console attempts on vm-later are refused with 400 VMI is not running. */
let laterRefusals = 0;

function status(code: number, reason: string, message: string): unknown {
  return { kind: 'Status', apiVersion: 'v1', status: 'Failure', code, reason, message };
}

/** A 4x2 RFB 3.8 server: security None, Raw frames of two colours (left half red, right half blue). */
function serveRfb(ws: WebSocket): void {
  let step = 0;
  let buf = Buffer.alloc(0);
  ws.send(Buffer.from('RFB 003.008\n'));
  ws.on('message', (data: Buffer) => {
    buf = Buffer.concat([buf, data]);
    if (step === 0 && buf.length >= 12) {
      buf = buf.subarray(12);
      ws.send(Buffer.from([1, 1]));
      step = 1;
    }
    if (step === 1 && buf.length >= 1) {
      buf = buf.subarray(1);
      ws.send(Buffer.alloc(4)); // SecurityResult OK
      step = 2;
    }
    if (step === 2 && buf.length >= 1) {
      buf = buf.subarray(1);
      const name = Buffer.from('vm-a');
      const init = Buffer.alloc(24);
      init.writeUInt16BE(4, 0);
      init.writeUInt16BE(2, 2);
      init.writeUInt32BE(name.length, 20);
      ws.send(Buffer.concat([init, name]));
      step = 3;
    }
    // SetPixelFormat (20) + SetEncodings (8) + FramebufferUpdateRequest (10)
    if (step === 3 && buf.length >= 38) {
      buf = buf.subarray(38);
      const head = Buffer.alloc(4 + 12);
      head.writeUInt16BE(1, 2);
      head.writeUInt16BE(4, 8);
      head.writeUInt16BE(2, 10);
      const px = Buffer.alloc(4 * 2 * 4);
      for (let i = 0; i < 8; i++) px.writeUInt32LE(i % 4 < 2 ? 0xff0000 : 0x0000ff, i * 4);
      ws.send(Buffer.concat([head, px]));
      step = 4;
    }
  });
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'vctl-'));
  const key = join(dir, 'key.pem');
  const cert = join(dir, 'cert.pem');
  execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-keyout', key, '-out', cert, '-days', '1', '-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1'], { stdio: 'ignore' });
  server = createServer({ key: readFileSync(key), cert: readFileSync(cert) }, (req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const text = Buffer.concat(chunks).toString();
      seen.push({ method: req.method!, path: req.url!, auth: req.headers.authorization, body: text ? JSON.parse(text) : undefined });
      const [code, body] = req.headers.authorization !== `Bearer ${TOKEN}` ? [401, status(401, 'Unauthorized', 'Unauthorized')] : (routes[`${req.method} ${req.url}`] ?? [404, status(404, 'NotFound', `the server could not find the requested resource`)]);
      res.writeHead(code, { 'Content-Type': 'application/json' }).end(JSON.stringify(body));
    });
  });
  wss = new WebSocketServer({ noServer: true, handleProtocols: (p) => (p.has('plain.kubevirt.io') ? 'plain.kubevirt.io' : false) });
  server.on('upgrade', (req, socket, head) => {
    if (req.url?.includes('/vm-later/') && laterRefusals-- > 0) {
      const body = JSON.stringify(status(400, 'BadRequest', 'VMI is not running'));
      return void socket.end(`HTTP/1.1 400 Bad Request\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`);
    }
    if (!req.url?.includes('/vm-stopped/')) return wss.handleUpgrade(req, socket, head, (ws) => wss.emit('connection', ws, req));
    const body = JSON.stringify(status(409, 'Conflict', 'Operation cannot be fulfilled on virtualmachineinstance.kubevirt.io "vm-stopped": VMI is not running'));
    socket.end(`HTTP/1.1 409 Conflict\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`);
  });
  wss.on('connection', (ws, req) => {
    if (req.headers.authorization !== `Bearer ${TOKEN}`) return ws.close();
    if (req.url?.endsWith('/vnc')) return serveRfb(ws);
    ws.send(Buffer.from(READY));
    if (req.url?.includes('/vm-gone/')) return ws.close(); // the guest powered off
    ws.on('message', (d: Buffer) => consoleInput.push(d));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as AddressInfo).port;
  kubeconfig = join(dir, 'kubeconfig');
  writeFileSync(kubeconfig, [
    'apiVersion: v1', 'kind: Config', 'current-context: vmconform',
    'clusters:', '- name: vmconform', '  cluster:', `    server: https://127.0.0.1:${port}`, `    certificate-authority-data: ${readFileSync(cert).toString('base64')}`,
    'users:', '- name: admin', '  user:', `    token: ${TOKEN}`,
    'contexts:', '- name: vmconform', '  context: {cluster: vmconform, user: admin, namespace: team-a}', '',
  ].join('\n'), { mode: 0o600 });
});

afterAll(async () => {
  for (const c of wss.clients) c.terminate();
  wss.close();
  await new Promise((r) => server.close(r));
  rmSync(dir, { recursive: true, force: true });
});

beforeEach(() => {
  seen = [];
  routes = {};
  consoleInput = [];
});

function capture(): { io: CliIo; out: () => string; err: () => string; stdin: PassThrough } {
  const sink = () => {
    const chunks: Buffer[] = [];
    const w = new Writable({ write: (c: Buffer, _e, cb) => (chunks.push(Buffer.from(c)), cb()) });
    return { w, text: () => Buffer.concat(chunks).toString() };
  };
  const o = sink();
  const e = sink();
  const stdin = new PassThrough();
  return { io: { stdin, stdout: o.w, stderr: e.w, env: { KUBECONFIG: kubeconfig } }, out: o.text, err: e.text, stdin };
}

const VM = '/apis/subresources.kubevirt.io/v1/namespaces/team-a/virtualmachines';
const VMI = '/apis/subresources.kubevirt.io/v1/namespaces/team-a/virtualmachineinstances';

describe('vmconform virtctl', () => {
  it('start / stop / restart / migrate: PUT the VM subresource with its options and the bearer token; virtctl\'s message; exit 0', async () => {
    for (const verb of ['start', 'stop', 'restart', 'migrate']) routes[`PUT ${VM}/vm-a/${verb}`] = [202, {}];
    const cases: [string[], string, unknown][] = [
      [['start', 'vm-a'], 'start', {}],
      [['start', 'vm-a', '--paused'], 'start', { paused: true }],
      [['stop', 'vm-a'], 'stop', {}],
      [['stop', 'vm-a', '--force', '--grace-period=0'], 'stop', { gracePeriod: 0 }],
      [['restart', 'vm-a', '--force=true', '--grace-period', '5'], 'restart', { gracePeriodSeconds: 5 }],
      [['migrate', 'vm-a', '--addedNodeSelector=zone=b'], 'migrate', { addedNodeSelector: { zone: 'b' } }],
    ];
    for (const [argv, verb, body] of cases) {
      const c = capture();
      expect(await virtctl(argv, c.io), argv.join(' ')).toBe(0);
      expect(c.out()).toBe(`VM vm-a was scheduled to ${verb}\n`);
      expect(seen.pop()).toEqual({ method: 'PUT', path: `${VM}/vm-a/${verb}`, auth: `Bearer ${TOKEN}`, body });
    }
  });

  it('errors: the Status message in virtctl\'s wording, exit 1; --force without --grace-period sends nothing', async () => {
    routes[`PUT ${VM}/vm-a/start`] = [409, status(409, 'Conflict', 'Operation cannot be fulfilled on virtualmachine.kubevirt.io "vm-a": VM is already running')];
    let c = capture();
    expect(await virtctl(['start', 'vm-a'], c.io)).toBe(1);
    expect(c.err()).toBe('Error starting VirtualMachine Operation cannot be fulfilled on virtualmachine.kubevirt.io "vm-a": VM is already running\n');
    c = capture();
    expect(await virtctl(['stop', 'vm-a', '--force'], c.io)).toBe(1);
    expect(c.err()).toBe('Must both use --force=true and set --grace-period.\n');
    expect(seen.length).toBe(1);
    c = capture();
    expect(await virtctl(['frob', 'vm-a'], c.io)).toBe(1);
    expect(c.err()).toMatch(/^unknown command "frob" for "virtctl"/);
    c = capture();
    expect(await virtctl(['start'], c.io)).toBe(1);
    expect(c.err()).toBe('accepts 1 arg(s), received 0\n');
  });

  it('-n and --kubeconfig win over the context and $KUBECONFIG; a wrong token is refused (401)', async () => {
    routes['PUT /apis/subresources.kubevirt.io/v1/namespaces/other/virtualmachineinstances/vm-b/softreboot'] = [202, {}];
    let c = capture();
    c.io.env = { KUBECONFIG: join(dir, 'missing') };
    expect(await virtctl(['soft-reboot', 'vm-b', '-n', 'other', '--kubeconfig', kubeconfig], c.io)).toBe(0);
    expect(c.out()).toBe('VMI vm-b was scheduled to soft-reboot\n');
    expect(seen.pop()).toMatchObject({ method: 'PUT', body: undefined });

    c = capture();
    c.io.env = { KUBECONFIG: join(dir, 'missing') };
    expect(await virtctl(['soft-reboot', 'vm-b'], c.io)).toBe(1);
    expect(c.err()).toMatch(/cannot read the kubeconfig .*missing/);

    const bad = join(dir, 'bad-token');
    writeFileSync(bad, readFileSync(kubeconfig, 'utf8').replace(TOKEN, 'wrong'));
    c = capture();
    expect(await virtctl(['soft-reboot', 'vm-b', '--kubeconfig', bad], c.io)).toBe(1);
    expect(c.err()).toBe('Error soft rebooting VirtualMachineInstance vm-b: Unauthorized\n');
  });

  it('pause vm NAME reads the VM, then pauses its VMI; a Halted VM without a VMI says it is not set to run; unpause vmi', async () => {
    routes['GET /apis/kubevirt.io/v1/namespaces/team-a/virtualmachines/vm-a'] = [200, { metadata: { name: 'vm-a' }, spec: { runStrategy: 'Always' } }];
    routes[`PUT ${VMI}/vm-a/pause`] = [200, {}];
    routes[`PUT ${VMI}/vm-a/unpause`] = [200, {}];
    let c = capture();
    expect(await virtctl(['pause', 'vm', 'vm-a'], c.io)).toBe(0);
    expect(c.out()).toBe('VMI vm-a was scheduled to pause\n');
    expect(seen.map((s) => `${s.method} ${s.path}`)).toEqual(['GET /apis/kubevirt.io/v1/namespaces/team-a/virtualmachines/vm-a', `PUT ${VMI}/vm-a/pause`]);
    c = capture();
    expect(await virtctl(['unpause', 'VMI', 'vm-a', '--dry-run'], c.io)).toBe(0);
    expect(c.out()).toBe('Dry Run execution\nVMI vm-a was scheduled to unpause\n');
    expect(seen.pop()!.body).toEqual({ dryRun: ['All'] });

    routes['GET /apis/kubevirt.io/v1/namespaces/team-a/virtualmachines/vm-h'] = [200, { metadata: { name: 'vm-h' }, spec: { runStrategy: 'Halted' } }];
    c = capture();
    expect(await virtctl(['pause', 'vm', 'vm-h'], c.io)).toBe(1);
    expect(c.err()).toBe('Error pausing VirtualMachineInstance vm-h. VirtualMachine vm-h is not set to run\n');
    c = capture();
    expect(await virtctl(['pause', 'pod', 'vm-a'], c.io)).toBe(1);
  });

  it('guestosinfo prints the answer as indented JSON', async () => {
    routes[`GET ${VMI}/vm-a/guestosinfo`] = [200, { guestAgentVersion: '7.2', os: { id: 'vmconform' } }];
    const c = capture();
    expect(await virtctl(['guestosinfo', 'vm-a'], c.io)).toBe(0);
    expect(c.out()).toBe('{\n  "guestAgentVersion": "7.2",\n  "os": {\n    "id": "vmconform"\n  }\n}\n');
  });

  it('console: the serial bytes reach stdout, typed bytes reach the VMI, Ctrl+] detaches with exit 0', async () => {
    const c = capture();
    const done = virtctl(['console', 'vm-a'], c.io);
    await expect.poll(() => c.out(), { timeout: 5000 }).toBe(READY);
    expect(c.err()).toBe('Successfully connected to vm-a console. Press Ctrl+] or Ctrl+5 to exit console.\n');
    c.stdin.write('uname\r');
    await expect.poll(() => Buffer.concat(consoleInput).toString(), { timeout: 5000 }).toBe('uname\r');
    c.stdin.write(Buffer.from([0x61, 0x1d, 0x62])); // 'a', Ctrl+], 'b': 'a' is sent, 'b' is not
    expect(await done).toBe(0);
    await expect.poll(() => Buffer.concat(consoleInput).toString(), { timeout: 5000 }).toBe('uname\ra');
    expect(c.err()).not.toMatch(/disconnected/);
  });

  it('console on a terminal: raw mode while attached, restored on detach (pkg/virtctl/console/console.go Attach: term.MakeRaw / Restore)', async () => {
    const c = capture();
    const modes: boolean[] = [];
    Object.assign(c.stdin, { isTTY: true, setRawMode: (raw: boolean) => modes.push(raw) });
    const done = virtctl(['console', 'vm-a'], c.io);
    await expect.poll(() => c.out(), { timeout: 5000 }).toBe(READY);
    expect(modes).toEqual([true]);
    c.stdin.write(Buffer.from([0x1d]));
    expect(await done).toBe(0);
    expect(modes).toEqual([true, false]);
  });

  it('console under a real pty (util-linux script(1), in Debian essential bsdutils): raw mode, so Ctrl+] detaches without a newline and typed bytes are not echoed', async () => {
    // The command line is fixed text (the repo's own paths, quoted); the kubeconfig comes through the environment.
    const q = (x: string) => `'${x.replace(/'/g, `'\\''`)}'`;
    const bin = join(import.meta.dirname, '../../bin/vmconform.js');
    const child = spawn('script', ['-q', '-e', '-c', `${q(process.execPath)} ${q(bin)} virtctl console vm-a`, '/dev/null'], { env: { ...process.env, KUBECONFIG: kubeconfig }, stdio: ['pipe', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (c: Buffer) => (out += c.toString()));
    const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
    try {
      await expect.poll(() => out, { timeout: 20_000 }).toContain('vmconform-ready');
      child.stdin.write('xyz');
      await expect.poll(() => Buffer.concat(consoleInput).toString(), { timeout: 5000 }).toBe('xyz');
      child.stdin.write(Buffer.from([0x1d]));
      expect(await exited).toBe(0);
      expect(out).not.toContain('xyz'); // no echo: the terminal was raw
      expect(out).toContain('Successfully connected to vm-a console');
    } finally {
      child.kill('SIGKILL');
    }
  });

  it('console: the VMI going away ends the session with virtctl\'s explanation', async () => {
    const c = capture();
    expect(await virtctl(['console', 'vm-gone'], c.io)).toBe(0);
    expect(c.out()).toBe(READY);
    expect(c.err()).toMatch(/You were disconnected from the console.*\n - the target VM was powered off/s);
  });

  it('console of a VMI that is not running yet (400): tried again every second until it runs (client-go kubecli/vmi.go SerialConsole)', async () => {
    laterRefusals = 2;
    const c = capture();
    const done = virtctl(['console', 'vm-later'], c.io);
    await expect.poll(() => c.out(), { timeout: 10_000 }).toBe(READY);
    expect(laterRefusals).toBe(-1);
    c.stdin.write(Buffer.from([0x1d]));
    expect(await done).toBe(0);
  });

  it('console --timeout=0: one refusal (400) is the end: Timeout trying to connect', async () => {
    laterRefusals = 5;
    const c = capture();
    expect(await virtctl(['console', 'vm-later', '--timeout=0'], c.io)).toBe(1);
    expect(c.err()).toBe('Timeout trying to connect to the virtual machine instance\n');
  });

  it('console of a VMI that is not running: the Status of the refused websocket in client-go\'s wording, exit 1', async () => {
    const c = capture();
    expect(await virtctl(['console', 'vm-stopped'], c.io)).toBe(1);
    expect(c.err()).toBe('Can\'t connect to websocket (409): Operation cannot be fulfilled on virtualmachineinstance.kubevirt.io "vm-stopped": VMI is not running\n');
  });

  it('vnc --screenshot FILE (and vnc screenshot NAME -f FILE): RFB over the websocket, Raw pixels, a PNG of the frame', async () => {
    for (const argv of [['vnc', '--screenshot', join(dir, 'a.png'), 'vm-a'], ['vnc', 'screenshot', 'vm-a', '-f', join(dir, 'b.png')]]) {
      const c = capture();
      expect(await virtctl(argv, c.io), c.err()).toBe(0);
      const png = PNG.sync.read(readFileSync(argv.includes('-f') ? join(dir, 'b.png') : join(dir, 'a.png')));
      expect([png.width, png.height]).toEqual([4, 2]);
      expect([...png.data.subarray(0, 4)]).toEqual([255, 0, 0, 255]);
      expect([...png.data.subarray(8, 12)]).toEqual([0, 0, 255, 255]);
    }
    const c = capture();
    expect(await virtctl(['vnc', 'vm-a'], c.io)).toBe(1);
    expect(c.err()).toMatch(/--screenshot FILE.png/);
  });
});

describe('vmconform virtctl vnc --proxy-only', () => {
  it('listens on 127.0.0.1, prints {"port":N}, bridges one viewer to the VNC websocket, ends when the viewer leaves', async () => {
    const c = capture();
    const done = virtctl(['vnc', 'vm-a', '--proxy-only'], c.io);
    await expect.poll(() => c.out(), { timeout: 5000 }).toMatch(/^\{"port":\d+\}\n$/);
    const { port } = JSON.parse(c.out()) as { port: number };
    const sock = connect(port, '127.0.0.1');
    const fb = await readFramebuffer(sock);
    expect([fb.width, fb.height, fb.name]).toEqual([4, 2, 'vm-a']);
    sock.destroy();
    expect(await done).toBe(0);
    await expect(new Promise((resolve, reject) => connect(port, '127.0.0.1').once('connect', resolve).once('error', reject))).rejects.toThrow(/ECONNREFUSED/);
  });
});

describe('vmconform virsh', () => {
  const VIRSH = '/apis/subresources.vmconform.io/v1/namespaces/team-a/virtualmachineinstances/vm-a/virsh';

  it('POSTs argv to the virsh subresource, prints virsh\'s stdout and stderr, exits with its code', async () => {
    routes[`POST ${VIRSH}`] = [200, { exitCode: 1, stdout: '\n', stderr: "error: Domain 'team-a_vm-a' is already active\n" }];
    const c = capture();
    expect(await virsh(['--vmi', 'vm-a', 'start', 'team-a_vm-a'], c.io)).toBe(1);
    expect(seen.pop()).toEqual({ method: 'POST', path: VIRSH, auth: `Bearer ${TOKEN}`, body: { argv: ['start', 'team-a_vm-a'] } });
    expect(c.out()).toBe('\n');
    expect(c.err()).toBe("error: Domain 'team-a_vm-a' is already active\n");

    routes[`POST ${VIRSH}`] = [200, { exitCode: 0, stdout: 'running\n\n', stderr: '' }];
    const d = capture();
    expect(await virsh(['--vmi', 'vm-a', 'domstate', '--reason', 'team-a_vm-a'], d.io)).toBe(0);
    expect(seen.pop()!.body).toEqual({ argv: ['domstate', '--reason', 'team-a_vm-a'] });
  });

  it('a VMI that does not exist: the server\'s message, exit 1; usage errors exit 2 and send nothing', async () => {
    const c = capture();
    expect(await virsh(['--vmi', 'vm-a', 'list'], c.io)).toBe(1);
    expect(c.err()).toBe('error: the server could not find the requested resource\n');
    for (const argv of [['list'], ['--vmi', 'vm-a'], ['--vmi', 'vm-a', '--bogus', 'list']]) {
      const e = capture();
      expect(await virsh(argv, e.io), argv.join(' ')).toBe(2);
    }
    expect(seen.length).toBe(1);
  });
});
