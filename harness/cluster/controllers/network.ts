/**
 * The network controller (R-N2): keeps an IPv4 pool per
 * NetworkAttachmentDefinition with an ipam range (the role of an IPAM
 * plugin's pool objects). A re-applied NAD with the same range keeps its
 * pool and allocations; a new range starts a fresh one; no range, no pool.
 * Pools live in the controller's book (Store.books.network) and outlive a
 * deleted NAD, as allocations do. Internal to the cluster core.
 */
import type { NetworkAttachmentDefinition } from '../../api/index.ts';
import { parseCniConfig } from '../../api/index.ts';
import { parseRange } from '../ipam.ts';
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
    const range = parsed.config.ipam?.range;
    const old = pools[name];
    if (range) {
      const pool = parseRange(range);
      if (pool && !(old && old.network === pool.network && old.prefix === pool.prefix)) pools[name] = pool;
    } else delete pools[name];
  },
};
