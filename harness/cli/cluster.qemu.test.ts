/**
 * The local cluster end to end on real QEMU, driven only by real clients:
 * `vmconform cluster up` → kubectl apply → Running with IP and node in
 * `kubectl get vmis -o wide` → `vmconform virtctl migrate` → another node →
 * `vmconform virsh list` shows the domain running → `vmconform virtctl
 * console` under a real pty shows the guest's ready line (after a soft
 * reboot, since the console is the live serial port) → `vmconform virtctl vnc
 * --screenshot` writes a PNG that is not blank → `virtctl stop` → Stopped →
 * `cluster down` leaves no QEMU, socket, port or pid file → `cluster up`
 * restores the VM, and `virtctl start` boots it on a new QEMU → down.
 */
import { execSync, spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { execa } from 'execa';
import { PNG } from 'pngjs';
import { afterAll, describe, expect, it } from 'vitest';
import { kubectl } from '../server/kubectl.testkit.ts';

const BIN = fileURLToPath(new URL('../../bin/vmconform.js', import.meta.url));
const KERNEL_BOOT = fileURLToPath(new URL('../../fixtures/vms/kernel-boot.yaml', import.meta.url));
const vmconform = (args: string[], kubeconfig?: string) =>
  execa(process.execPath, [BIN, ...args], { reject: false, timeout: 200_000, env: kubeconfig ? { KUBECONFIG: kubeconfig } : {} });
const cli = (args: string[]) => vmconform(['cluster', ...args]);

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

async function row(kc: string, kind: string, until: (row: string) => boolean, wide = true): Promise<string> {
  let r = '';
  for (let i = 0; i < 180; i++) {
    r = (await kubectl(kc, ['get', kind, ...(wide ? ['-o', 'wide'] : []), '--no-headers'])).stdout.trim();
    if (until(r)) return r;
    await new Promise((res) => setTimeout(res, 1000));
  }
  return r;
}

/**
 * `vmconform virtctl console NAME` under a real pty (util-linux script(1)):
 * resolves with everything the terminal showed once `text` appeared after
 * `act()` ran, then detaches with Ctrl+] and expects exit 0.
 */
async function consoleShows(kc: string, name: string, act: () => Promise<void>, text: string): Promise<string> {
  // Fixed text: the repo's own paths, quoted; the VMI name is this test's constant.
  const q = (x: string) => `'${x.replace(/'/g, `'\\''`)}'`;
  const child = spawn('script', ['-q', '-e', '-c', `${q(process.execPath)} ${q(BIN)} virtctl console ${q(name)}`, '/dev/null'], {
    env: { ...process.env, KUBECONFIG: kc },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout.on('data', (c: Buffer) => (out += c.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
  try {
    await expect.poll(() => out, { timeout: 30_000 }).toContain(`Successfully connected to ${name} console`);
    await act();
    await expect.poll(() => out, { timeout: 120_000, interval: 500 }).toContain(text);
    child.stdin.write(Buffer.from([0x1d]));
    expect(await exited).toBe(0);
    return out;
  } finally {
    child.kill('SIGKILL');
  }
}

describe('vmconform cluster --backend qemu, end to end with kubectl, virtctl and virsh', () => {
  it('serves a real VM: migrate, virsh, console, VNC, stop; down leaves nothing; up restores it', { timeout: 900_000 }, async () => {
    root = await mkdtemp(join(tmpdir(), 'vmconform-qcluster-'));
    const dir = join(root, 'c');
    const kc = join(dir, 'kubeconfig');
    const up = await cli(['up', '--backend', 'qemu', '--accel', 'tcg', '--state-dir', dir]);
    expect(up.exitCode, up.stderr).toBe(0);
    expect(up.stdout).toContain(`export KUBECONFIG=${kc}`);
    const info = JSON.parse(readFileSync(join(dir, 'daemon.json'), 'utf8')) as { url: string; port: number };
    expect((await kubectl(kc, ['apply', '-f', KERNEL_BOOT])).stdout.trim()).toBe('virtualmachine.kubevirt.io/kernel-boot created');

    // Running, with the pod network's guest address and a node.
    const running = await row(kc, 'vmis', (r) => /\sRunning\s+\S+\s+node-\w/.test(r));
    expect(running).toMatch(/^kernel-boot\s+\S+\s+Running\s+10\.0\.2\.2\s+(node-\w)\s+True/);
    const node = /(node-\w)/.exec(running)![1]!;
    expect(processesOf(dir).some((l) => l.startsWith('qemu-system'))).toBe(true);

    // virtctl migrate → the VMI runs on another node.
    const migrate = await vmconform(['virtctl', 'migrate', 'kernel-boot'], kc);
    expect(migrate.exitCode, migrate.stderr).toBe(0);
    expect(migrate.stdout).toContain('VM kernel-boot was scheduled to migrate');
    const moved = await row(kc, 'vmis', (r) => /\sRunning\s/.test(r) && !r.includes(` ${node} `));
    expect(moved).toMatch(/Running\s+10\.0\.2\.2\s+node-\w/);
    expect(moved).not.toContain(` ${node} `);
    expect(await row(kc, 'vmim', (r) => /Succeeded/.test(r), false)).toMatch(/Succeeded\s+kernel-boot/);

    // virsh inside the launcher: the domain, named as KubeVirt names it, runs.
    const list = await vmconform(['virsh', '--vmi', 'kernel-boot', 'list'], kc);
    expect(list.exitCode, list.stderr).toBe(0);
    expect(list.stdout).toMatch(/^\s*\d+\s+default_kernel-boot\s+running\s*$/m);

    // The serial console shows the guest's ready line of the next boot.
    const shown = await consoleShows(
      kc,
      'kernel-boot',
      async () => {
        const r = await vmconform(['virtctl', 'soft-reboot', 'kernel-boot'], kc);
        expect(r.exitCode, r.stderr).toBe(0);
      },
      'vmconform-ready boot_id=',
    );
    expect(shown).toMatch(/vmconform-ready boot_id=[0-9a-f-]{36}/);

    // A VNC screenshot: a real PNG of the guest's display, not one colour.
    const png = join(root, 'screen.png');
    const vnc = await vmconform(['virtctl', 'vnc', '--screenshot', png, 'kernel-boot'], kc);
    expect(vnc.exitCode, vnc.stderr).toBe(0);
    const image = PNG.sync.read(readFileSync(png));
    expect(image.width).toBeGreaterThan(0);
    const pixels = new Set<number>();
    for (let i = 0; i < image.data.length; i += 4) pixels.add(image.data.readUInt32BE(i));
    expect(pixels.size).toBeGreaterThan(1);

    // virtctl stop → the VM is Stopped and its QEMU is gone.
    const stop = await vmconform(['virtctl', 'stop', 'kernel-boot'], kc);
    expect(stop.exitCode, stop.stderr).toBe(0);
    expect(stop.stdout).toContain('VM kernel-boot was scheduled to stop');
    expect(await row(kc, 'vms', (r) => /\sStopped\s/.test(r), false)).toMatch(/^kernel-boot\s+\S+\s+Stopped\s+False/);

    // down: no process, port, pid file or socket dir is left; the objects stay.
    expect((await cli(['down', '--state-dir', dir])).exitCode).toBe(0);
    expect(processesOf(dir)).toEqual([]);
    expect(await portOpen(info.port)).toBe(false);
    expect(existsSync(join(dir, 'daemon.pid'))).toBe(false);
    expect(existsSync(join(dir, 'qemu'))).toBe(false);

    // up again: the VM is back, still stopped; virtctl start boots it on a new QEMU.
    expect((await cli(['up', '--backend', 'qemu', '--accel', 'tcg', '--state-dir', dir])).exitCode).toBe(0);
    expect(await row(kc, 'vms', (r) => /\sStopped\s/.test(r), false)).toMatch(/^kernel-boot\s+\S+\s+Stopped/);
    const start = await vmconform(['virtctl', 'start', 'kernel-boot'], kc);
    expect(start.exitCode, start.stderr).toBe(0);
    expect(await row(kc, 'vmis', (r) => /\sRunning\s/.test(r))).toMatch(/^kernel-boot\s+\S+\s+Running\s+10\.0\.2\.2\s+node-\w\s+True/);
    expect((await cli(['down', '--state-dir', dir])).exitCode).toBe(0);
    expect(processesOf(dir)).toEqual([]);
  });
});
