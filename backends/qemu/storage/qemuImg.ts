/**
 * A thin typed wrapper over the `qemu-img` commands the storage code uses.
 * Internal to backends/qemu/storage. Argument arrays only; a failure throws
 * QemuImgError carrying the command line and qemu-img's own message.
 */
import { execa, ExecaError } from 'execa';
import { QEMU_IMG_MS } from '../budgets.ts';
import { withParentDeathSignal } from '../process/spawnQemu.ts';

/** Image format as qemu-img names it. */
export type ImgFormat = 'raw' | 'qcow2';

/** A failed qemu-img run. Internal. */
export class QemuImgError extends Error {
  constructor(
    readonly args: readonly string[],
    readonly stderr: string,
  ) {
    super(`qemu-img ${args.join(' ')}: ${stderr.trim() || 'failed'}`);
    this.name = 'QemuImgError';
  }
}

async function run(args: string[], timeoutMs: number): Promise<string> {
  try {
    // Dies with the harness like QEMU (process/spawnQemu.ts): a killed run leaves no qemu-img writing into its dir.
    const { stdout } = await execa(...withParentDeathSignal('qemu-img', args), { timeout: timeoutMs });
    return stdout;
  } catch (e) {
    if (e instanceof ExecaError) throw new QemuImgError(args, String(e.stderr || e.shortMessage));
    throw e;
  }
}

/** Options of `qemu-img create`. Internal. */
export interface CreateOptions {
  format: ImgFormat;
  /** Virtual size in bytes; omitted for an overlay that keeps its backing file's size. */
  sizeBytes?: number;
  backing?: { file: string; format: ImgFormat };
  timeoutMs?: number;
}

/** Creates an image (or a qcow2 overlay over `backing`). Internal. */
export async function qemuImgCreate(file: string, o: CreateOptions): Promise<void> {
  const args = ['create', '-q', '-f', o.format];
  if (o.backing) args.push('-b', o.backing.file, '-F', o.backing.format);
  args.push(file);
  if (o.sizeBytes !== undefined) args.push(String(o.sizeBytes));
  await run(args, o.timeoutMs ?? QEMU_IMG_MS);
}

/** The facts `qemu-img info` reports that the storage code uses. Internal. */
export interface ImgInfo {
  format: string;
  virtualSize: number;
  /** Backing file as written in the header, or null. */
  backingFile: string | null;
  backingFormat: string | null;
}

/** Reads an image's header; `-U` so that an image a running QEMU holds can be read too. Internal. */
export async function qemuImgInfo(file: string, timeoutMs = QEMU_IMG_MS): Promise<ImgInfo> {
  const out = JSON.parse(await run(['info', '-U', '--output=json', file], timeoutMs)) as {
    format: string;
    'virtual-size': number;
    'backing-filename'?: string;
    'backing-filename-format'?: string;
  };
  return {
    format: out.format,
    virtualSize: out['virtual-size'],
    backingFile: out['backing-filename'] ?? null,
    backingFormat: out['backing-filename-format'] ?? null,
  };
}
