/**
 * The node-side streams of a VMI over the API: the `console` and `vnc`
 * websockets of subresources.kubevirt.io (pkg/virt-api/rest/console.go,
 * vnc.go; virtctl pkg/virtctl/console: subprotocol `plain.kubevirt.io`,
 * binary frames carrying the raw serial / RFB bytes both ways) and the
 * harness's `virsh` (POST subresources.vmconform.io/v1 …/virsh, body
 * `{"argv": [...]}`, answer `{"exitCode","stdout","stderr"}`), each piped to
 * the backend's LauncherAccess (backends/contract.ts). 503 when the backend
 * has none, 404 for an unknown VMI, 400 when the VMI does not run
 * (validateVMIForConsole). Internal to harness/server.
 */
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';
import type { LauncherAccess } from '../../backends/contract.ts';
import { LauncherUnavailable } from '../../backends/cluster/index.ts';
import type { VmiStatus } from '../cluster/index.ts';
import type { ClusterDriver } from './driver.ts';
import { errors, status, StatusError, type Status } from './status.ts';

export const CONSOLE_PROTOCOL = 'plain.kubevirt.io';

function vmiNotFound(name: string): StatusError {
  return new StatusError(status(404, 'NotFound', `virtualmachineinstance.kubevirt.io "${name}" not found`, { name, group: 'kubevirt.io', kind: 'virtualmachineinstance' }));
}

/** The checks of validateVMIForConsole (console.go) for console and vnc; virsh needs the VMI and the access only. */
export function checkLauncher(driver: ClusterDriver, launcher: LauncherAccess | undefined, name: string, requireRunning: boolean): LauncherAccess {
  const snap = driver.feed.get('VirtualMachineInstance', name);
  if (!snap) throw vmiNotFound(name);
  if (!launcher) throw errors.unavailable(`the ${driver.backend.name} backend has no launcher access (console, vnc, virsh)`);
  if (!requireRunning) return launcher;
  const phase = (snap.obj.status as VmiStatus).phase;
  if (phase === 'Failed') throw new StatusError(status(409, 'Conflict', `Operation cannot be fulfilled on virtualmachineinstance.kubevirt.io "${name}": VMI is in failed status`, { name, group: 'kubevirt.io', kind: 'virtualmachineinstance' }));
  if (phase !== 'Running') throw errors.badRequest('VMI is not running');
  return launcher;
}

/**
 * A launcher that refused (the VMI went away or stopped between the check and
 * the call: LauncherUnavailable carries virt-api's code and reason) as a Status
 * error; anything else is passed on.
 */
export function launcherError(err: unknown): unknown {
  return err instanceof LauncherUnavailable ? new StatusError(status(err.code, err.reason, err.message)) : err;
}

/** Answers an upgrade request with a Status and closes the socket. */
export function refuseUpgrade(socket: Duplex, s: Status): void {
  const body = JSON.stringify(s);
  const text = { 400: 'Bad Request', 401: 'Unauthorized', 404: 'Not Found', 409: 'Conflict', 503: 'Service Unavailable' }[s.code] ?? 'Error';
  socket.end(`HTTP/1.1 ${s.code} ${text}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`);
}

/** A websocket server that only speaks plain.kubevirt.io. */
export function consoleSockets(): WebSocketServer {
  return new WebSocketServer({ noServer: true, handleProtocols: (protocols) => (protocols.has(CONSOLE_PROTOCOL) ? CONSOLE_PROTOCOL : false), maxPayload: 1 << 20 });
}

/** Pipes a websocket to a stream until either side ends. */
export function pipeSocket(ws: WebSocket, stream: Duplex): void {
  ws.binaryType = 'nodebuffer';
  const end = () => {
    if (ws.readyState === ws.OPEN || ws.readyState === ws.CONNECTING) ws.close(1000);
    stream.destroy();
  };
  ws.on('message', (data: Buffer) => stream.write(data));
  ws.on('close', end);
  ws.on('error', end);
  stream.on('data', (chunk: Buffer) => {
    if (ws.readyState === ws.OPEN) ws.send(chunk, { binary: true });
  });
  stream.on('end', end);
  stream.on('close', end);
  stream.on('error', end);
}

/** The virsh body: `{"argv": [strings]}`. */
export function virshArgv(body: unknown): string[] {
  const argv = (body as { argv?: unknown } | null)?.argv;
  if (!Array.isArray(argv) || !argv.every((a) => typeof a === 'string')) throw errors.badRequest('virsh: the body must be {"argv": [strings]}');
  return argv as string[];
}

export type { IncomingMessage };
