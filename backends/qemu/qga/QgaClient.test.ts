import { createServer, type Server, type Socket } from 'node:net';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { privateDir } from '../testing/privateDir.ts';
import { EXEC_POLL_FIRST_MS, EXEC_POLL_MAX_MS, nextExecPoll, QgaClient, QgaError, QgaTimeout } from './QgaClient.ts';

/**
 * A scripted fake agent on the host end of the channel: the unit under test
 * is the client's framing (0xFF, ids, stale replies). The real agent is
 * exercised in QgaClient.qemu.test.ts.
 */
let dir: { dir: string; cleanup: () => Promise<void> };
let server: Server;
let peer: Socket | null;
let handle: (msg: Record<string, unknown>, sock: Socket) => void;
let syncsSeen: number;

function send(sock: Socket, msg: unknown): void {
  sock.write(`${JSON.stringify(msg)}\n`);
}

/** The real agent's answer to guest-sync-delimited: 0xFF, then the reply. */
function syncReply(sock: Socket, msg: Record<string, unknown>): void {
  sock.write(Buffer.concat([Buffer.from([0xff]), Buffer.from(`${JSON.stringify({ return: (msg['arguments'] as { id: number }).id, id: msg['id'] })}\n`)]));
}

beforeEach(async () => {
  dir = await privateDir();
  syncsSeen = 0;
  peer = null;
  handle = (msg, sock) => send(sock, { return: {}, id: msg['id'] });
  server = createServer((sock) => {
    peer = sock;
    let buf = Buffer.alloc(0);
    sock.on('data', (d: Buffer) => {
      buf = Buffer.concat([buf, d]);
      const ff = buf.lastIndexOf(0xff);
      if (ff !== -1) buf = buf.subarray(ff + 1);
      let i;
      while ((i = buf.indexOf(0x0a)) !== -1) {
        const msg = JSON.parse(buf.subarray(0, i).toString()) as Record<string, unknown>;
        buf = buf.subarray(i + 1);
        if (msg['execute'] === 'guest-sync-delimited') syncsSeen++;
        handle(msg, sock);
      }
    });
  });
  await new Promise<void>((r) => server.listen(join(dir.dir, 'qga.sock'), r));
});

afterEach(async () => {
  peer?.destroy();
  await new Promise((r) => server.close(r));
  await dir.cleanup();
});

async function client(): Promise<QgaClient> {
  const c = await QgaClient.connect(join(dir.dir, 'qga.sock'));
  c.syncIntervalMs = 30;
  return c;
}

describe('QgaClient (against a fake agent)', () => {
  it('re-sends guest-sync-delimited until the agent answers, dropping stale output before 0xFF', async () => {
    handle = (msg, sock) => {
      if (msg['execute'] !== 'guest-sync-delimited') return send(sock, { return: {}, id: msg['id'] });
      if (syncsSeen < 3) return; // agent not up yet
      sock.write('{"return": {}, "id": "c-999"}\n{"retu'); // stale reply + half a line
      syncReply(sock, msg);
    };
    const c = await client();
    await c.ping(2000);
    expect(syncsSeen).toBe(3);
    await c.close();
  });

  it('drops replies whose id belongs to an earlier command', async () => {
    handle = (msg, sock) => {
      if (msg['execute'] === 'guest-sync-delimited') return syncReply(sock, msg);
      send(sock, { return: [{ name: 'stale' }], id: 'c-0' });
      send(sock, { return: [{ name: 'eth0', 'hardware-address': '52:54:00:00:00:01' }], id: msg['id'] });
    };
    const c = await client();
    expect(await c.execute('guest-network-get-interfaces', undefined, 1000)).toEqual([{ name: 'eth0', 'hardware-address': '52:54:00:00:00:01' }]);
    await c.close();
  });

  it('re-synchronises after a timed-out command', async () => {
    let pings = 0;
    handle = (msg, sock) => {
      if (msg['execute'] === 'guest-sync-delimited') return syncReply(sock, msg);
      if (++pings === 1) return; // swallowed (guest rebooting)
      send(sock, { return: {}, id: msg['id'] });
    };
    const c = await client();
    await expect(c.ping(100)).rejects.toBeInstanceOf(QgaTimeout);
    const before = syncsSeen;
    await c.ping(1000);
    expect(syncsSeen).toBe(before + 1);
    await c.close();
  });

  it('carries the error class, decodes guest-exec output, and treats a silent guest-shutdown as sent', async () => {
    handle = (msg, sock) => {
      const cmd = msg['execute'];
      if (cmd === 'guest-sync-delimited') return syncReply(sock, msg);
      if (cmd === 'guest-file-open') return send(sock, { error: { class: 'GenericError', desc: 'failed to open file' }, id: msg['id'] });
      if (cmd === 'guest-exec') return send(sock, { return: { pid: 42 }, id: msg['id'] });
      if (cmd === 'guest-exec-status') {
        return send(sock, { return: { exited: true, exitcode: 0, 'out-data': Buffer.from('{"bootId":"x"}').toString('base64') }, id: msg['id'] });
      }
      if (cmd === 'guest-shutdown') return; // the real agent does not answer on success
    };
    const c = await client();
    const err = await c.execute('guest-file-open', { path: '/x' }, 1000).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(QgaError);
    expect((err as QgaError).desc).toBe('failed to open file');
    expect(await c.exec('/usr/bin/vmconform-facts', [], 1000)).toEqual({ exitCode: 0, signal: null, stdout: '{"bootId":"x"}', stderr: '' });
    await c.shutdown('powerdown', 1000, 50);
    await c.close();
  });

  it('polls guest-exec-status soon, then at most every EXEC_POLL_MAX_MS (the agent has no completion event)', () => {
    const gaps = [EXEC_POLL_FIRST_MS];
    for (let i = 0; i < 6; i++) gaps.push(nextExecPoll(gaps.at(-1)!));
    expect(gaps).toEqual([5, 10, 20, 20, 20, 20, 20]);
    expect(EXEC_POLL_MAX_MS).toBeLessThanOrEqual(25); // an exit is seen within ~20 ms, not 100
  });

  it('a ping on a closed channel fails fast with QgaTimeout', async () => {
    const c = await client();
    peer?.destroy();
    await c.closed;
    await expect(c.ping(5000)).rejects.toBeInstanceOf(QgaTimeout);
  });
});
