/**
 * The network controller (R-N2): keeps an IPv4 pool per
 * NetworkAttachmentDefinition with a host-local ipam range (the role of an IPAM
 * plugin's pool objects). A re-applied NAD with the same range keeps its
 * pool and allocations; a new range starts a fresh one; no range, no pool.
 * Pools live in the controller's book (Store.books.network) and outlive a
 * deleted NAD, as allocations do. Internal to the cluster core.
 */
import type { NetworkAttachmentDefinition } from '../../api/index.ts';
import { parseCniConfig } from '../../api/index.ts';
import { firstRange, hostLocalPool } from '../ipam.ts';
import type { ApiObject } from '../store/objects.ts';
import { ipPools } from '../common/placement.ts';
import { byName, type Controller } from './Controller.ts';

export const networkController: Controller = {
  name: 'network',
  watches: {
    NetworkAttachmentDefinition: byName,
  },
  reconcile(c, name) {
    const obj = c.store.obj('NetworkAttachmentDefinition', name) as (ApiObject & NetworkAttachmentDefinition) | undefined;
    if (!obj) return;
    const parsed = parseCniConfig(obj);
    if (!parsed.ok) return;
    const pools = ipPools(c.store);
    const range = firstRange(parsed.config.ipam);
    const old = pools[name];
    if (range) {
      const pool = hostLocalPool(range);
      const same = old && pool && old.network === pool.network && old.prefix === pool.prefix && old.start === pool.start && old.end === pool.end && old.gateway === pool.gateway;
      if (pool && !same) pools[name] = pool;
    } else delete pools[name];
  },
};
