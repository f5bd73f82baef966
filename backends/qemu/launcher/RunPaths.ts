/**
 * Where a VMI's launcher keeps its files: one private 0700 directory per VMI
 * instance, under its node's directory in the state dir. Internal.
 *
 * Socket names are short because sun_path holds 107 bytes; the directory is
 * named by a digest of the uid so that a long VMI name cannot overflow it.
 */
import { createHash } from 'node:crypto';
import { join } from 'node:path';

/** sun_path is 108 bytes on Linux, including the terminating NUL. */
export const MAX_SOCKET_PATH = 107;

export interface RunPaths {
  dir: string;
  qmp: string;
  qga: string;
  console: string;
  consoleLog: string;
  vnc: string;
  /** Our own record of the QEMU pid (for reaping orphans of a crashed run). */
  pidFile: string;
  /** Migration stream socket (on the target). */
  migration: string;
  /** The sparse zero file QEMU's generic loader writes over guest RAM at each reset under TCG (qemuArgs.ts). */
  resetScrub: string;
  /** The firmware's debug console (SeaBIOS on port 0x402): how a failed boot is known (VmiLauncher.ts). */
  firmwareLog: string;
}

/** Directory of a node under the state dir. Internal. */
export function nodeDir(stateDir: string, node: string): string {
  return join(stateDir, 'nodes', node);
}

/**
 * Paths of one launcher: `<state>/nodes/<node>/<digest of uid>[.<n>]`. `instance`
 * distinguishes a migration target from its source when both sit on the same node.
 */
export function runPaths(stateDir: string, node: string, uid: string, instance = 0): RunPaths {
  const digest = createHash('sha256').update(uid).digest('hex').slice(0, 10);
  const dir = join(nodeDir(stateDir, node), instance ? `${digest}.${instance}` : digest);
  return {
    dir,
    qmp: join(dir, 'qmp'),
    qga: join(dir, 'qga'),
    console: join(dir, 'con'),
    consoleLog: join(dir, 'console.log'),
    vnc: join(dir, 'vnc'),
    pidFile: join(dir, 'qemu.pid'),
    migration: join(dir, 'mig'),
    resetScrub: join(dir, 'scrub'),
    firmwareLog: join(dir, 'firmware.log'),
  };
}

/** The first socket path that is too long, or null. Internal. */
export function tooLongSocket(p: RunPaths): string | null {
  for (const s of [p.qmp, p.qga, p.console, p.vnc, p.migration]) if (Buffer.byteLength(s) > MAX_SOCKET_PATH) return s;
  return null;
}
