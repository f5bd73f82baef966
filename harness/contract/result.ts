/**
 * The answer a backend gives to a command. Public. Codes are the HTTP codes
 * KubeVirt's API answers with (docs/spec.md §3); messages are reported, not
 * compared.
 */

/** HTTP-style codes KubeVirt answers with. */
export type ApiErrorCode = 400 | 403 | 404 | 409 | 422 | 500;

export type Result = { ok: true } | { ok: false; code: ApiErrorCode; message: string };

export const OK: Result = Object.freeze({ ok: true });

export function fail(code: ApiErrorCode, message: string): Result {
  return { ok: false, code, message };
}
