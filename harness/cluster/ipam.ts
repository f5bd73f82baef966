/**
 * IPv4 allocation from a NAD's ipam `range` (types.ts CniConfig): the lowest
 * free host address, network+1 upward, never the broadcast address. Internal
 * to the cluster core.
 */

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

function toDotted(n: number): string {
  return `${n >>> 24}.${(n >>> 16) & 255}.${(n >>> 8) & 255}.${n & 255}`;
}

/** Takes the lowest free host address as `a.b.c.d/p`; null when the range is full. */
export function allocate(pool: Ipv4Pool): string | null {
  const hosts = 2 ** (32 - pool.prefix) - 2;
  // `used` is ascending: the first gap is the lowest free offset
  const used = pool.used;
  let off = 1;
  let i = 0;
  while (i < used.length && used[i] === off) {
    i++;
    off++;
  }
  if (off > hosts) return null;
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
