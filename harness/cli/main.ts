/**
 * The `vmconform` command: a table of subcommands, each in its own module,
 * loaded on demand so that `vmconform validate` does not load QEMU code.
 * Public: flags and exit codes are documented in the README.
 */
import { EXIT, UsageError } from './exit.ts';

interface Subcommand {
  summary: string;
  load: () => Promise<{ run(argv: string[]): Promise<number> }>;
}

const SUBCOMMANDS: Record<string, Subcommand> = {
  run: { summary: 'run generated and hand-written scenarios against backends', load: () => import('./run.ts') },
  replay: { summary: 're-run a recorded counterexample (DIR, results.json or --token)', load: () => import('./replay.ts') },
  validate: { summary: 'validate manifests (-f FILE...)', load: () => import('./validate.ts') },
  get: { summary: 'kubectl-style table of vms|vmis|vmim|vmirs|vmpool after applying -f FILE... to the model', load: () => import('./get.ts') },
  cluster: { summary: 'a local KubeVirt cluster behind the Kubernetes API: up, status, down', load: () => import('./cluster.ts') },
  virtctl: { summary: 'KubeVirt virtctl verbs against the cluster in the kubeconfig (start, stop, migrate, console, vnc …)', load: () => import('./virtctl.ts') },
  virsh: { summary: 'virsh inside a VMI\'s launcher (--vmi NAME CMD: list, domstate, shutdown, reset …)', load: () => import('./virsh.ts') },
  bench: { summary: 'run the benchmarks (--json for machine-readable output)', load: () => import('./bench.ts') },
};

export function usage(): string {
  const lines = Object.entries(SUBCOMMANDS).map(([name, s]) => `  ${name.padEnd(10)} ${s.summary}`);
  return [
    'usage: vmconform <command> [options]',
    '',
    'commands:',
    ...lines,
    '',
    'Run `vmconform <command> --help` for the options of a command.',
    'Exit codes: 0 ok, 1 counterexample found, 2 bad usage or input, 3 infrastructure error.',
  ].join('\n');
}

/** Runs the CLI and returns its exit code; never throws. */
export async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    console.log(usage());
    return name === undefined ? EXIT.usage : EXIT.ok;
  }
  const sub = SUBCOMMANDS[name];
  if (!sub) {
    console.error(`vmconform: unknown command '${name}'\n\n${usage()}`);
    return EXIT.usage;
  }
  try {
    return await (await sub.load()).run(rest);
  } catch (err) {
    if (err instanceof UsageError) {
      console.error(`vmconform ${name}: ${err.message}`);
      return EXIT.usage;
    }
    console.error(`vmconform ${name}: internal error: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
    return EXIT.infrastructure;
  }
}
