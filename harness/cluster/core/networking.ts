/**
 * Networks (R-N1..R-N4): NetworkAttachmentDefinitions and their IPv4 pools,
 * the NICs a VMI spec asks for, and the NICs handed to the launcher.
 * Internal to the cluster core.
 */
import { SRIOV_RESOURCE_ANNOTATION, type NetworkAttachmentDefinition, type VirtualMachineInstanceSpec } from '../../api/types.ts';
import { parseCniConfig } from '../../api/index.ts';
import { OK, type Result } from '../../contract/index.ts';
import type { LaunchNic } from '../agent.ts';
import { ERR } from '../messages.ts';
import { parseRange } from '../ipam.ts';
import type { CoreState, Nic } from './CoreState.ts';
import { putStore, getObject } from './objectStore.ts';
import { retryWaiting } from './vmiLifecycle.ts';

/** Applies a NetworkAttachmentDefinition: its CNI config must parse; its ipam range becomes an IPv4 pool. Internal. */
export function applyNad(s: CoreState, obj: NetworkAttachmentDefinition): Result {
  const parsed = parseCniConfig(obj);
  if (!parsed.ok) return ERR.conflict(`spec.config: ${parsed.issues.map((i) => i.message).join('; ')}`);
  const range = parsed.config.ipam?.range;
  const old = s.pools.get(obj.metadata.name);
  if (range) {
    const pool = parseRange(range);
    if (pool && !(old && old.network === pool.network && old.prefix === pool.prefix)) s.pools.set(obj.metadata.name, pool);
  } else s.pools.delete(obj.metadata.name);
  putStore(s, obj);
  retryWaiting(s);
  return OK;
}

/** The bridge / SR-IOV attachment behind a network name (`ns/name` or `name`); null when missing or invalid. Internal. */
export function nad(s: CoreState, name: string): { type: 'bridge' | 'sriov'; resource: string | null } | null {
  const obj = getObject<NetworkAttachmentDefinition>(s, 'NetworkAttachmentDefinition', name.includes('/') ? name.split('/')[1]! : name);
  if (!obj) return null;
  const parsed = parseCniConfig(obj);
  if (!parsed.ok) return null;
  return { type: parsed.config.type, resource: obj.metadata.annotations?.[SRIOV_RESOURCE_ANNOTATION] ?? null };
}

/** A NIC as the spec asks for it, before a MAC, IP or VF is given. Internal. */
export type SpecNic = Pick<Nic, 'name' | 'kind' | 'podBinding' | 'network'> & { specMac: string | null };

/** The VMI's NICs from its spec (R-N1..R-N4); MACs fixed here, per VMI. */
export function resolveNics(s: CoreState, spec: VirtualMachineInstanceSpec): SpecNic[] {
  let ifaces = spec.domain.devices.interfaces ?? [];
  let nets = spec.networks ?? [];
  if (ifaces.length === 0 && nets.length === 0 && spec.domain.devices.autoattachPodInterface !== false) {
    nets = [{ name: 'default', pod: {} }];
    ifaces = [{ name: 'default', [s.cluster.defaultNetworkInterface]: {} }];
  }
  const out: SpecNic[] = [];
  for (const i of ifaces) {
    const net = nets.find((n) => n.name === i.name);
    const multus = net?.multus?.networkName ?? null;
    const kind: Nic['kind'] = i.sriov ? 'sriov' : multus ? 'bridge' : 'pod';
    out.push({ name: i.name, kind, podBinding: kind === 'pod' ? (i.bridge ? 'bridge' : 'masquerade') : null, network: multus, specMac: i.macAddress ?? null });
  }
  return out;
}

/** The NICs as the launcher gets them. Internal. */
export function launchNics(nics: Nic[]): LaunchNic[] {
  // map allocates the array at its size; push would start a 17-slot one (per launch and migration)
  return nics.map(launchNic);
}

function launchNic(n: Nic): LaunchNic {
  return { name: n.name, mac: n.mac, macSource: n.macSource, kind: n.kind, network: n.network, ipv4Cidr: n.ipv4Cidr, vf: n.vf };
}
