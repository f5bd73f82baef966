import { describe, expect, it } from 'vitest';
import { MAX_VF_INDEX, vfIdentity } from './vfPool.ts';

describe('vfIdentity', () => {
  it('is deterministic and shaped like a locally administered unicast MAC and a PCI address', () => {
    const a = vfIdentity('node01', 'intel.com/sriov_net', 3);
    expect(vfIdentity('node01', 'intel.com/sriov_net', 3)).toEqual(a);
    expect(a.mac).toMatch(/^02:5f:[0-9a-f]{2}:[0-9a-f]{2}:00:03$/);
    expect(a.pciAddress).toMatch(/^0000:[0-9a-f]{2}:[0-9a-f]{2}\.3$/);
  });

  it('gives distinct MACs to the VFs of one pool and to other nodes', () => {
    const macs = new Set<string>();
    for (const node of ['node01', 'node02']) for (let i = 0; i < 64; i++) macs.add(vfIdentity(node, 'intel.com/sriov_net', i).mac);
    expect(macs.size).toBe(128);
  });

  it('rejects an index outside the pool range', () => {
    expect(() => vfIdentity('n', 'r', -1)).toThrow(RangeError);
    expect(() => vfIdentity('n', 'r', MAX_VF_INDEX + 1)).toThrow(/index must be an integer/);
    expect(() => vfIdentity('n', 'r', 1.5)).toThrow(RangeError);
  });
});
