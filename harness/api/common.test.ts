import { describe, expect, it } from 'vitest';
import { labelName, macAddress, nonNegativeQuantity, quantity, subdomainName } from './common.ts';

describe('shared schema pieces', () => {
  it('accepts DNS-1123 subdomains with dots and rejects uppercase, underscores, edges and length', () => {
    expect(subdomainName.safeParse('u1.nano').success).toBe(true);
    expect(subdomainName.safeParse('a'.repeat(253)).success).toBe(true);
    for (const bad of ['Foo', 'a_b', '-a', 'a-', 'a..b', '', 'a'.repeat(254)]) expect(subdomainName.safeParse(bad).success, bad).toBe(false);
  });

  it('accepts DNS-1123 labels only without dots and up to 63 characters', () => {
    expect(labelName.safeParse('rootdisk-1').success).toBe(true);
    for (const bad of ['a.b', 'A', 'a'.repeat(64)]) expect(labelName.safeParse(bad).success, bad).toBe(false);
  });

  it('names the bad value of a quantity and reads YAML numbers as quantities', () => {
    const r = quantity.safeParse('512Mb');
    expect(r.success).toBe(false);
    expect(r.error?.issues[0]?.message).toBe('invalid quantity "512Mb"');
    expect(quantity.parse(2)).toBe('2');
    expect(quantity.parse('500m')).toBe('500m');
    expect(nonNegativeQuantity.safeParse('-1Gi').success).toBe(false);
  });

  it('accepts MACs with colons or dashes, rejects short ones', () => {
    expect(macAddress.safeParse('02:00:00:aa:BB:01').success).toBe(true);
    expect(macAddress.safeParse('02-00-00-aa-bb-01').success).toBe(true);
    expect(macAddress.safeParse('02:00:00:00:00').success).toBe(false);
    expect(macAddress.safeParse('02:00:00:00:00:0g').success).toBe(false);
  });
});
