/**
 * IPv4 allocation from a NAD's host-local ipam range (types.ts CniConfig;
 * containernetworking/plugins plugins/ipam/host-local/backend/allocator
 * range.go `Canonicalize`, allocator.go): the lowest free address from
 * rangeStart (network + 1 by default) to rangeEnd (broadcast - 1 by
 * default), never the gateway (network + 1 by default, so the first is .2).
 * Internal to the cluster core.
 */

import type { HostLocalRange } from '../api/index.ts';
import type { Ipv4Pool } from './store/records.ts';

export type { Ipv4Pool };

/** Parses `a.b.c.d/p`; undefined when malformed. */
export function parseRange(range: string): Ipv4Pool | undefined {
  const m = /^(\d+)\.(\d+)\.(\d+)\.(\d+)\/(\d+)$/.exec(range.trim());
  if (!m) return undefined;
  const octets = m.slice(1, 5).map(Number);
  const prefix = Number(m[5]);
  if (octets.some((o) => o > 255) || prefix < 1 || prefix > 30) return undefined;
  const addr = ((octets[0]! << 24) | (octets[1]! << 16) | (octets[2]! << 8) | octets[3]!) >>> 0;
  const mask = prefix === 0 ? 0 : (0xffffffff << (32 - prefix)) >>> 0;
  return { network: (addr & mask) >>> 0, prefix, used: [] };
}

function parseIp(ip: string): number | undefined {
  const m = /^(\d+)\.(\d+)\.(\d+)\.(\d+)$/.exec(ip.trim());
  if (!m) return undefined;
  const o = m.slice(1, 5).map(Number);
  return o.some((x) => x > 255) ? undefined : ((o[0]! << 24) | (o[1]! << 16) | (o[2]! << 8) | o[3]!) >>> 0;
}

/** A pool for one host-local range; undefined when its subnet or bounds are malformed or outside it. */
export function hostLocalPool(r: HostLocalRange): Ipv4Pool | undefined {
  const pool = parseRange(r.subnet);
  if (!pool) return undefined;
  const hosts = 2 ** (32 - pool.prefix) - 2;
  const offset = (ip: string | undefined, dflt: number): number | undefined => {
    if (ip === undefined) return dflt;
    const n = parseIp(ip);
    const off = n === undefined ? -1 : n - pool.network;
    return off >= 1 && off <= hosts ? off : undefined;
  };
  const start = offset(r.rangeStart, 1);
  const end = offset(r.rangeEnd, hosts);
  const gateway = offset(r.gateway, 1);
  if (start === undefined || end === undefined || gateway === undefined || start > end) return undefined;
  return { ...pool, start, end, gateway };
}

/** The first host-local range of an ipam config (`ranges[0][0]`, else the legacy top-level subnet), if any. */
export function firstRange(ipam: { subnet?: string; rangeStart?: string; rangeEnd?: string; gateway?: string; ranges?: HostLocalRange[][] } | undefined): HostLocalRange | undefined {
  if (!ipam) return undefined;
  const r = ipam.ranges?.[0]?.[0];
  if (r) return r;
  if (!ipam.subnet) return undefined;
  const legacy: HostLocalRange = { subnet: ipam.subnet };
  if (ipam.rangeStart !== undefined) legacy.rangeStart = ipam.rangeStart;
  if (ipam.rangeEnd !== undefined) legacy.rangeEnd = ipam.rangeEnd;
  if (ipam.gateway !== undefined) legacy.gateway = ipam.gateway;
  return legacy;
}

function toDotted(n: number): string {
  return `${n >>> 24}.${(n >>> 16) & 255}.${(n >>> 8) & 255}.${n & 255}`;
}

/** Takes the lowest free address of the range (not the gateway) as `a.b.c.d/p`; null when the range is full. */
export function allocate(pool: Ipv4Pool): string | null {
  const end = pool.end ?? 2 ** (32 - pool.prefix) - 2;
  // `used` is ascending: the first gap at or after the start is the lowest free offset
  const used = pool.used;
  let off = pool.start ?? 1;
  let i = 0;
  while (i < used.length && used[i]! < off) i++;
  while (off === pool.gateway || (i < used.length && used[i] === off)) {
    if (off !== pool.gateway) i++;
    off++;
  }
  if (off > end) return null;
  used.splice(i, 0, off);
  return `${toDotted(pool.network + off)}/${pool.prefix}`;
}

/** Gives an address taken by `allocate` back. */
export function release(pool: Ipv4Pool, cidr: string): void {
  const ip = cidr.split('/')[0]!;
  const parts = ip.split('.').map(Number);
  const n = ((parts[0]! << 24) | (parts[1]! << 16) | (parts[2]! << 8) | parts[3]!) >>> 0;
  const i = pool.used.indexOf(n - pool.network);
  if (i >= 0) pool.used.splice(i, 1);
}

/**
 * A deterministic generated MAC `52:54:00:xx:xx:xx` from a counter. Built
 * from character codes in one call: a template literal makes a chain of
 * intermediate and cons strings, and a MAC is made per VMI.
 */
export function generatedMac(n: number): string {
  const a = (n >>> 16) & 255;
  const b = (n >>> 8) & 255;
  const c = n & 255;
  return String.fromCharCode(
    0x35, 0x32, 0x3a, 0x35, 0x34, 0x3a, 0x30, 0x30, 0x3a, // '52:54:00:'
    HEX_DIGIT[a >>> 4]!, HEX_DIGIT[a & 15]!, 0x3a,
    HEX_DIGIT[b >>> 4]!, HEX_DIGIT[b & 15]!, 0x3a,
    HEX_DIGIT[c >>> 4]!, HEX_DIGIT[c & 15]!,
  );
}

/** Character codes of the lower-case hex digits. */
const HEX_DIGIT: readonly number[] = Array.from('0123456789abcdef', (ch) => ch.charCodeAt(0));
