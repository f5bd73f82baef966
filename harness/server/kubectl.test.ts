/**
 * The API server driven by a real kubectl (Debian's kubernetes-client 1.20,
 * unpacked by scripts/install-deps.sh) over real TLS sockets, on a model
 * cluster served in this process.
 */
import { request } from 'node:https';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { kubectl, kubectlSpawn } from './kubectl.testkit.ts';
import { SEED_VM as SEED, serveModel, type Served } from './served.testkit.ts';


let s: Served;
const k = (args: string[], input?: string) => kubectl(s.kubeconfig, args, input === undefined ? {} : { input });

/** A raw HTTPS request to the server (the CA of the cluster, the token unless `token` is null). */
function raw(method: string, path: string, opts: { body?: string; type?: string; token?: string | null } = {}): Promise<{ code: number; json: unknown }> {
  return new Promise((resolve, reject) => {
    const url = new URL(path, s.server.url);
    const headers: Record<string, string> = { Accept: 'application/json' };
    const token = opts.token === undefined ? s.creds.token : opts.token;
    if (token !== null) headers.Authorization = `Bearer ${token}`;
    if (opts.body !== undefined) headers['Content-Type'] = opts.type ?? 'application/json';
    const req = request(url, { method, headers, ca: s.creds.caCert }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString();
        resolve({ code: res.statusCode ?? 0, json: text ? (JSON.parse(text) as unknown) : null });
      });
    });
    req.on('error', reject);
    req.end(opts.body);
  });
}

beforeAll(async () => {
  s = await serveModel({ bookmarkMs: 200 });
});
afterAll(async () => {
  await s?.close();
});

