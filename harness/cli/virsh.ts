/**
 * `vmconform virsh --vmi NAME [-n NS] [--kubeconfig F] CMD [ARGS]`: virsh
 * inside the VMI's virt-launcher, through the API server's virsh
 * subresource (subresources.vmconform.io/v1 .../virtualmachineinstances/NAME/virsh,
 * body {argv}, answer {exitCode, stdout, stderr}). Public: prints virsh's
 * stdout and stderr and exits with virsh's code (0 ok, 1 error); a failed
 * request (no such VMI, VMI not running, no launcher access) exits 1 with
 * the server's message; a bad command line of its own exits 2.
 */
import { parseArgs } from 'node:util';
import { apiRequest, loadTarget, subresourcePath } from './kubeClient.ts';
import type { CliIo } from './virtctl.ts';

const COMMANDS = 'list [--all], domstate [--reason], dominfo, start, shutdown, reboot, reset, suspend, resume, destroy, migrate';

export function usage(): string {
  return [
    'usage: vmconform virsh --vmi NAME [-n NS] [--kubeconfig FILE] CMD [ARGS]',
    '',
    'Runs virsh inside the virt-launcher of VMI NAME: the domain is <namespace>_<name>, as KubeVirt names it.',
    `Commands: ${COMMANDS}.`,
    'What virsh does behind KubeVirt\'s back, the cluster sees as virt-handler does: a guest shut down from virsh',
    'ends the VMI (its VM restarts it or not per its run strategy); suspend shows as Paused (PausedByUser).',
    'migrate is refused: virsh migrate inside a launcher would move the domain behind KubeVirt\'s back and break the',
    'VMI. Live-migrate with `vmconform virtctl migrate NAME` (a VirtualMachineInstanceMigration).',
    '',
    'Exit codes: virsh\'s (0 ok, 1 error); 1 when the request fails (no such VMI, VMI not running); 2 bad usage.',
  ].join('\n');
}

interface VirshAnswer {
  exitCode: number;
  stdout: string;
  stderr: string;
}

/** Runs `vmconform virsh ARGV`; returns the exit code. Options before CMD are ours; everything from CMD on is virsh's. */
export async function run(argv: string[], io: CliIo = { stdin: process.stdin, stdout: process.stdout, stderr: process.stderr, env: process.env }): Promise<number> {
  const firstCmd = argv.findIndex((a, i) => !a.startsWith('-') && !['--vmi', '-n', '--namespace', '--kubeconfig'].includes(argv[i - 1] ?? ''));
  const ours = firstCmd < 0 ? argv : argv.slice(0, firstCmd);
  const virshArgv = firstCmd < 0 ? [] : argv.slice(firstCmd);
  let flags;
  try {
    flags = parseArgs({
      args: ours, strict: true, allowPositionals: false,
      options: { vmi: { type: 'string' }, namespace: { type: 'string', short: 'n' }, kubeconfig: { type: 'string' }, help: { type: 'boolean', short: 'h' } },
    }).values;
  } catch (err) {
    io.stderr.write(`vmconform virsh: ${(err as Error).message}\n\n${usage()}\n`);
    return 2;
  }
  if (flags.help) {
    io.stdout.write(`${usage()}\n`);
    return 0;
  }
  if (!flags.vmi) {
    io.stderr.write(`vmconform virsh: --vmi NAME is required (the VMI whose launcher runs virsh)\n\n${usage()}\n`);
    return 2;
  }
  if (virshArgv.length === 0) {
    io.stderr.write(`vmconform virsh: no virsh command given (${COMMANDS})\n`);
    return 2;
  }
  try {
    const t = await loadTarget({ kubeconfig: flags.kubeconfig, namespace: flags.namespace, env: io.env });
    const a = (await apiRequest(t, 'POST', subresourcePath(t.namespace, 'virtualmachineinstances', flags.vmi, 'virsh', 'subresources.vmconform.io'), { argv: virshArgv })) as VirshAnswer;
    if (typeof a.exitCode !== 'number') throw new Error('the server answered without an exitCode');
    io.stdout.write(a.stdout ?? '');
    io.stderr.write(a.stderr ?? '');
    return a.exitCode;
  } catch (err) {
    io.stderr.write(`error: ${(err as Error).message}\n`);
    return 1;
  }
}
