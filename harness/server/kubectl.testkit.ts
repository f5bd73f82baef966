/**
 * The pinned kubectl of the tests: Debian's kubernetes-client (1.20), which
 * scripts/install-deps.sh unpacks into the git-ignored .tools/ (not the
 * machine's kubectl, whatever version that is), and a runner for it.
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { execa, type ResultPromise } from 'execa';

export const KUBECTL = fileURLToPath(new URL('../../.tools/kubernetes-client/usr/bin/kubectl', import.meta.url));

export function requireKubectl(): string {
  if (!existsSync(KUBECTL)) throw new Error(`kubectl not found at ${KUBECTL}: run scripts/install-deps.sh (make test does)`);
  return KUBECTL;
}

export interface KubectlResult {
  exitCode: number;
  stdout: string;
  stderr: string;
}

/** Runs kubectl with `kubeconfig`; never throws for a non-zero exit. */
export async function kubectl(kubeconfig: string, args: string[], opts: { input?: string; timeoutMs?: number } = {}): Promise<KubectlResult> {
  const r = await execa(requireKubectl(), ['--kubeconfig', kubeconfig, ...args], { reject: false, input: opts.input, timeout: opts.timeoutMs ?? 30_000, env: { HOME: '/nonexistent-vmconform', KUBECONFIG: '' }, extendEnv: false });
  return { exitCode: r.exitCode ?? -1, stdout: r.stdout, stderr: r.stderr };
}

/** A long-running kubectl (watch); the caller kills it. */
export function kubectlSpawn(kubeconfig: string, args: string[]): ResultPromise {
  return execa(requireKubectl(), ['--kubeconfig', kubeconfig, ...args], { reject: false, env: { HOME: '/nonexistent-vmconform', KUBECONFIG: '' }, extendEnv: false, buffer: true });
}