describe('kubectl against the model cluster', () => {
  it('answers 401 with a Status without the token, and kubectl says it must log in', async () => {
    const r = await raw('GET', '/apis/kubevirt.io/v1/virtualmachines', { token: null });
    expect(r.code).toBe(401);
    expect(r.json).toMatchObject({ kind: 'Status', status: 'Failure', reason: 'Unauthorized', code: 401 });
    const bad = join(s.dir, 'kubeconfig-wrong-token');
    await writeFile(bad, (await import('node:fs')).readFileSync(s.kubeconfig, 'utf8').replace(s.creds.token, 'not-the-token'), { mode: 0o600 });
    const out = await kubectl(bad, ['get', 'vms']);
    expect(out.exitCode).toBe(1);
    expect(out.stderr).toContain('error: You must be logged in to the server (Unauthorized)');
  });

  it('applies the seed VM and prints KubeVirt\'s columns for vms and vmis', async () => {
    const applied = await k(['apply', '-f', '-'], SEED);
    expect(applied.stderr).toBe('');
    expect(applied.stdout.trim()).toBe('virtualmachine.kubevirt.io/seed created');
    const waited = await k(['wait', '--for=condition=Ready', 'vm/seed', '--timeout=20s']);
    expect(waited.stdout.trim()).toBe('virtualmachine.kubevirt.io/seed condition met');
    const vms = (await k(['get', 'vms', '-A'])).stdout.split('\n');
    // KubeVirt's VM printer columns: NAME AGE STATUS READY (crds.go additionalPrinterColumns)
    expect(vms[0]).toMatch(/^NAMESPACE\s+NAME\s+AGE\s+STATUS\s+READY$/);
    expect(vms[1]).toMatch(/^default\s+seed\s+\d+s\s+Running\s+True$/);
    const vmis = (await k(['get', 'vmis', '-A', '-o', 'wide'])).stdout.split('\n');
    expect(vmis[0]).toMatch(/^NAMESPACE\s+NAME\s+AGE\s+PHASE\s+IP\s+NODENAME\s+READY\s+LIVE-MIGRATABLE\s+PAUSED$/);
    expect(vmis[1]).toMatch(/^default\s+seed\s+\d+s\s+Running\s+10\.0\.2\.2\s+node-a\s+True\s+True\s*$/);
    const narrow = (await k(['get', 'vmis'])).stdout.split('\n');
    expect(narrow[0]).toMatch(/^NAME\s+AGE\s+PHASE\s+IP\s+NODENAME\s+READY$/);
    // KubeVirt's events: pkg/virt-controller/watch/vm/vm.go (SuccessfulCreate), pkg/virt-handler/vm.go (Created, Started)
    const events = (await k(['get', 'events'])).stdout.split('\n');
    expect(events[0]).toMatch(/^LAST SEEN\s+TYPE\s+REASON\s+OBJECT\s+MESSAGE$/);
    expect(events.slice(1).map((l) => l.replace(/^\S+\s+/, '').replace(/\s+/g, ' '))).toEqual([
      'Normal SuccessfulCreate virtualmachine/seed Started the virtual machine by creating the new virtual machine instance seed',
      'Normal Created virtualmachineinstance/seed VirtualMachineInstance defined.',
      'Normal Started virtualmachineinstance/seed VirtualMachineInstance started.',
    ]);
    expect((await k(['describe', 'vm', 'seed'])).stdout).toMatch(/Normal\s+SuccessfulCreate\s+\S+\s+virt-controller\s+Started the virtual machine/);
    const pods = (await k(['get', 'pods'])).stdout;
    expect(pods).toMatch(/virt-launcher-seed-[bcdfghjklmnpqrstvwxz2456789]{5}\s+1\/1\s+Running/);
  });

  it('serves the objects as JSON and YAML, with label and field selectors', async () => {
    const json = JSON.parse((await k(['get', 'vm', 'seed', '-o', 'json'])).stdout) as { kind: string; apiVersion: string; metadata: { namespace: string; resourceVersion: string }; status: { printableStatus: string } };
    expect(json).toMatchObject({ kind: 'VirtualMachine', apiVersion: 'kubevirt.io/v1', metadata: { namespace: 'default' }, status: { printableStatus: 'Running' } });
    const yaml = (await k(['get', 'vmis', '-A', '-o', 'yaml'])).stdout;
    expect(yaml).toContain('kind: List');
    expect(yaml).toContain('phase: Running');
    expect((await k(['get', 'vmis', '--field-selector', 'status.phase=Running', '-o', 'name'])).stdout.trim()).toBe('virtualmachineinstance.kubevirt.io/seed');
    expect((await k(['get', 'vmis', '--field-selector', 'status.phase=Pending', '-o', 'name'])).stdout.trim()).toBe('');
    expect((await k(['get', 'vms', '-l', 'tier=web', '-o', 'name'])).stdout.trim()).toBe('');
    expect((await k(['label', 'vm', 'seed', 'tier=web'])).stdout.trim()).toBe('virtualmachine.kubevirt.io/seed labeled');
    expect((await k(['get', 'vms', '-l', 'tier=web', '-o', 'name'])).stdout.trim()).toBe('virtualmachine.kubevirt.io/seed');
    expect((await k(['get', 'vms', '-l', 'tier in (db,cache)', '-o', 'name'])).stdout.trim()).toBe('');
    // kubectl maps the kind Template to the stored templates, not the create-only processedtemplates (discovery order)
    const template = fileURLToPath(new URL('../../fixtures/templates/vmconform-server.yaml', import.meta.url));
    expect((await k(['apply', '-f', template])).stdout.trim()).toBe('template.template.openshift.io/vmconform-server created');
    expect((await k(['get', 'templates', '-o', 'name'])).stdout.trim()).toBe('template.template.openshift.io/vmconform-server');
  });

  it('refuses a bad VM with KubeVirt\'s 422 and its field path', async () => {
    const noDevices = SEED.replace('seed', 'bad').replace('        devices: {}\n', '');
    const r = await k(['apply', '-f', '-'], noDevices);
    expect(r.exitCode).toBe(1);
    // the CRD's structural schema: the apiserver's wording (kubectl prints a 422 with causes this way)
    expect(r.stderr).toContain('The VirtualMachine "bad" is invalid: spec.template.spec.domain.devices: Required value');
    const both = SEED.replace('seed', 'bad2').replace('  runStrategy: Always\n', '  runStrategy: Always\n  running: true\n');
    const hook = await raw('POST', '/apis/kubevirt.io/v1/namespaces/default/virtualmachines', { body: JSON.stringify((await import('yaml')).parse(both)) });
    expect(hook.code).toBe(422);
    // pkg/virt-api/webhooks/validating-webhook/admitters/vms-admitter.go: running and runStrategy together
    expect(hook.json).toMatchObject({
      kind: 'Status',
      reason: 'Invalid',
      code: 422,
      message: 'admission webhook "virtualmachine-validator.kubevirt.io" denied the request: Running and RunStrategy are mutually exclusive. Note that Running is deprecated, please use RunStrategy instead',
      details: { causes: [{ field: 'spec.running' }] },
    });
    expect((await k(['get', 'vm', 'bad2'])).stderr).toContain('Error from server (NotFound): virtualmachines.kubevirt.io "bad2" not found');
  });

  it('answers 409 Conflict to an update with a stale resourceVersion (kubectl replace)', async () => {
    const old = (await k(['get', 'vm', 'seed', '-o', 'json'])).stdout;
    expect((await k(['annotate', 'vm', 'seed', 'note=changed'])).exitCode).toBe(0);
    const r = await k(['replace', '-f', '-'], old);
    expect(r.exitCode).toBe(1);
    expect(r.stderr).toContain('Error from server (Conflict): error when replacing "STDIN": Operation cannot be fulfilled on virtualmachines.kubevirt.io "seed": the object has been modified; please apply your changes to the latest version and try again');
  });

  it('watches VMIs: a new VM\'s VMI is seen scheduled, then running', async () => {
    const watcher = kubectlSpawn(s.kubeconfig, ['get', 'vmis', '-w']);
    let out = '';
    watcher.stdout!.on('data', (c: Buffer) => (out += c.toString()));
    const until = async (what: () => boolean) => {
      for (let i = 0; i < 200 && !what(); i++) await new Promise((r) => setTimeout(r, 50));
      expect(what()).toBe(true);
    };
    await until(() => /seed\s+\d+s\s+Running/.test(out));
    expect((await k(['apply', '-f', '-'], SEED.replace('name: seed', 'name: watched'))).exitCode).toBe(0);
    await until(() => /watched\s+\S+\s+Running/.test(out));
    const phases = out.split('\n').filter((l) => l.startsWith('watched ')).map((l) => l.split(/\s+/)[2]);
    // the VMI as created (scheduled on a node, launcher starting), then running once the node says so
    expect(phases[0]).toBe('Scheduled');
    expect(phases.at(-1)).toBe('Running');
    const stopped = await k(['patch', 'vm', 'watched', '--type', 'merge', '-p', '{"spec":{"runStrategy":"Halted"}}']);
    expect(stopped.stdout.trim()).toBe('virtualmachine.kubevirt.io/watched patched');
    const started = await k(['patch', 'vm', 'watched', '--type', 'json', '-p', '[{"op":"replace","path":"/spec/runStrategy","value":"Always"}]']);
    expect(started.exitCode).toBe(0);
    await until(() => out.split('\n').filter((l) => /^watched\s+\S+\s+Running/.test(l)).length >= 2);
    watcher.kill();
    await watcher;
    expect((await k(['delete', 'vm', 'watched'])).exitCode).toBe(0);
  });

  it('scales a replica set through its scale subresource (kubectl scale)', async () => {
    const rs = fileURLToPath(new URL('../../fixtures/vms/replicaset.yaml', import.meta.url));
    expect((await k(['apply', '-f', rs])).exitCode).toBe(0);
    expect((await k(['scale', 'vmirs', 'web', '--replicas=3'])).stdout.trim()).toBe('virtualmachineinstancereplicaset.kubevirt.io/web scaled');
    let row = '';
    for (let i = 0; i < 100 && !/^web\s+3\s+3\s+3\s/.test(row); i++) row = (await k(['get', 'vmirs', 'web', '--no-headers'])).stdout.trim();
    expect(row).toMatch(/^web\s+3\s+3\s+3\s/);
    expect((await k(['delete', 'vmirs', 'web'])).exitCode).toBe(0);
  });

  it('deletes the VM: its VMI and launcher pod go with it', async () => {
    const r = await k(['delete', 'vm', 'seed']);
    expect(r.stdout.trim()).toBe('virtualmachine.kubevirt.io "seed" deleted');
    for (let i = 0; i < 100 && (await k(['get', 'vmis', '-o', 'name'])).stdout.trim() !== ''; i++) await new Promise((res) => setTimeout(res, 50));
    expect((await k(['get', 'vmis', '-o', 'name'])).stdout.trim()).toBe('');
    expect((await k(['get', 'pods', '-o', 'name'])).stdout.trim()).toBe('');
    expect((await k(['delete', 'vm', 'seed'])).stderr).toContain('Error from server (NotFound): virtualmachines.kubevirt.io "seed" not found');
  });
});
