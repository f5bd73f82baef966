/**
 * NetworkAttachmentDefinition (k8s.cni.cncf.io/v1) and its CNI JSON config
 * (R-N2, R-N3). Public.
 */
import { z } from 'zod';
import { head, typed } from './common.ts';
import { pathOf, type FieldIssue } from './issues.ts';
import type { CniConfig, NetworkAttachmentDefinition } from './types.ts';
import { deepFreeze } from './deepFreeze.ts';

export const networkAttachmentDefinitionSchema = typed<NetworkAttachmentDefinition>()(
  z.strictObject({ ...head('k8s.cni.cncf.io/v1', 'NetworkAttachmentDefinition'), spec: z.strictObject({ config: z.string() }) }),
);

const cidr = z.string().regex(/^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})\/(\d|[12]\d|3[0-2])$/, { error: 'subnet must be an IPv4 CIDR' });
const ipv4 = z.string().regex(/^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/, { error: 'must be an IPv4 address' });

/** CNI plugin configs carry many plugin-specific keys; only the ones the harness uses are typed. */
const cniConfigSchema = typed<CniConfig>()(
  z.looseObject({
    cniVersion: z.string().optional(),
    name: z.string().optional(),
    type: z.enum(['bridge', 'sriov']),
    bridge: z.string().optional(),
    vlan: z.number().int().min(0).max(4094).optional(),
    ipam: z
      .looseObject({
        type: z.string(),
        subnet: cidr.optional(),
        rangeStart: ipv4.optional(),
        rangeEnd: ipv4.optional(),
        gateway: ipv4.optional(),
        ranges: z.array(z.array(z.looseObject({ subnet: cidr, rangeStart: ipv4.optional(), rangeEnd: ipv4.optional(), gateway: ipv4.optional() }))).optional(),
      })
      .optional(),
  }) as unknown as z.ZodType<CniConfig>,
);

export type CniResult = { ok: true; config: CniConfig } | { ok: false; issues: FieldIssue[] };

/**
 * Parses and checks a NAD's `spec.config`; issue paths start at `spec.config`. Public.
 * The result is frozen and shared by every NAD with the same config text: a
 * cluster's few NADs are parsed on every apply and every VMI placement.
 */
export function parseCniConfig(nad: NetworkAttachmentDefinition): CniResult {
  // a manifest may have no spec or a config that is not text: checked as ever, not kept
  const text: unknown = (nad.spec as { config?: unknown } | undefined)?.config;
  if (typeof text !== 'string') return parseConfigOf(nad);
  let r = parsed.get(text);
  if (r === undefined) {
    r = deepFreeze(parseConfigOf(nad));
    if (parsed.size >= PARSED_LIMIT) parsed.delete(parsed.keys().next().value as string);
    parsed.set(text, r);
  }
  return r;
}

const PARSED_LIMIT = 256;
const parsed = new Map<string, CniResult>();

function parseConfigOf(nad: NetworkAttachmentDefinition): CniResult {
  let json: unknown;
  try {
    json = JSON.parse(nad.spec.config);
  } catch (err) {
    return { ok: false, issues: [{ path: 'spec.config', message: `invalid JSON: ${(err as Error).message}` }] };
  }
  const r = cniConfigSchema.safeParse(json);
  if (r.success) {
    // containernetworking/plugins host-local config.go LoadIPAMConfig: without ranges or subnet it fails
    // ("no IP ranges specified"); the harness refuses such a NAD when it is applied
    const ipam = r.data.ipam;
    if (ipam?.type === 'host-local' && !ipam.subnet && !(ipam.ranges?.[0]?.[0])) {
      return { ok: false, issues: [{ path: 'spec.config.ipam', message: 'host-local: no IP ranges specified (give "ranges" or "subnet")' }] };
    }
    return { ok: true, config: r.data };
  }
  return { ok: false, issues: r.error.issues.map((i) => ({ path: pathOf(i.path, 'spec.config'), message: i.message })) };
}

/** Admission check of a NAD: its config must parse. Public. */
export function checkNetworkAttachmentDefinition(nad: NetworkAttachmentDefinition): FieldIssue[] {
  const r = parseCniConfig(nad);
  return r.ok ? [] : r.issues;
}
