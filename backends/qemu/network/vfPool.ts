/**
 * The identity of an SR-IOV virtual function in a node's VF pool. Public
 * (internal to the qemu backend).
 *
 * A real VF has a fixed host PCI address and a MAC the PF driver assigned.
 * Here both are derived from (node, resource, index) so that the same VF
 * always looks the same, across runs and across the two sides of a migration.
 *
 * The MAC the control plane puts in `LaunchNic.mac` is authoritative (it is
 * what the observation compares); `vfIdentity().mac` is only the fallback for
 * a NIC that arrives without one. The PCI address is what a real node would
 * report for the VF; it does not change where QEMU places the NIC in the guest.
 */

/** What identifies one VF of a node's pool. Public. */
export interface VfIdentity {
  /** Locally administered unicast MAC: `02:5f:<node>:<resource>:<index hi>:<index lo>`. */
  mac: string;
  /** Host PCI address `0000:<node>:<slot>.<function>` (8 functions per slot). */
  pciAddress: string;
}

/** FNV-1a 32-bit: small, stable, good enough to spread names over a byte. */
function fnv1a(text: string): number {
  let h = 0x811c9dc5;
  for (const byte of Buffer.from(text, 'utf8')) {
    h ^= byte;
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h;
}

const hex2 = (n: number): string => n.toString(16).padStart(2, '0');

/** Highest VF index a pool can address (two MAC octets). */
export const MAX_VF_INDEX = 0xffff;

/**
 * Deterministic identity of VF `index` of `resource` on `node`. Public, pure.
 * Throws RangeError on an index outside 0..MAX_VF_INDEX (a caller bug).
 */
export function vfIdentity(node: string, resource: string, index: number): VfIdentity {
  if (!Number.isInteger(index) || index < 0 || index > MAX_VF_INDEX) {
    throw new RangeError(`vfIdentity: index must be an integer in 0..${MAX_VF_INDEX}, got ${index}`);
  }
  const nodeByte = fnv1a(node) & 0xff;
  const resourceByte = fnv1a(resource) & 0xff;
  const mac = ['02', '5f', hex2(nodeByte), hex2(resourceByte), hex2(index >> 8), hex2(index & 0xff)].join(':');
  // 32 slots × 8 functions per bus; the resource picks the first slot.
  const slot = ((resourceByte & 0x1f) + (index >> 3)) & 0x1f;
  const pciAddress = `0000:${hex2(nodeByte)}:${hex2(slot)}.${index & 7}`;
  return { mac, pciAddress };
}
