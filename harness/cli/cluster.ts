/**
 * `vmconform cluster up|status|down`: a local KubeVirt cluster (the model or
 * real QEMU) served over the Kubernetes API by a detached daemon
 * (harness/server daemon.ts) from a private state dir. Public: flags, output
 * and exit codes are documented in the README ("Local cluster").
 *
 *   up      [--backend model|qemu] [--state-dir DIR] [--nodes N] [--port P]
 *           [--time-scale X] [--address A] [--accel auto|kvm|tcg]: starts the daemon unless one runs
 *           on DIR, returns once the API answers, prints `export KUBECONFIG=…`.
 *   status  [--state-dir DIR]: exit 0 and where it serves when running, 1 when not.
 *   down    [--state-dir DIR]: stops the daemon (QEMUs, sockets, pid file, port);
 *           the objects stay in DIR for the next `up`.
 *
 * Exit codes: 0 ok, 1 not running (status), 2 bad flags (naming the flag),
 * 3 the daemon did not come up or would not stop (its log's tail is printed).
 */
import { spawn } from 'node:child_process';
import { existsSync, openSync, closeSync } from 'node:fs';
import { chmod, mkdir, readFile, rm, stat } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { daemonPaths as paths, isLoopback, runDaemon, type ClusterBackendName, type DaemonInfo } from '../server/index.ts';
import { parseAccel, type BackendSettings } from '../engine/index.ts';
import { EXIT, UsageError, usageErrors } from './exit.ts';

const USAGE = `usage: vmconform cluster up [--backend model|qemu] [--state-dir DIR] [--nodes N] [--port P] [--time-scale X] [--address A] [--accel auto|kvm|tcg]
       vmconform cluster status [--state-dir DIR]
       vmconform cluster down [--state-dir DIR]`;

const BIN = fileURLToPath(new URL('../../bin/vmconform.js', import.meta.url));

/** $XDG_STATE_HOME/vmconform/cluster, else ~/.local/state/vmconform/cluster. */
export function defaultStateDir(env: NodeJS.ProcessEnv = process.env): string {
  const base = env.XDG_STATE_HOME && env.XDG_STATE_HOME !== '' ? env.XDG_STATE_HOME : join(homedir(), '.local', 'state');
  return join(base, 'vmconform', 'cluster');
}

const OPTIONS = {
  backend: { type: 'string', default: 'model' },
  'state-dir': { type: 'string' },
  nodes: { type: 'string', default: '3' },
  port: { type: 'string', default: '0' },
  'time-scale': { type: 'string', default: '1' },
  address: { type: 'string', default: '127.0.0.1' },
  accel: { type: 'string', default: 'auto' },
  help: { type: 'boolean', short: 'h', default: false },
} as const;

interface Flags {
  backend: ClusterBackendName;
  stateDir: string;
  nodes: number;
  port: number;
  timeScale: number;
  address: string;
  accel: BackendSettings['accel'];
}

