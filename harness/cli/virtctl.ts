/**
 * `vmconform virtctl VERB NAME [flags]`: KubeVirt's virtctl verbs as a
 * client of the subresource API (subresources.kubevirt.io/v1), for a
 * `vmconform cluster` or a real KubeVirt cluster. Public: verbs, flags,
 * messages and exit codes follow virtctl (pkg/virtctl/vm/*.go, pause/,
 * unpause/, softreboot/, console/, vnc/): every message is virtctl's,
 * every error exits 1 (pkg/virtctl/root.go Execute).
 *
 * `run(argv, io)` returns the exit code and writes only to `io`, so tests
 * and the end-to-end suite call it directly.
 */
import { writeFile } from 'node:fs/promises';
import { createServer, type AddressInfo, type Socket } from 'node:net';
import type { Duplex, Readable, Writable } from 'node:stream';
import { parseArgs } from 'node:util';
import { apiRequest, ApiError, loadTarget, openStream, subresourcePath, type KubeTarget } from './kubeClient.ts';
import { framebufferPng, readFramebuffer } from './rfb.ts';

export interface CliIo {
  stdin: Readable & { isTTY?: boolean; setRawMode?: (raw: boolean) => unknown };
  stdout: Writable;
  stderr: Writable;
  env: NodeJS.ProcessEnv;
}

const processIo = (): CliIo => ({ stdin: process.stdin, stdout: process.stdout, stderr: process.stderr, env: process.env });

/** virtctl's console escape: Ctrl+] (Ctrl+5 sends the same byte on most terminals). pkg/virtctl/console/console.go escapeSequenceCode. */
const ESCAPE = 0x1d;

