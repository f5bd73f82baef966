/**
 * Shared schema pieces for every API kind: object metadata, DNS-1123 names,
 * quantities, MAC addresses, and the compile-time check that a zod schema
 * matches its interface in types.ts. Internal to harness/api.
 */
import { z } from 'zod';
import { isQuantity } from './quantity.ts';
import type { ObjectMeta } from './types.ts';

/** True when A and B are mutually assignable (internal). */
export type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;

/**
 * Internal: returns the schema unchanged, but fails to compile (an extra
 * `never` argument is demanded) unless its output type equals T both ways.
 */
export function typed<T>() {
  return <S extends z.ZodType>(schema: S, ..._mismatch: Same<z.infer<S>, T> extends true ? [] : [never]): S => schema;
}

const DNS1123_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const DNS1123_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

/** A length bound and a pattern with apimachinery's messages for each. */
function rfc1123(v: string, max: number, pattern: RegExp, patternMessage: string): string[] {
  const out: string[] = [];
  if (v.length > max) out.push(`must be no more than ${max} characters`);
  if (!pattern.test(v)) out.push(patternMessage);
  return out;
}

/** k8s.io/apimachinery validation.IsDNS1123Label, its messages. Internal. */
export function dns1123Label(v: string): string[] {
  return rfc1123(
    v,
    63,
    DNS1123_LABEL,
    "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')",
  );
}

/** k8s.io/apimachinery validation.IsDNS1123Subdomain, its messages. Internal. */
export function dns1123Subdomain(v: string): string[] {
  return rfc1123(
    v,
    253,
    DNS1123_SUBDOMAIN,
    "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')",
  );
}

/** DNS-1123 subdomain (metadata.name), Kubernetes' own wording. Internal. */
export const subdomainName = z
  .string()
  .max(253, { error: 'must be no more than 253 characters' })
  .regex(DNS1123_SUBDOMAIN, {
    error: (iss) =>
      `invalid name "${String(iss.input)}": a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character`,
  });

/** DNS-1123 label (disk, volume, interface, network names). Internal. */
export const labelName = z
  .string()
  .max(63, { error: 'must be no more than 63 characters' })
  .regex(DNS1123_LABEL, {
    error: (iss) =>
      `invalid name "${String(iss.input)}": a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character`,
  });

/** A Kubernetes quantity; YAML numbers (`cpu: 1`) are read as their string form. Internal. */
export const quantity = z.preprocess(
  (v) => (typeof v === 'number' ? String(v) : v),
  z.string().refine(isQuantity, { error: (iss) => `invalid quantity "${String(iss.input)}"` }),
);

/** A quantity that must not be negative (memory, storage, cpu). Internal. */
export const nonNegativeQuantity = quantity.refine((q) => !q.trim().startsWith('-'), {
  error: (iss) => `quantity must not be negative, got "${String(iss.input)}"`,
});

/** Unicast-or-not MAC address `aa:bb:cc:dd:ee:ff` (colons or dashes). Internal. */
export const macAddress = z.string().regex(/^[0-9A-Fa-f]{2}([:-][0-9A-Fa-f]{2}){5}$/, {
  error: (iss) => `invalid MAC address "${String(iss.input)}"`,
});

export const stringMap = z.record(z.string(), z.string());

/** `{}` markers such as `masquerade: {}`. Internal. */
export const empty = z.strictObject({}) as unknown as z.ZodType<Record<string, never>>;

export const objectMeta = typed<ObjectMeta>()(
  z.strictObject({
    name: subdomainName,
    namespace: labelName.optional(),
    labels: stringMap.optional(),
    annotations: stringMap.optional(),
  }),
);

/** A non-negative integer (seconds, counts). Internal. */
export const nonNegativeInt = z.number().int().min(0, { error: (iss) => `must be >= 0, got ${String(iss.input)}` });
export const positiveInt = z.number().int().min(1, { error: (iss) => `must be > 0, got ${String(iss.input)}` });

/** `apiVersion` + `kind` literal pair of a kind's schema. Internal. */
export function head<A extends string, K extends string>(apiVersion: A, kind: K) {
  return { apiVersion: z.literal(apiVersion), kind: z.literal(kind), metadata: objectMeta };
}
