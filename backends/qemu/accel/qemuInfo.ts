/**
 * Facts about the QEMU binary, asked from QEMU itself over QMP: its version
 * (query-version) and the machine type `q35` resolves to (query-machines).
 * Internal: part of the backend fingerprint; also proves the binary runs.
 */
import { join } from 'node:path';
import { QmpClient } from '../qmp/QmpClient.ts';
import { retryUntil } from '../retryUntil.ts';
import { killGroup } from '../process/processGroups.ts';
import { execFailure, spawnQemu } from '../process/spawnQemu.ts';
import { QEMU_INFO_MS } from '../budgets.ts';

export interface QemuInfo {
  /** e.g. `7.2.22`. */
  version: string;
  /** Versioned machine type behind the `q35` alias, e.g. `pc-q35-7.2`. */
  machine: string;
}

/**
 * Starts `binary` with no machine, asks it, quits it. `dir` is a private
 * directory for the QMP socket. Throws an Error naming the binary and
 * QEMU's stderr when it does not run.
 */
export async function qemuInfo(binary: string, dir: string, timeoutMs = QEMU_INFO_MS): Promise<QemuInfo> {
  const sock = join(dir, 'info.qmp');
  const child = spawnQemu(binary, ['-machine', 'none', '-nodefaults', '-no-user-config', '-display', 'none', '-S', '-qmp', `unix:${sock},server=on,wait=off`], { stderr: 'pipe' });
  let exited = false;
  void child.then(() => (exited = true), () => (exited = true));
  try {
    const qmp = await retryUntil(() => QmpClient.connect(sock, { timeoutMs: 2000 }), { timeoutMs, what: `QEMU ${binary}`, giveUp: () => (exited ? 'exited' : null) });
    try {
      const v = qmp.version!.qemu;
      const machines = (await qmp.executeRaw('query-machines')) as Array<{ name: string; alias?: string }>;
      const q35 = machines.find((m) => m.alias === 'q35')?.name ?? 'q35';
      return { version: `${v.major}.${v.minor}.${v.micro}`, machine: q35 };
    } finally {
      await qmp.execute('quit').catch(() => undefined);
      await qmp.close();
    }
  } catch (err) {
    const r = await Promise.race([child, new Promise((res) => setTimeout(res, 500))]);
    const stderr = r && typeof r === 'object' && 'stderr' in r ? String((r as { stderr: unknown }).stderr).trim() : '';
    const exitCode = r && typeof r === 'object' && 'exitCode' in r ? ((r as { exitCode?: number }).exitCode ?? null) : null;
    const cause = r && typeof r === 'object' && 'originalMessage' in r && exitCode === null ? String((r as { originalMessage: unknown }).originalMessage) : '';
    throw new Error(`QEMU binary ${binary} does not run: ${execFailure(binary, exitCode, stderr) ?? (stderr || cause || (err as Error).message)}`, { cause: err });
  } finally {
    if (child.pid !== undefined && !exited) killGroup(child.pid);
    await child;
  }
}
