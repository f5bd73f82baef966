/**
 * `virsh` inside a virt-launcher: the commands vmconform serves, with
 * virsh's options, output columns, messages and exit codes (libvirt
 * tools/virsh-domain.c, tools/virsh-domain-monitor.c, tools/vsh.c,
 * tools/vsh-table.c), acting on the launcher's one domain. Public (to
 * backends): both backends' LauncherAccess.virsh run it over their
 * VirshDomain. Pure: no I/O of its own.
 *
 * What virsh does in every command, kept here:
 * - a command's output is followed by one empty line (vsh.c vshCommandRun
 *   prints "\n" after each command unless --quiet);
 * - errors go to stderr as `error: <message>`: first virsh's own ("Failed
 *   to suspend domain 'x'"), then libvirt's reason; the exit code is 1;
 * - a domain is named by name, id or UUID, positionally or with --domain.
 *
 * `migrate` is refused: a virsh migrate inside a launcher moves the domain
 * behind KubeVirt's back (no VirtualMachineInstanceMigration, no target
 * pod), which leaves the VMI pointing at a launcher whose domain is gone. A
 * KubeVirt user migrates with `virtctl migrate`.
 */
import { DomainError, type DomainInfo, type VirshDomain } from './VirshDomain.ts';

export interface VirshResult {
  exitCode: number;
  stdout: string;
  stderr: string;
}

/** The message `virsh migrate` answers with (also in `vmconform virsh --help`). */
export const MIGRATE_REFUSAL =
  'virsh migrate is refused inside a KubeVirt launcher: it would move the domain behind KubeVirt\'s back and break the VMI. ' +
  'Live-migrate the VM with `vmconform virtctl migrate NAME` (a VirtualMachineInstanceMigration) instead';

type Options = Record<string, string | true>;

interface Out {
  stdout: string[];
  stderr: string[];
}

interface CommandDef {
  /** Option names (without --) and whether they take a value. */
  options: Record<string, 'flag' | 'value'>;
  /** The domain is required (positionally or --domain). */
  domain: boolean;
  run(dom: VirshDomain, info: DomainInfo, opts: Options, out: Out): Promise<boolean>;
}

/** An action on an active domain: virsh's success line, or its failure line and libvirt's reason. */
function action(verb: string, done: string, act: (d: VirshDomain) => Promise<void>, allowed: (i: DomainInfo) => boolean = (i) => i.id !== null): CommandDef {
  return {
    options: { domain: 'value' },
    domain: true,
    async run(dom, info, _opts, out) {
      try {
        if (!allowed(info)) throw new DomainError('Requested operation is not valid: domain is not running');
        await act(dom);
      } catch (err) {
        if (!(err instanceof DomainError)) throw err;
        out.stderr.push(`error: Failed to ${verb} domain '${info.name}'`, `error: ${err.message}`);
        return false;
      }
      out.stdout.push(`Domain '${info.name}' ${done}`);
      return true;
    },
  };
}

/** vsh-table.c: each cell is " value" padded to the column width + 2 (not the last); the rule is width + 3 dashes per column. */
export function vshTable(header: string[], rows: string[][]): string[] {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]) => cells.map((c, i) => ` ${c}${i < cells.length - 1 ? ' '.repeat(widths[i]! - c.length + 2) : ''}`).join('');
  return [line(header), widths.map((w) => '-'.repeat(w + 3)).join(''), ...rows.map(line)];
}

