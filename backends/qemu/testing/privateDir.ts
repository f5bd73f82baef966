/**
 * Test helper (internal): a private 0700 temp dir with a short path (unix
 * socket paths must stay under 108 bytes), removed by the returned cleanup.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export async function privateDir(prefix = 'vq'): Promise<{ dir: string; cleanup: () => Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), `${prefix}-`)); // mkdtemp creates it 0700
  return { dir, cleanup: () => rm(dir, { recursive: true, force: true }) };
}
