/**
 * The answer a backend gives to a command, shaped like a Kubernetes
 * `metav1.Status` (k8s.io/apimachinery pkg/apis/meta/v1/types.go, `Status`,
 * `StatusReason`, `StatusCause`). Public. Codes are the HTTP codes KubeVirt's
 * API answers with (docs/spec.md §3); answers are compared by code and
 * reason, messages are reported, not compared.
 *
 * `reason` is optional on the value: absent, it is the one Kubernetes pairs
 * with the code (`reasonOf`), as apimachinery's `NewGenericServerResponse`
 * does. A backend sets it only where KubeVirt answers a code with another
 * reason (409 AlreadyExists, for one).
 */

/** HTTP-style codes KubeVirt answers with. */
export type ApiErrorCode = 400 | 403 | 404 | 409 | 422 | 500;

/** The StatusReason Kubernetes pairs with each code. */
export const REASON_OF_CODE = {
  400: 'BadRequest',
  403: 'Forbidden',
  404: 'NotFound',
  409: 'Conflict',
  422: 'Invalid',
  500: 'InternalError',
} as const satisfies Record<ApiErrorCode, string>;

/** Kubernetes StatusReason values the harness answers with. */
export type StatusReason = (typeof REASON_OF_CODE)[ApiErrorCode] | 'AlreadyExists' | 'Gone' | 'Timeout';

/** One cause of a failure: the field it concerns (a JSON path like `spec.running`) and why. */
export interface StatusCause {
  field: string;
  message: string;
  /** Kubernetes CauseType, e.g. `FieldValueInvalid`, `FieldValueRequired`. */
  reason?: string;
}

export type Failed = { ok: false; code: ApiErrorCode; message: string; reason?: StatusReason; causes?: StatusCause[] };

export type Result = { ok: true } | Failed;

export const OK: Result = Object.freeze({ ok: true });

/** A failed answer; `reason` only where it differs from the code's own, `causes` with field paths. */
export function fail(code: ApiErrorCode, message: string, detail: { reason?: StatusReason; causes?: StatusCause[] } = {}): Result {
  return { ok: false, code, message, ...(detail.reason !== undefined ? { reason: detail.reason } : {}), ...(detail.causes?.length ? { causes: detail.causes } : {}) };
}

/** The StatusReason of a failed answer (given, or paired with its code). */
export function reasonOf(r: Failed): StatusReason {
  return r.reason ?? REASON_OF_CODE[r.code];
}

/** The part of an answer that backends must agree on: ok, code and reason. Messages are not compared. */
export function answerKey(r: Result): { ok: boolean; code: ApiErrorCode | null; reason: StatusReason | null } {
  return r.ok ? { ok: true, code: null, reason: null } : { ok: false, code: r.code, reason: reasonOf(r) };
}

/** `metav1.Status` as the Kubernetes API serves it (JSON field names as in apimachinery). */
export interface MetaV1Status {
  kind: 'Status';
  apiVersion: 'v1';
  metadata: Record<string, never>;
  status: 'Success' | 'Failure';
  message?: string;
  reason?: StatusReason;
  details?: { name?: string; kind?: string; causes: { field: string; message: string; reason?: string }[] };
  code: number;
}

/** Renders an answer as a `metav1.Status` object; `target` names the object the answer is about. */
export function toStatus(r: Result, target: { kind?: string; name?: string } = {}): MetaV1Status {
  const base = { kind: 'Status', apiVersion: 'v1', metadata: {} } as const;
  if (r.ok) return { ...base, status: 'Success', code: 200 };
  const details = r.causes?.length || target.name !== undefined ? { ...target, causes: r.causes ?? [] } : undefined;
  return { ...base, status: 'Failure', message: r.message, reason: reasonOf(r), ...(details ? { details } : {}), code: r.code };
}
