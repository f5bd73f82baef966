/**
 * metav1.Status answers as the apiserver words them (k8s.io/apimachinery
 * pkg/api/errors/errors.go: NewNotFound, NewAlreadyExists, NewConflict,
 * NewInvalid, NewBadRequest, NewGone, NewUnauthorized, NewRequestEntityTooLarge,
 * NewMethodNotSupported). Internal to harness/server.
 */
import type { StatusCause } from '../contract/index.ts';
import type { ResourceDef } from './resources.ts';

export interface Status {
  kind: 'Status';
  apiVersion: 'v1';
  metadata: Record<string, never>;
  status: 'Success' | 'Failure';
  message?: string;
  reason?: string;
  details?: { name?: string; group?: string; kind?: string; causes?: StatusCause[]; retryAfterSeconds?: number };
  code: number;
}

/** An HTTP answer carrying a Status; thrown inside handlers and rendered by the router. */
export class StatusError extends Error {
  constructor(readonly status: Status) {
    super(status.message);
  }
}

export function status(code: number, reason: string, message: string, details?: Status['details']): Status {
  return { kind: 'Status', apiVersion: 'v1', metadata: {}, status: code < 400 ? 'Success' : 'Failure', message, reason, ...(details ? { details } : {}), code };
}

const fail = (code: number, reason: string, message: string, details?: Status['details']) => new StatusError(status(code, reason, message, details));

/** The details' `kind` is the plural resource (errors.go uses qualifiedResource.Resource). */
const detailsOf = (r: ResourceDef, name: string) => ({ name, ...(r.group ? { group: r.group } : {}), kind: r.plural });

const qualified = (r: ResourceDef) => (r.group === '' ? r.plural : `${r.plural}.${r.group}`);

export const errors = {
  notFound: (r: ResourceDef, name: string) => fail(404, 'NotFound', `${qualified(r)} "${name}" not found`, detailsOf(r, name)),
  namespaceNotFound: (ns: string) => fail(404, 'NotFound', `namespaces "${ns}" not found`, { name: ns, kind: 'namespaces' }),
  alreadyExists: (r: ResourceDef, name: string) => fail(409, 'AlreadyExists', `${qualified(r)} "${name}" already exists`, detailsOf(r, name)),
  conflict: (r: ResourceDef, name: string, why: string) => fail(409, 'Conflict', `Operation cannot be fulfilled on ${qualified(r)} "${name}": ${why}`, detailsOf(r, name)),
  invalid: (kind: string, group: string, name: string, causes: StatusCause[]) =>
    fail(422, 'Invalid', `${kind}${group ? `.${group}` : ''} "${name}" is invalid: ${causes.length === 1 ? `${causes[0]!.field}: ${causes[0]!.message}` : `[${causes.map((c) => `${c.field}: ${c.message}`).join(', ')}]`}`, {
      name,
      ...(group ? { group } : {}),
      kind,
      causes,
    }),
  badRequest: (message: string) => fail(400, 'BadRequest', message),
  unauthorized: () => fail(401, 'Unauthorized', 'Unauthorized'),
  notFoundPath: () => fail(404, 'NotFound', 'the server could not find the requested resource'),
  methodNotAllowed: (method: string, what: string) => fail(405, 'MethodNotAllowed', `${method} is not supported on resources of kind "${what}"`),
  tooLarge: (limit: number) => fail(413, 'RequestEntityTooLarge', `Request entity too large: limit is ${limit}`),
  unsupportedMediaType: (_type: string) => fail(415, 'UnsupportedMediaType', `the body of the request was in an unknown format - accepted media types include: application/json-patch+json, application/merge-patch+json, application/apply-patch+yaml`),
  gone: (rv: number, current: number) => fail(410, 'Expired', `too old resource version: ${rv} (${current})`),
  unprocessable: (message: string) => fail(422, 'Invalid', message),
  unavailable: (message: string) => fail(503, 'ServiceUnavailable', message),
  internal: (message: string) => fail(500, 'InternalError', `Internal error occurred: ${message}`),
};