function flags(values: Record<string, string | boolean | undefined>): Flags {
  const backend = values.backend as string;
  if (backend !== 'model' && backend !== 'qemu') throw new UsageError(`--backend: expected model or qemu, got '${backend}'`);
  const nodes = Number(values.nodes);
  if (!Number.isInteger(nodes) || nodes < 1 || nodes > 100) throw new UsageError(`--nodes: expected an integer from 1 to 100, got '${String(values.nodes)}'`);
  const port = Number(values.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new UsageError(`--port: expected a port number (0 for any free port), got '${String(values.port)}'`);
  const timeScale = Number(values['time-scale']);
  if (!Number.isFinite(timeScale) || timeScale <= 0) throw new UsageError(`--time-scale: expected a positive number, got '${String(values['time-scale'])}'`);
  if (timeScale !== 1 && backend === 'qemu') throw new UsageError('--time-scale: only the model backend runs on a virtual clock; qemu runs in real time');
  const address = values.address as string;
  // parsed as `vmconform run --accel` is
  const accel = parseAccel(values.accel as string);
  if (accel !== 'auto' && backend !== 'qemu') throw new UsageError('--accel: only the qemu backend runs guests; the model has no accelerator');
  return { backend, stateDir: resolve((values['state-dir'] as string | undefined) ?? defaultStateDir()), nodes, port, timeScale, address, accel };
}

const alive = (pid: number): boolean => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

/** The daemon's pid when it runs (its pid file names a live process), else null. */
async function runningPid(dir: string): Promise<number | null> {
  const p = paths(dir);
  if (!existsSync(p.pid)) return null;
  const pid = Number((await readFile(p.pid, 'utf8')).trim());
  return Number.isInteger(pid) && pid > 0 && alive(pid) ? pid : null;
}

async function info(dir: string): Promise<DaemonInfo | null> {
  try {
    return JSON.parse(await readFile(paths(dir).info, 'utf8')) as DaemonInfo;
  } catch {
    return null;
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function logTail(dir: string): Promise<string> {
  try {
    return (await readFile(paths(dir).log, 'utf8')).trimEnd().split('\n').slice(-15).join('\n');
  } catch {
    return '(no log)';
  }
}

/** The state dir: created 0700, or made 0700 when it exists and is ours. */
async function privateDir(dir: string): Promise<void> {
  await mkdir(dir, { recursive: true, mode: 0o700 });
  const st = await stat(dir);
  if (typeof process.getuid === 'function' && st.uid !== process.getuid()) throw new UsageError(`--state-dir: ${dir} belongs to another user`);
  if ((st.mode & 0o077) !== 0) await chmod(dir, 0o700);
}

async function up(f: Flags): Promise<number> {
  // the default is loopback: another address is served only because --address names it
  if (!isLoopback(f.address)) console.error(`vmconform cluster up: warning: serving on ${f.address} (not loopback), as --address asks`);
  const dir = f.stateDir;
  const pid = await runningPid(dir);
  if (pid !== null) {
    const i = await info(dir);
    console.log(`vmconform cluster is already running (pid ${pid}${i ? `, ${i.backend} backend, ${i.url}` : ''})`);
    console.log(`export KUBECONFIG=${paths(dir).kubeconfig}`);
    return EXIT.ok;
  }
  await privateDir(dir);
  const p = paths(dir);
  await rm(p.info, { force: true });
  await rm(p.pid, { force: true });
  const log = openSync(p.log, 'a', 0o600);
  const args = [BIN, 'cluster', '__daemon', '--backend', f.backend, '--state-dir', dir, '--nodes', String(f.nodes), '--port', String(f.port), '--time-scale', String(f.timeScale), '--address', f.address, '--accel', f.accel];
  const child = spawn(process.execPath, args, { detached: true, stdio: ['ignore', log, log], env: process.env });
  closeSync(log);
  let exited: number | null = null;
  child.on('exit', (code) => (exited = code ?? -1));
  child.unref();
  // Ctrl-C while waiting: the daemon is not yet the user's, stop it
  const interrupted = new Promise<number>((res) => process.once('SIGINT', () => res(130)));
  let stop: number | null = null;
  void interrupted.then((code) => {
    stop = code;
    try {
      process.kill(child.pid!, 'SIGTERM');
    } catch {
      /* already gone */
    }
  });
  const deadline = Date.now() + (f.backend === 'qemu' ? 120_000 : 60_000);
  while (Date.now() < deadline) {
    if (stop !== null) {
      console.error('vmconform cluster up: interrupted; the daemon is stopped');
      return stop;
    }
    if (exited !== null) {
      console.error(`vmconform cluster up: the daemon exited (code ${exited}) before serving; the end of ${p.log}:\n${await logTail(dir)}`);
      return EXIT.infrastructure;
    }
    const i = await info(dir);
    if (i && (await answers(i.url))) {
      console.log(`vmconform cluster is running (pid ${i.pid}, ${i.backend} backend, ${i.url})`);
      console.log(`export KUBECONFIG=${p.kubeconfig}`);
      return EXIT.ok;
    }
    await sleep(100);
  }
  try {
    process.kill(-child.pid!, 'SIGTERM');
  } catch {
    /* already gone */
  }
  console.error(`vmconform cluster up: the API did not answer in time; the end of ${p.log}:\n${await logTail(dir)}`);
  return EXIT.infrastructure;
}

/** True when https://…/readyz answers 200 (the server's own CA is not needed for a liveness probe). */
async function answers(url: string): Promise<boolean> {
  const { request } = await import('node:https');
  return new Promise((res) => {
    const req = request(`${url}/readyz`, { rejectUnauthorized: false, timeout: 2000 }, (r) => {
      r.resume();
      res(r.statusCode === 200);
    });
    req.on('error', () => res(false));
    req.on('timeout', () => (req.destroy(), res(false)));
    req.end();
  });
}

async function status(dir: string): Promise<number> {
  const pid = await runningPid(dir);
  const i = await info(dir);
  if (pid === null || !i) {
    console.log(`vmconform cluster is not running (state dir ${dir})`);
    return EXIT.counterexample;
  }
  const ok = await answers(i.url);
  console.log(`vmconform cluster is running (pid ${pid}, ${i.backend} backend, ${i.url}, since ${i.startedAt})${ok ? '' : ' but its API does not answer'}`);
  console.log(`export KUBECONFIG=${i.kubeconfig}`);
  return ok ? EXIT.ok : EXIT.infrastructure;
}

async function down(dir: string): Promise<number> {
  const pid = await runningPid(dir);
  if (pid === null) {
    console.log(`vmconform cluster is not running (state dir ${dir})`);
    return EXIT.ok;
  }
  process.kill(pid, 'SIGTERM');
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    // gone: the process itself, not only its pid file (it removes that just before it exits)
    if (!alive(pid)) {
      console.log(`vmconform cluster stopped (objects kept in ${dir})`);
      return EXIT.ok;
    }
    await sleep(100);
  }
  console.error(`vmconform cluster down: the daemon (pid ${pid}) did not stop in 60 s; the end of ${paths(dir).log}:\n${await logTail(dir)}`);
  return EXIT.infrastructure;
}

export async function run(argv: string[]): Promise<number> {
  const [verb, ...rest] = argv;
  if (verb === undefined || verb === '--help' || verb === '-h') {
    console.log(USAGE);
    return verb === undefined ? EXIT.usage : EXIT.ok;
  }
  const { values, positionals } = usageErrors(() => parseArgs({ args: rest, strict: true, allowPositionals: false, options: OPTIONS }));
  if (values.help) {
    console.log(USAGE);
    return EXIT.ok;
  }
  void positionals;
  const f = flags(values);
  switch (verb) {
    case 'up':
      return up(f);
    case 'status':
      return status(f.stateDir);
    case 'down':
      return down(f.stateDir);
    case '__daemon':
      // the detached daemon itself (started by `up`)
      try {
        await runDaemon({ stateDir: f.stateDir, backend: f.backend, nodes: f.nodes, port: f.port, address: f.address, timeScale: f.timeScale, accel: f.accel });
        return EXIT.ok;
      } catch (err) {
        const e = err as NodeJS.ErrnoException;
        if (e.code === 'EADDRINUSE') console.error(`vmconform cluster: --port ${f.port}: address ${f.address}:${f.port} is already in use`);
        else if (e.code === 'EADDRNOTAVAIL') console.error(`vmconform cluster: --address ${f.address}: not an address of this machine`);
        else console.error(`vmconform cluster: cannot serve: ${e.stack ?? e.message}`);
        return EXIT.infrastructure;
      }
    default:
      throw new UsageError(`unknown verb '${verb}' (expected up, status or down)\n${USAGE}`);
  }
}