const COMMANDS: Record<string, CommandDef> = {
  list: {
    options: { all: 'flag', inactive: 'flag', name: 'flag', uuid: 'flag', id: 'flag' },
    domain: false,
    async run(_dom, info, opts, out) {
      const active = info.id !== null;
      const shown = opts['all'] ? [info] : opts['inactive'] ? (active ? [] : [info]) : active ? [info] : [];
      if (opts['name'] || opts['uuid'] || opts['id']) {
        for (const d of shown) {
          if (opts['id'] && d.id === null) continue;
          out.stdout.push(opts['id'] ? String(d.id) : opts['uuid'] ? d.uuid : d.name);
        }
        return true;
      }
      out.stdout.push(...vshTable(['Id', 'Name', 'State'], shown.map((d) => [d.id === null ? '-' : String(d.id), d.name, d.state])));
      return true;
    },
  },
  domstate: {
    options: { domain: 'value', reason: 'flag' },
    domain: true,
    async run(_dom, info, opts, out) {
      out.stdout.push(opts['reason'] ? `${info.state} (${info.reason})` : info.state);
      return true;
    },
  },
  dominfo: {
    options: { domain: 'value' },
    domain: true,
    async run(_dom, d, _opts, out) {
      const row = (k: string, v: string | number) => out.stdout.push(`${k.padEnd(15)} ${v}`);
      row('Id:', d.id === null ? '-' : d.id);
      row('Name:', d.name);
      row('UUID:', d.uuid);
      row('OS Type:', 'hvm');
      row('State:', d.state);
      row('CPU(s):', d.vcpus);
      if (d.cpuTimeNs > 0) row('CPU time:', `${(d.cpuTimeNs / 1e9).toFixed(1)}s`);
      row('Max memory:', `${d.maxMemoryKiB} KiB`);
      row('Used memory:', `${d.usedMemoryKiB} KiB`);
      row('Persistent:', 'yes'); // virt-launcher defines its domain (virDomainDefineXML) before it starts it
      row('Autostart:', 'disable');
      row('Managed save:', 'no');
      row('Security model:', 'none');
      row('Security DOI:', '0');
      return true;
    },
  },
  start: {
    options: { domain: 'value', paused: 'flag' },
    domain: true,
    async run(_dom, info, _opts, out) {
      if (info.id !== null) {
        out.stderr.push(`error: Domain '${info.name}' is already active`);
        return false;
      }
      // The launcher ends with its domain: starting it again is the VM controller's job.
      out.stderr.push(`error: Failed to start domain '${info.name}'`, 'error: Requested operation is not valid: the launcher is ending; start the VM with `vmconform virtctl start NAME`');
      return false;
    },
  },
  shutdown: action('shutdown', 'is being shutdown', (d) => d.shutdown()),
  reboot: action('reboot', 'is being rebooted', (d) => d.reboot()),
  reset: action('reset', 'was reset', (d) => d.reset()),
  suspend: action('suspend', 'suspended', (d) => d.suspend()),
  resume: action('resume', 'resumed', (d) => d.resume()),
  destroy: action('destroy', 'destroyed', (d) => d.destroy()),
  migrate: {
    options: { domain: 'value', desturi: 'value', live: 'flag', p2p: 'flag', tunnelled: 'flag', persistent: 'flag', 'undefinesource': 'flag', verbose: 'flag', 'copy-storage-all': 'flag' },
    domain: false,
    async run(_dom, _info, _opts, out) {
      out.stderr.push(`error: ${MIGRATE_REFUSAL}`);
      return false;
    },
  },
};

/** The commands served, for help texts. */
export const VIRSH_COMMANDS: readonly string[] = Object.keys(COMMANDS);

type Parsed = { cmd: CommandDef; name: string; opts: Options; domain: string | null } | { error: string };

function parse(argv: string[]): Parsed {
  const [name, ...rest] = argv;
  if (name === undefined) return { error: 'no command given' };
  const cmd = COMMANDS[name];
  if (!cmd) return { error: `unknown command: '${name}'` };
  const opts: Options = {};
  let domain: string | null = null;
  for (let i = 0; i < rest.length; i++) {
    const a = rest[i]!;
    if (a.startsWith('--')) {
      const eq = a.indexOf('=');
      const key = a.slice(2, eq < 0 ? undefined : eq);
      const kind = cmd.options[key];
      if (!kind) return { error: `command '${name}' doesn't support option --${key}` };
      if (kind === 'flag') opts[key] = true;
      else {
        const v = eq >= 0 ? a.slice(eq + 1) : rest[++i];
        if (v === undefined) return { error: `expected syntax: --${key} <string>` };
        opts[key] = v;
      }
    } else if (cmd.options['domain'] && domain === null && opts['domain'] === undefined) domain = a;
    else if (name === 'migrate') continue; // desturi and friends: refused anyway
    else return { error: `unexpected data '${a}'` };
  }
  const d = typeof opts['domain'] === 'string' ? opts['domain'] : domain;
  if (cmd.domain && d === null) return { error: `command '${name}' requires <domain> option` };
  return { cmd, name, opts, domain: d };
}

/** Runs one virsh command line (without the `virsh`) against the launcher's domain. */
export async function runVirsh(dom: VirshDomain, argv: string[]): Promise<VirshResult> {
  const out: Out = { stdout: [], stderr: [] };
  const p = parse(argv);
  let ok: boolean;
  if ('error' in p) {
    out.stderr.push(`error: ${p.error}`);
    ok = false;
  } else {
    const info = await dom.info();
    if (p.domain !== null && p.domain !== info.name && p.domain !== info.uuid && p.domain !== String(info.id ?? '')) {
      out.stderr.push(`error: failed to get domain '${p.domain}'`);
      ok = false;
    } else ok = await p.cmd.run(dom, info, p.opts, out);
  }
  const lines = (l: string[]) => l.map((s) => `${s}\n`).join('');
  // vsh.c vshCommandRun: one empty line after every command; a usage error stops before any command runs.
  const parsedOk = !('error' in p);
  return { exitCode: ok ? 0 : 1, stdout: lines(out.stdout) + (parsedOk ? '\n' : ''), stderr: lines(out.stderr) };
}
