/**
 * `vmconform cluster up|status|down` as a user runs it: the real CLI, a
 * detached daemon, kubectl against it, persistence across a restart.
 */
import { connect } from 'node:net';
import { existsSync, readFileSync } from 'node:fs';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { execa } from 'execa';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { kubectl } from '../server/kubectl.testkit.ts';
import { SEED_VM as SEED } from '../server/served.testkit.ts';
import { defaultStateDir } from './cluster.ts';
import { main } from './main.ts';

const BIN = fileURLToPath(new URL('../../bin/vmconform.js', import.meta.url));
const cli = (args: string[]) => execa(process.execPath, [BIN, 'cluster', ...args], { reject: false, timeout: 150_000 });


const dirs: string[] = [];
afterAll(async () => {
  for (const d of dirs) {
    await cli(['down', '--state-dir', join(d, 'c')]);
    await rm(d, { recursive: true, force: true });
  }
});

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};
const portOpen = (port: number) =>
  new Promise<boolean>((resolve) => {
    const s = connect(port, '127.0.0.1');
    s.on('connect', () => (s.destroy(), resolve(true)));
    s.on('error', () => resolve(false));
  });

describe('vmconform cluster', () => {
  it('rejects bad flags naming the flag (exit 2)', async () => {
    const errors = vi.spyOn(console, 'error').mockImplementation(() => {});
    for (const [flag, value] of [['--nodes', 'many'], ['--backend', 'kind'], ['--time-scale', '0'], ['--port', '70000'], ['--accel', 'hvf']] as const) {
      errors.mockClear();
      expect(await main(['cluster', 'up', `${flag}=${value}`, '--state-dir', '/nonexistent/never-created'])).toBe(2);
      expect(String(errors.mock.calls[0]?.[0])).toContain(`${flag}: expected`);
    }
    // The model runs no guest: an accelerator for it is a mistake worth naming.
    errors.mockClear();
    expect(await main(['cluster', 'up', '--accel', 'tcg', '--state-dir', '/nonexistent/never-created'])).toBe(2);
    expect(String(errors.mock.calls[0]?.[0])).toContain('--accel: only the qemu backend');
    errors.mockRestore();
    expect(existsSync('/nonexistent/never-created')).toBe(false);
    expect(defaultStateDir({ XDG_STATE_HOME: '/x' })).toBe('/x/vmconform/cluster');
    expect(defaultStateDir({ HOME: '/h' })).toMatch(/\.local\/state\/vmconform\/cluster$/);
  });

  it('up → kubectl → down leaves nothing running → up restores the VM', { timeout: 300_000 }, async () => {
    const d = await mkdtemp(join(tmpdir(), 'vmconform-cluster-'));
    dirs.push(d);
    const dir = join(d, 'c');
    const up = await cli(['up', '--state-dir', dir]);
    expect(up.stderr).toBe('');
    expect(up.exitCode).toBe(0);
    expect(up.stdout).toContain(`export KUBECONFIG=${dir}/kubeconfig`);
    expect((await stat(dir)).mode & 0o777).toBe(0o700);
    const info = JSON.parse(readFileSync(join(dir, 'daemon.json'), 'utf8')) as { pid: number; port: number };
    expect(alive(info.pid)).toBe(true);

    const again = await cli(['up', '--state-dir', dir]);
    expect(again.exitCode).toBe(0);
    expect(again.stdout).toContain(`already running (pid ${info.pid}`);
    expect((await cli(['status', '--state-dir', dir])).exitCode).toBe(0);

    const kc = join(dir, 'kubeconfig');
    expect((await kubectl(kc, ['apply', '-f', '-'], { input: SEED })).stdout.trim()).toBe('virtualmachine.kubevirt.io/seed created');
    expect((await kubectl(kc, ['wait', '--for=condition=Ready', 'vm/seed', '--timeout=30s'])).exitCode).toBe(0);
    const firstVmi = JSON.parse((await kubectl(kc, ['get', 'vmi', 'seed', '-o', 'json'])).stdout) as { metadata: { uid: string } };

    const down = await cli(['down', '--state-dir', dir]);
    expect(down.exitCode).toBe(0);
    expect(alive(info.pid)).toBe(false);
    expect(await portOpen(info.port)).toBe(false);
    expect(existsSync(join(dir, 'daemon.pid'))).toBe(false);
    expect(existsSync(join(dir, 'store.json'))).toBe(true);
    expect((await cli(['status', '--state-dir', dir])).exitCode).toBe(1);

    expect((await cli(['up', '--state-dir', dir])).exitCode).toBe(0);
    // runStrategy Always after a full restart: the VM is back with a new VMI (the old one died with its node)
    expect((await kubectl(kc, ['wait', '--for=condition=Ready', 'vm/seed', '--timeout=30s'])).exitCode).toBe(0);
    const vmi = JSON.parse((await kubectl(kc, ['get', 'vmi', 'seed', '-o', 'json'])).stdout) as { metadata: { uid: string }; status: { phase: string } };
    expect(vmi.status.phase).toBe('Running');
    expect(vmi.metadata.uid).not.toBe(firstVmi.metadata.uid);
    expect((await cli(['down', '--state-dir', dir])).exitCode).toBe(0);
  });
});
