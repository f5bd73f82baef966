import { createServer, type Server, type Socket } from 'node:net';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { privateDir } from '../testing/privateDir.ts';
import { QmpClient, QmpClosed, QmpError, QmpTimeout } from './QmpClient.ts';

/** A scripted fake QMP server: the unit under test is the client around the socket. */
let dir: { dir: string; cleanup: () => Promise<void> };
let server: Server;
let peer: Socket;
let received: Array<Record<string, unknown>>;
let onCommand: (msg: Record<string, unknown>, sock: Socket) => void;

function reply(sock: Socket, msg: unknown): void {
  sock.write(`${JSON.stringify(msg)}\r\n`);
}

beforeEach(async () => {
  dir = await privateDir();
  received = [];
  onCommand = (msg, sock) => reply(sock, { return: {}, id: msg['id'] });
  server = createServer((sock) => {
    peer = sock;
    reply(sock, { QMP: { version: { qemu: { major: 7, minor: 2, micro: 22 }, package: '' }, capabilities: [] } });
    let buf = '';
    sock.on('data', (d) => {
      buf += d.toString();
      let i;
      while ((i = buf.indexOf('\n')) !== -1) {
        const msg = JSON.parse(buf.slice(0, i)) as Record<string, unknown>;
        buf = buf.slice(i + 1);
        received.push(msg);
        if (msg['execute'] === 'query-version') reply(sock, { return: { qemu: { major: 7, minor: 2, micro: 22 }, package: 'x' }, id: msg['id'] });
        else if (msg['execute'] === 'qmp_capabilities') reply(sock, { return: {}, id: msg['id'] });
        else onCommand(msg, sock);
      }
    });
  });
  await new Promise<void>((r) => server.listen(join(dir.dir, 'qmp.sock'), r));
});

afterEach(async () => {
  await new Promise((r) => server.close(r));
  peer?.destroy();
  await dir.cleanup();
});

describe('QmpClient (against a fake socket)', () => {
  it('negotiates capabilities before the first command and reads the version from the greeting', async () => {
    const c = await QmpClient.connect(join(dir.dir, 'qmp.sock'));
    expect(received.map((m) => m['execute'])).toEqual(['qmp_capabilities']);
    expect(c.version?.qemu).toEqual({ major: 7, minor: 2, micro: 22 });
    await c.close();
  });

  it('matches replies by id even when they arrive out of order', async () => {
    const held: Array<Record<string, unknown>> = [];
    onCommand = (msg, sock) => {
      held.push(msg);
      if (held.length === 2) for (const m of held.reverse()) reply(sock, { return: { status: m['execute'] === 'stop' ? 'paused' : 'running' }, id: m['id'] });
    };
    const c = await QmpClient.connect(join(dir.dir, 'qmp.sock'));
    const [a, b] = await Promise.all([c.executeRaw('stop'), c.executeRaw('cont')]);
    expect(a).toEqual({ status: 'paused' });
    expect(b).toEqual({ status: 'running' });
    await c.close();
  });

  it('rejects with the QMP error class and description', async () => {
    onCommand = (msg, sock) => reply(sock, { error: { class: 'CommandNotFound', desc: 'The command nope has not been found' }, id: msg['id'] });
    const c = await QmpClient.connect(join(dir.dir, 'qmp.sock'));
    const err = await c.executeRaw('nope').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(QmpError);
    expect((err as QmpError).errorClass).toBe('CommandNotFound');
    expect((err as QmpError).message).toContain('The command nope has not been found');
    await c.close();
  });

  it('times out a command, drops its late reply, and keeps working', async () => {
    let first: Record<string, unknown> | null = null;
    onCommand = (msg, sock) => {
      if (!first) first = msg;
      else {
        reply(sock, { return: 'late', id: first['id'] }); // stale
        reply(sock, { return: 'fresh', id: msg['id'] });
      }
    };
    const c = await QmpClient.connect(join(dir.dir, 'qmp.sock'));
    await expect(c.executeRaw('query-status', undefined, 50)).rejects.toBeInstanceOf(QmpTimeout);
    await expect(c.executeRaw('query-status')).resolves.toBe('fresh');
    await c.close();
  });

  it('delivers events to listeners and waitEvent filters by data', async () => {
    onCommand = (msg, sock) => {
      reply(sock, { event: 'RESET', data: { guest: false, reason: 'host-qmp-system-reset' }, timestamp: { seconds: 1, microseconds: 0 } });
      reply(sock, { event: 'RESET', data: { guest: true, reason: 'guest-reset' }, timestamp: { seconds: 1, microseconds: 1 } });
      reply(sock, { return: {}, id: msg['id'] });
    };
    const c = await QmpClient.connect(join(dir.dir, 'qmp.sock'));
    const seen: string[] = [];
    c.onEvent((e) => seen.push(`${e.event}:${String(e.data['reason'])}`));
    const guestReset = c.waitEvent('RESET', 1000, (d) => d['guest'] === true);
    await c.execute('system_reset');
    expect((await guestReset).data['reason']).toBe('guest-reset');
    expect(seen).toEqual(['RESET:host-qmp-system-reset', 'RESET:guest-reset']);
    await c.close();
  });

  it('rejects pending commands and event waits with QmpClosed when the peer goes away', async () => {
    onCommand = () => peer.destroy();
    const c = await QmpClient.connect(join(dir.dir, 'qmp.sock'));
    const ev = c.waitEvent('SHUTDOWN', 5000);
    await expect(c.execute('quit')).rejects.toBeInstanceOf(QmpClosed);
    await expect(ev).rejects.toBeInstanceOf(QmpClosed);
    await c.closed;
    expect(c.isClosed).toBe(true);
    await expect(c.execute('cont')).rejects.toBeInstanceOf(QmpClosed);
  });

  it('fails to connect with a clear error when nobody listens', async () => {
    await expect(QmpClient.connect(join(dir.dir, 'absent.sock'), { timeoutMs: 500 })).rejects.toThrow(/absent\.sock/);
  });
});