const FLAGS = {
  kubeconfig: { type: 'string' },
  namespace: { type: 'string', short: 'n' },
  'grace-period': { type: 'string' },
  force: { type: 'boolean' },
  paused: { type: 'boolean' },
  'dry-run': { type: 'boolean' },
  screenshot: { type: 'string' },
  file: { type: 'string', short: 'f' },
  addedNodeSelector: { type: 'string' },
  'proxy-only': { type: 'boolean' },
  timeout: { type: 'string' },
  port: { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const;

type Flags = { [K in keyof typeof FLAGS]?: (typeof FLAGS)[K]['type'] extends 'string' ? string : boolean };

/** A failed verb: virtctl prints the message and exits 1. */
class VerbError extends Error {}

interface Ctx {
  t: KubeTarget;
  flags: Flags;
  io: CliIo;
  say(line: string): void;
}

/** virtctl's --dry-run: prints "Dry Run execution" and asks the server for DryRun All. */
function dryRun(c: Ctx): { dryRun?: string[] } {
  if (!c.flags['dry-run']) return {};
  c.say('Dry Run execution');
  return { dryRun: ['All'] };
}

/** --grace-period and --force go together (pkg/virtctl/vm/stop.go, restart.go). */
function gracePeriod(c: Ctx): number | undefined {
  const g = c.flags['grace-period'];
  if ((g !== undefined) !== Boolean(c.flags.force)) throw new VerbError('Must both use --force=true and set --grace-period.');
  if (g === undefined) return undefined;
  if (!/^-?\d+$/.test(g)) throw new VerbError(`invalid argument "${g}" for "--grace-period" flag: strconv.ParseInt: parsing "${g}": invalid syntax`);
  return Number(g);
}

async function wrap(errFmt: (m: string) => string, p: Promise<unknown>): Promise<unknown> {
  try {
    return await p;
  } catch (err) {
    throw new VerbError(errFmt((err as Error).message));
  }
}

/** A VM lifecycle verb: PUT .../virtualmachines/NAME/VERB with its options (client-go virtualmachine_expansion.go). */
function vmVerb(verb: string, body: (c: Ctx) => Record<string, unknown>, errFmt: (message: string, c: Ctx) => string) {
  return async (c: Ctx, name: string): Promise<void> => {
    const b = body(c);
    await wrap((m) => errFmt(m, c), apiRequest(c.t, 'PUT', subresourcePath(c.t.namespace, 'virtualmachines', name, verb), b));
    c.say(`VM ${name} was scheduled to ${verb}`);
  };
}

function nodeSelector(c: Ctx): Record<string, string> | undefined {
  const s = c.flags.addedNodeSelector;
  if (s === undefined) return undefined;
  const out: Record<string, string> = {};
  for (const kv of s.split(',')) {
    const i = kv.indexOf('=');
    if (i <= 0) throw new VerbError(`invalid argument "${s}" for "--addedNodeSelector" flag: ${kv} must be formatted as key=value`);
    out[kv.slice(0, i)] = kv.slice(i + 1);
  }
  return out;
}

/** pause / unpause vm|vmi NAME (pkg/virtctl/pause/pause.go, unpause/unpause.go). */
function pauseVerb(verb: 'pause' | 'unpause') {
  const ing = verb === 'pause' ? 'pausing' : 'unpausing';
  return async (c: Ctx, type: string, name: string | undefined): Promise<void> => {
    if (name === undefined) throw new VerbError(`accepts 2 arg(s), received 1`);
    const kind = type.toLowerCase();
    let vmi = name;
    if (kind === 'vm' || kind === 'virtualmachine') {
      const vm = (await wrap((m) => `Error getting VirtualMachine ${name}: ${m}`, apiRequest(c.t, 'GET', `/apis/kubevirt.io/v1/namespaces/${encodeURIComponent(c.t.namespace)}/virtualmachines/${encodeURIComponent(name)}`))) as { metadata: { name: string }; spec?: { runStrategy?: string; running?: boolean } };
      vmi = vm.metadata.name;
      const opts = dryRun(c);
      try {
        await apiRequest(c.t, 'PUT', subresourcePath(c.t.namespace, 'virtualmachineinstances', vmi, verb), opts);
      } catch (err) {
        if (verb === 'pause' && err instanceof ApiError && err.code === 404) {
          const halted = vm.spec?.runStrategy === 'Halted' || vm.spec?.running === false;
          throw new VerbError(halted ? `Error pausing VirtualMachineInstance ${vmi}. VirtualMachine ${vmi} is not set to run` : `Error pausing VirtualMachineInstance ${vmi}, it was not found`);
        }
        throw new VerbError(`Error ${ing} VirtualMachineInstance ${vmi}: ${(err as Error).message}`);
      }
    } else if (kind === 'vmi' || kind === 'virtualmachineinstance') {
      await wrap((m) => `Error ${ing} VirtualMachineInstance ${vmi}: ${m}`, apiRequest(c.t, 'PUT', subresourcePath(c.t.namespace, 'virtualmachineinstances', vmi, verb), dryRun(c)));
    } else {
      throw new VerbError(`unsupported resource type '${type}': use vm (virtualmachine) or vmi (virtualmachineinstance)`);
    }
    c.say(`VMI ${vmi} was scheduled to ${verb}`);
  };
}

/**
 * The console websocket; a VMI that is not running yet (400) is tried again every second until the
 * deadline, as virtctl's --timeout does (client-go kubecli/vmi.go SerialConsole).
 */
async function connectConsole(c: Ctx, name: string, deadline: number): Promise<Duplex> {
  for (;;) {
    try {
      return await openStream(c.t, subresourcePath(c.t.namespace, 'virtualmachineinstances', name, 'console'));
    } catch (err) {
      if (!(err instanceof ApiError) || err.code !== 400) throw new VerbError((err as Error).message);
      if (Date.now() + 1000 > deadline) throw new VerbError('Timeout trying to connect to the virtual machine instance');
      await new Promise((r) => setTimeout(r, 1000));
    }
  }
}

/** console NAME: the serial console on this terminal (raw mode when a TTY); Ctrl+] detaches (pkg/virtctl/console/console.go Attach). */
async function consoleVerb(c: Ctx, name: string): Promise<void> {
  const minutes = c.flags.timeout ?? '5';
  if (!/^\d+$/.test(minutes)) throw new VerbError(`invalid argument "${minutes}" for "--timeout" flag: strconv.ParseInt: parsing "${minutes}": invalid syntax`);
  const stream = await connectConsole(c, name, Date.now() + Number(minutes) * 60_000);
  const { stdin, stdout, stderr } = c.io;
  const raw = Boolean(stdin.isTTY && stdin.setRawMode);
  if (raw) stdin.setRawMode!(true);
  stderr.write(`Successfully connected to ${name} console. Press Ctrl+] or Ctrl+5 to exit console.\n`);
  let detached = false;
  await new Promise<void>((resolve) => {
    const onInput = (chunk: Buffer | string) => {
      const b = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
      const esc = b.indexOf(ESCAPE);
      if (esc < 0) return void stream.write(b);
      if (esc > 0) stream.write(b.subarray(0, esc));
      detached = true;
      finish();
    };
    const finish = () => {
      stdin.removeListener('data', onInput);
      stdin.removeListener('end', finish);
      stream.unpipe(stdout);
      resolve();
    };
    stdin.on('data', onInput);
    stdin.on('end', finish);
    stream.pipe(stdout, { end: false });
    stream.on('end', finish);
    stream.on('close', finish);
    stream.on('error', finish);
    stdin.resume();
  });
  if (raw) stdin.setRawMode!(false);
  stdin.pause();
  stream.destroy();
  if (!detached && !stdin.readableEnded) {
    stderr.write('\nYou were disconnected from the console. This could be caused by one of the following:\n - the target VM was powered off\n - another user connected to the console of the target VM\n - network issues\n');
  }
}

/** vnc --screenshot FILE NAME, or vnc screenshot NAME -f FILE: one frame over the VNC websocket, as PNG. */
async function screenshot(c: Ctx, name: string, file: string): Promise<void> {
  const stream = await openStream(c.t, subresourcePath(c.t.namespace, 'virtualmachineinstances', name, 'vnc')).catch((err: Error) => {
    throw new VerbError(`Can't access VMI ${name}: ${err.message}`);
  });
  try {
    const png = framebufferPng(await readFramebuffer(stream));
    if (file === '-') c.io.stdout.write(png);
    else await writeFile(file, png).catch((err: Error) => {
      throw new VerbError(`Can't write image to a file: ${err.message}`);
    });
  } catch (err) {
    throw err instanceof VerbError ? err : new VerbError(`Can't access VMI ${name}: ${(err as Error).message}`);
  } finally {
    stream.destroy();
  }
}

/**
 * vnc VMI --proxy-only [--port P]: a VNC proxy on 127.0.0.1 for one viewer, its port printed as
 * `{"port":N}` (pkg/virtctl/vnc/vnc.go); ends when the viewer or the VMI leaves, or on Ctrl-C.
 * Loopback only: the VMI's screen is not offered to the network.
 */
async function vncProxy(c: Ctx, name: string): Promise<void> {
  const p = c.flags.port ?? '0';
  if (!/^\d+$/.test(p) || Number(p) > 65535) throw new VerbError(`invalid argument "${p}" for "--port" flag: a port number 0-65535`);
  const stream = await openStream(c.t, subresourcePath(c.t.namespace, 'virtualmachineinstances', name, 'vnc')).catch((err: Error) => {
    throw new VerbError(err.message);
  });
  const server = createServer();
  let viewer: Socket | null = null;
  try {
    await new Promise<void>((resolve, reject) => {
      server.once('error', (err) => reject(new VerbError(`can't listen on 127.0.0.1:${p}: ${err.message}`)));
      server.listen(Number(p), '127.0.0.1', resolve);
    });
    c.say(JSON.stringify({ port: (server.address() as AddressInfo).port }));
    let stop = (): void => undefined;
    await new Promise<void>((resolve) => {
      stop = resolve;
      process.once('SIGINT', stop);
      stream.once('close', stop);
      stream.once('end', stop);
      server.once('connection', (sock) => {
        viewer = sock;
        server.close(); // one viewer, as virtctl
        sock.pipe(stream);
        stream.pipe(sock);
        sock.once('close', stop);
        sock.once('error', stop);
      });
    });
    process.removeListener('SIGINT', stop);
  } finally {
    server.close();
    stream.destroy();
    (viewer as Socket | null)?.destroy();
  }
}

type Verb = { args: number; usage: string; run(c: Ctx, ...args: string[]): Promise<void> };

const VERBS: Record<string, Verb> = {
  start: { args: 1, usage: 'start VM [--paused] [--dry-run]', run: vmVerb('start', (c) => ({ ...(c.flags.paused ? { paused: true } : {}), ...dryRun(c) }), (m) => `Error starting VirtualMachine ${m}`) },
  stop: {
    args: 1, usage: 'stop VM [--force --grace-period=N] [--dry-run]',
    run: vmVerb('stop', (c) => {
      const g = gracePeriod(c);
      return { ...(g === undefined ? {} : { gracePeriod: g }), ...dryRun(c) };
    }, (m, c) => (c.flags.force ? `error force stopping VirtualMachine: ${m}` : `error stopping VirtualMachine ${m}`)),
  },
  restart: {
    args: 1, usage: 'restart VM [--force --grace-period=N] [--dry-run]',
    run: vmVerb('restart', (c) => {
      const g = gracePeriod(c);
      return { ...(g === undefined ? {} : { gracePeriodSeconds: g }), ...dryRun(c) };
    }, (m, c) => (c.flags.force ? `error force restarting VirtualMachine: ${m}` : `error restarting VirtualMachine: ${m}`)),
  },
  migrate: {
    args: 1, usage: 'migrate VM [--addedNodeSelector=k=v,...] [--dry-run]',
    run: vmVerb('migrate', (c) => {
      const sel = nodeSelector(c);
      return { ...(sel ? { addedNodeSelector: sel } : {}), ...dryRun(c) };
    }, (m) => `Error migrating VirtualMachine ${m}`),
  },
  pause: { args: 2, usage: 'pause vm|vmi NAME [--dry-run]', run: pauseVerb('pause') },
  unpause: { args: 2, usage: 'unpause vm|vmi NAME [--dry-run]', run: pauseVerb('unpause') },
  'soft-reboot': {
    args: 1, usage: 'soft-reboot VMI',
    async run(c, name) {
      await wrap((m) => `Error soft rebooting VirtualMachineInstance ${name}: ${m}`, apiRequest(c.t, 'PUT', subresourcePath(c.t.namespace, 'virtualmachineinstances', name!, 'softreboot')));
      c.say(`VMI ${name} was scheduled to soft-reboot`);
    },
  },
  guestosinfo: {
    args: 1, usage: 'guestosinfo VMI',
    async run(c, name) {
      const info = await wrap((m) => `Error getting guestosinfo of VirtualMachineInstance ${name}, ${m}`, apiRequest(c.t, 'GET', subresourcePath(c.t.namespace, 'virtualmachineinstances', name!, 'guestosinfo')));
      c.say(JSON.stringify(info, null, 2));
    },
  },
  console: { args: 1, usage: 'console VMI [--timeout=MINUTES]   (waits for the VMI to run, default 5; Ctrl+] detaches)', run: (c, name) => consoleVerb(c, name!) },
  vnc: {
    args: 1, usage: 'vnc --screenshot FILE.png VMI  |  vnc screenshot VMI -f FILE.png (- : stdout)  |  vnc VMI --proxy-only [--port P]',
    async run(c, ...args) {
      if (args[0] === 'screenshot' && args.length === 2) {
        if (!c.flags.file) throw new VerbError('required flag(s) "file" not set');
        return screenshot(c, args[1]!, c.flags.file);
      }
      if (args.length !== 1) throw new VerbError(`accepts 1 arg(s), received ${args.length}`);
      if (c.flags['proxy-only']) return vncProxy(c, args[0]!);
      const file = c.flags.screenshot ?? c.flags.file;
      if (!file) throw new VerbError('vmconform virtctl vnc starts no viewer: give --screenshot FILE.png, or --proxy-only [--port P] and point a VNC viewer at the printed port');
      return screenshot(c, args[0]!, file);
    },
  },
};

export function usage(): string {
  return [
    'usage: vmconform virtctl VERB NAME [flags]   (KubeVirt subresources of the cluster in the kubeconfig)',
    '',
    'verbs:',
    ...Object.values(VERBS).map((v) => `  ${v.usage}`),
    '',
    'flags: --kubeconfig FILE (default $KUBECONFIG, else ~/.kube/config), -n/--namespace NS (default: the context\'s, else default)',
    'Exit codes (as virtctl): 0 done, 1 any error (the message says which).',
  ].join('\n');
}

/** pflag accepts --flag=true|false for booleans; node's parseArgs does not. */
function normaliseBooleans(argv: string[]): string[] {
  const out: string[] = [];
  for (const a of argv) {
    const m = /^--([\w-]+)=(true|false)$/.exec(a);
    const def = m ? (FLAGS as Record<string, { type: string }>)[m[1]!] : undefined;
    if (m && def?.type === 'boolean') {
      if (m[2] === 'true') out.push(`--${m[1]}`);
    } else out.push(a);
  }
  return out;
}

/** Runs `vmconform virtctl ARGV`; returns the exit code (0 ok, 1 error, as virtctl). */
export async function run(argv: string[], io: CliIo = processIo()): Promise<number> {
  const fail = (msg: string): number => (io.stderr.write(`${msg}\n`), 1);
  let parsed;
  try {
    parsed = parseArgs({ args: normaliseBooleans(argv), options: FLAGS, allowPositionals: true, strict: true });
  } catch (err) {
    return fail(`${(err as Error).message}\n\n${usage()}`);
  }
  const flags = parsed.values as Flags;
  const [verbName, ...args] = parsed.positionals;
  if (flags.help || verbName === undefined) {
    io[verbName === undefined && !flags.help ? 'stderr' : 'stdout'].write(`${usage()}\n`);
    return verbName === undefined && !flags.help ? 1 : 0;
  }
  const verb = VERBS[verbName];
  if (!verb) return fail(`unknown command "${verbName}" for "virtctl"\n\n${usage()}`);
  if (verbName !== 'vnc' && args.length !== verb.args) return fail(`accepts ${verb.args} arg(s), received ${args.length}`);
  let t: KubeTarget;
  try {
    t = await loadTarget({ kubeconfig: flags.kubeconfig, namespace: flags.namespace, env: io.env });
  } catch (err) {
    return fail((err as Error).message);
  }
  const ctx: Ctx = { t, flags, io, say: (line) => void io.stdout.write(`${line}\n`) };
  try {
    await verb.run(ctx, ...args);
    return 0;
  } catch (err) {
    return fail((err as Error).message);
  }
}
