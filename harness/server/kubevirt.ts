/**
 * KubeVirt's subresources (subresources.kubevirt.io/v1, pkg/virt-api/api.go
 * and pkg/virt-api/rest/lifecycle.go): PUT start, stop, restart, migrate on
 * VMs (202 Accepted, no body), PUT pause, unpause, softreboot on VMIs (200),
 * GET guestosinfo. Bodies are KubeVirt's option types (StartOptions.paused,
 * StopOptions.gracePeriod, RestartOptions.gracePeriodSeconds, `dryRun`); an
 * empty body is allowed, a malformed one is 400. Each is Backend.vm(...);
 * the core answers with KubeVirt's code, and a 409 is worded as virt-api
 * words it (`Operation cannot be fulfilled on virtualmachine.kubevirt.io
 * "x": …`, errors.NewConflict(v1.Resource("virtualmachine"), …)). A dry run
 * asks a copy of the core. Internal to harness/server.
 */
import type { ServerResponse } from 'node:http';
import { ClusterCore, type VmiStatus } from '../cluster/index.ts';
import type { Result, VmAction } from '../contract/index.ts';
import type { ClusterDriver } from './driver.ts';
import { sendJson } from './rest.ts';
import { errors, status, StatusError } from './status.ts';

type VerbPath = 'start' | 'stop' | 'restart' | 'migrate' | 'pause' | 'unpause' | 'softreboot';

/** Subresource → the VmAction it asks for, and the resource virt-api names in its errors. */
const VERBS: Readonly<Record<VerbPath, { on: 'virtualmachines' | 'virtualmachineinstances'; code: number; action: (name: string, body: Record<string, unknown>) => VmAction }>> = {
  start: { on: 'virtualmachines', code: 202, action: (name, b) => ({ verb: 'start', name, ...(b.paused === true ? { paused: true } : {}) }) },
  stop: { on: 'virtualmachines', code: 202, action: (name, b) => ({ verb: 'stop', name, ...(typeof b.gracePeriod === 'number' ? { gracePeriod: b.gracePeriod } : {}) }) },
  restart: { on: 'virtualmachines', code: 202, action: (name, b) => ({ verb: 'restart', name, ...(typeof b.gracePeriodSeconds === 'number' ? { gracePeriod: b.gracePeriodSeconds } : {}) }) },
  migrate: { on: 'virtualmachines', code: 202, action: (name) => ({ verb: 'migrate', name }) },
  pause: { on: 'virtualmachineinstances', code: 200, action: (name) => ({ verb: 'pause', name }) },
  unpause: { on: 'virtualmachineinstances', code: 200, action: (name) => ({ verb: 'unpause', name }) },
  softreboot: { on: 'virtualmachineinstances', code: 200, action: (name) => ({ verb: 'softReboot', name }) },
};

export const isVerb = (on: string, sub: string): sub is VerbPath => sub in VERBS && VERBS[sub as VerbPath].on === on;

/** virt-api's Status of a failed verb. */
function verbStatus(r: Extract<Result, { ok: false }>, on: string, name: string): StatusError {
  const kind = on === 'virtualmachines' ? 'virtualmachine' : 'virtualmachineinstance';
  const details = { name, group: 'kubevirt.io', kind };
  if (r.code === 409 && !r.message.startsWith('Operation cannot')) return new StatusError(status(409, 'Conflict', `Operation cannot be fulfilled on ${kind}.kubevirt.io "${name}": ${r.message}`, details));
  return new StatusError(status(r.code, r.reason ?? ({ 400: 'BadRequest', 403: 'Forbidden', 404: 'NotFound', 409: 'Conflict', 422: 'Invalid', 500: 'InternalError' } as const)[r.code], r.message, details));
}

/** decodeBody of lifecycle.go: an empty body is no options; anything else must be a JSON object. */
function options(raw: unknown): Record<string, unknown> {
  if (raw === undefined || raw === null) return {};
  if (typeof raw !== 'object' || Array.isArray(raw)) throw errors.badRequest('Can not unmarshal Request body to struct, error: expected a JSON object');
  const o = raw as Record<string, unknown>;
  for (const k of ['gracePeriod', 'gracePeriodSeconds']) {
    if (o[k] !== undefined && (typeof o[k] !== 'number' || !Number.isInteger(o[k]))) throw errors.badRequest(`Can not unmarshal Request body to struct, error: json: cannot unmarshal ${typeof o[k]} into Go struct field .${k} of type int64`);
  }
  return o;
}

export async function verb(driver: ClusterDriver, res: ServerResponse, on: string, sub: VerbPath, name: string, rawBody: unknown): Promise<void> {
  const body = options(rawBody);
  const v = VERBS[sub];
  if (sub === 'restart' && typeof body.gracePeriodSeconds === 'number') {
    if (body.gracePeriodSeconds < 0) throw errors.badRequest('gracePeriod has to be greater or equal to 0');
  }
  const action = v.action(name, body);
  const dry = Array.isArray(body.dryRun) && body.dryRun.includes('All');
  let r: Result;
  if (dry) {
    const copy = ClusterCore.restore(driver.backend.core.save());
    copy.setTime(driver.now());
    r = copy.vm(action);
  } else {
    r = await driver.backend.vm(action);
    driver.flush();
  }
  if (!r.ok) throw verbStatus(r, on, name);
  res.writeHead(v.code, { 'Content-Length': 0 });
  res.end();
}

/**
 * GET guestosinfo (pkg/virt-api/rest/subresource.go GuestOSInfo): 409 unless
 * the VMI runs with its guest agent connected; the answer is
 * VirtualMachineInstanceGuestAgentInfo. The harness's guests report what
 * the VMI's status knows (its guestOSInfo when the node filled it in, else
 * the vmconform guest's identity).
 */
export function guestOsInfo(driver: ClusterDriver, res: ServerResponse, name: string): void {
  const snap = driver.feed.get('VirtualMachineInstance', name);
  if (!snap) throw new StatusError(status(404, 'NotFound', `virtualmachineinstance.kubevirt.io "${name}" not found`, { name, group: 'kubevirt.io', kind: 'virtualmachineinstance' }));
  const st = snap.obj.status as VmiStatus & { guestOSInfo?: Record<string, unknown> };
  const conflict = (why: string) => new StatusError(status(409, 'Conflict', `Operation cannot be fulfilled on virtualmachineinstance.kubevirt.io "${name}": ${why}`, { name, group: 'kubevirt.io', kind: 'virtualmachineinstance' }));
  if (st.phase !== 'Running') throw conflict('VMI is not running');
  if (!st.conditions?.some((c) => c.type === 'AgentConnected' && c.status === 'True')) throw conflict('VMI does not have guest agent connected');
  const os = st.guestOSInfo ?? { name: 'vmconform guest', id: 'vmconform', prettyName: 'vmconform guest', version: '1', versionId: '1', kernelRelease: '', kernelVersion: '', machine: 'x86_64' };
  sendJson(res, 200, { guestAgentVersion: 'vmconform', hostname: name, os, timezone: 'UTC, 0', userList: [], fsInfo: { disks: [] } });
}
