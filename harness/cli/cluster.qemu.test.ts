/**
 * `vmconform cluster` on real QEMU: up → kubectl apply → Running with IP and
 * node → migrate through KubeVirt's subresource → another node → down leaves
 * no QEMU, socket, port or pid file → up restores the VM (runStrategy Always:
 * a new VMI on a new QEMU) → down.
 */
import { execSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { request } from 'node:https';
import { mkdtemp, rm } from 'node:fs/promises';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { execa } from 'execa';
import { afterAll, describe, expect, it } from 'vitest';
import { kubectl } from '../server/kubectl.testkit.ts';

const BIN = fileURLToPath(new URL('../../bin/vmconform.js', import.meta.url));
const KERNEL_BOOT = fileURLToPath(new URL('../../fixtures/vms/kernel-boot.yaml', import.meta.url));
const cli = (args: string[]) => execa(process.execPath, [BIN, 'cluster', ...args], { reject: false, timeout: 200_000 });

let root = '';
afterAll(async () => {
  if (!root) return;
  await cli(['down', '--state-dir', join(root, 'c')]);
  await rm(root, { recursive: true, force: true });
});

const portOpen = (port: number) =>
  new Promise<boolean>((resolve) => {
    const s = connect(port, '127.0.0.1');
    s.on('connect', () => (s.destroy(), resolve(true)));
    s.on('error', () => resolve(false));
  });

/** Processes whose command line names the state dir (the daemon and its QEMUs). */
const processesOf = (dir: string) =>
  execSync('ps -eo args=', { encoding: 'utf8' })
    .split('\n')
    .filter((l) => l.includes(dir) && !l.includes('ps -eo'));

async function vmiRow(kc: string, until: (row: string) => boolean): Promise<string> {
  let row = '';
  for (let i = 0; i < 120; i++) {
    row = (await kubectl(kc, ['get', 'vmis', '-o', 'wide', '--no-headers'])).stdout.trim();
    if (until(row)) return row;
    await new Promise((r) => setTimeout(r, 1000));
  }
  return row;
}

describe('vmconform cluster --backend qemu', () => {
  it('serves real VMs, migrates one, stops cleanly and restores', { timeout: 600_000 }, async () => {
    root = await mkdtemp(join(tmpdir(), 'vmconform-qcluster-'));
    const dir = join(root, 'c');
    const kc = join(dir, 'kubeconfig');
    expect((await cli(['up', '--backend', 'qemu', '--state-dir', dir])).exitCode).toBe(0);
    const info = JSON.parse(readFileSync(join(dir, 'daemon.json'), 'utf8')) as { url: string; port: number };
    expect((await kubectl(kc, ['apply', '-f', KERNEL_BOOT])).stdout.trim()).toBe('virtualmachine.kubevirt.io/kernel-boot created');
    const running = await vmiRow(kc, (r) => /\sRunning\s+\S+\s+node-\w/.test(r));
    expect(running).toMatch(/^kernel-boot\s+\S+\s+Running\s+10\.0\.2\.2\s+(node-\w)\s+True/);
    const node = /(node-\w)/.exec(running)![1]!;
    expect(processesOf(dir).some((l) => l.startsWith('qemu-system'))).toBe(true);

    const code = await new Promise<number>((resolve, reject) => {
      const req = request(`${info.url}/apis/subresources.kubevirt.io/v1/namespaces/default/virtualmachines/kernel-boot/migrate`, { method: 'PUT', headers: { Authorization: `Bearer ${readFileSync(join(dir, 'pki', 'token'), 'utf8').trim()}` }, ca: readFileSync(join(dir, 'pki', 'ca.crt')) }, (res) => (res.resume(), resolve(res.statusCode ?? 0)));
      req.on('error', reject);
      req.end('{}');
    });
    expect(code).toBe(202);
    const moved = await vmiRow(kc, (r) => /\sRunning\s/.test(r) && !r.includes(` ${node} `));
    expect(moved).toMatch(/Running\s+10\.0\.2\.2\s+node-\w/);
    expect(moved).not.toContain(` ${node} `);

    expect((await cli(['down', '--state-dir', dir])).exitCode).toBe(0);
    expect(processesOf(dir)).toEqual([]);
    expect(await portOpen(info.port)).toBe(false);
    expect(existsSync(join(dir, 'daemon.pid'))).toBe(false);
    expect(existsSync(join(dir, 'qemu'))).toBe(false);

    expect((await cli(['up', '--backend', 'qemu', '--state-dir', dir])).exitCode).toBe(0);
    expect(await vmiRow(kc, (r) => /\sRunning\s/.test(r))).toMatch(/^kernel-boot\s+\S+\s+Running\s+10\.0\.2\.2\s+node-\w\s+True/);
    expect((await cli(['down', '--state-dir', dir])).exitCode).toBe(0);
    expect(processesOf(dir)).toEqual([]);
  });
});
