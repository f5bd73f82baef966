/**
 * What a suite leaves out of the spec space is said, with its reason, in
 * results.json (coverage.notDrawn) and on the console (notDrawnLines).
 */
import { describe, expect, it } from 'vitest';
import { notDrawn, notDrawnLines } from './specSpace.ts';
import { loadSuite } from './suite.ts';

describe('the spec space a suite leaves out', () => {
  it('default: sata disks and the emulated NIC models, each with the guest-side reason; the undrawn fields with theirs', async () => {
    const out = notDrawn((await loadSuite('default')).spec);
    const keys = out.map((x) => `${x.dimension}=${x.value}:${x.why}`);
    expect(keys).toEqual(expect.arrayContaining(['diskBus=sata:unrealisable', 'nicModel=e1000e:unrealisable', 'nicModel=e1000:unrealisable', 'nicModel=rtl8139:unrealisable', 'cpu.threads=*:unrealisable']));
    // what the default suite draws is not listed as left out
    expect(keys.filter((k) => /^(diskBus=(virtio|scsi)|bootOrder=|cdromBus=|nicModel=(unset|virtio))/.test(k))).toEqual([]);
    expect(out.find((x) => x.dimension === 'diskBus' && x.value === 'sata')!.reason).toMatch(/no AHCI driver/);
  });

  it('the console says one line per dimension and reason, values together', () => {
    const lines = notDrawnLines([
      { dimension: 'nicModel', value: 'e1000e', why: 'unrealisable', reason: 'no driver' },
      { dimension: 'nicModel', value: 'e1000', why: 'unrealisable', reason: 'no driver' },
      { dimension: 'firmware', value: '*', why: 'unrealisable', reason: 'no OVMF' },
    ]);
    expect(lines).toEqual(['left out: nicModel e1000e, e1000 (unrealisable): no driver', 'left out: firmware (unrealisable): no OVMF']);
  });
});
