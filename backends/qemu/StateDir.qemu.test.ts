import { execa } from 'execa';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { reapOrphans } from './StateDir.ts';
import { processStartTime } from './process/processGroups.ts';
import { agentHarness, type AgentHarness } from './testing/agentHarness.ts';
import { testSpec } from './testing/bootGuest.ts';
import { privateDir } from './testing/privateDir.ts';

// A killed child of this process is a zombie until Node reaps it, and kill(pid, 0) still succeeds on a
// zombie: alive means running, as the reaper itself judges it (processStartTime: a zombie holds nothing).
const alive = (pid: number): boolean => processStartTime(pid) !== null;

let h: AgentHarness | null = null;
afterEach(async () => {
  await h?.dispose();
  h = null;
});

describe('state dir hygiene', () => {
  it('reaps the QEMU processes a crashed earlier run left in the same state dir, and clears its files', async () => {
    h = await agentHarness();
    h.agent.perform({ type: 'launch', spec: testSpec({ startPaused: true }) });
    await h.settle();
    const pid = [...h.agent.launchers.values()][0]!.proc.pid;
    expect(alive(pid)).toBe(true);
    // The "crashed" harness never disposes: a new run in the same state dir finds its QEMU by pid file.
    expect(await reapOrphans(h.stateDir)).toEqual([pid]);
    expect(alive(pid)).toBe(false);
    expect(existsSync(join(h.stateDir, 'nodes'))).toBe(false);
  }, 60_000);

  it('SIGTERM to the harness disposes the backend: no QEMU, socket or file left', async () => {
    const tmp = await privateDir();
    const stateDir = join(tmp.dir, 'state');
    const child = execa('node', ['--import', 'tsx', join(import.meta.dirname, 'testing/signalChild.ts'), stateDir], { reject: false, cwd: join(import.meta.dirname, '../..') });
    try {
      const pids = await new Promise<number[]>((resolve, reject) => {
        child.stdout!.on('data', (d: Buffer) => {
          const m = /ready ([\d ]+)/.exec(d.toString());
          if (m) resolve(m[1]!.trim().split(' ').map(Number));
        });
        void child.then((r) => reject(new Error(`child ended early: ${r.stderr}`)));
      });
      expect(pids).toHaveLength(1);
      expect(alive(pids[0]!)).toBe(true);
      child.kill('SIGTERM');
      const r = await child;
      expect(r.signal).toBe('SIGTERM');
      expect(alive(pids[0]!)).toBe(false);
      expect(existsSync(stateDir)).toBe(false);
    } finally {
      child.kill('SIGKILL');
      await tmp.cleanup();
    }
  }, 60_000);
});
