import { describe, expect, it } from 'vitest';
import { allocate, generatedMac, hostLocalPool, parseRange, release } from './ipam.ts';

describe('R-N2 NAD IPv4 allocation', () => {
  it('hands out the lowest free host from network+1, reuses released ones, stops at the broadcast', () => {
    const pool = parseRange('192.168.1.9/30')!;
    expect(allocate(pool)).toBe('192.168.1.9/30');
    expect(allocate(pool)).toBe('192.168.1.10/30');
    expect(allocate(pool)).toBeNull();
    release(pool, '192.168.1.9/30');
    expect(allocate(pool)).toBe('192.168.1.9/30');
  });

  // containernetworking/plugins host-local range.go Canonicalize (gateway and rangeStart default to network + 1) and
  // allocator.go (the gateway is never handed out): the first address of a /24 with the default gateway is .2
  it('host-local: from rangeStart to rangeEnd, skipping the gateway (.1 by default, so .2 first)', () => {
    const pool = hostLocalPool({ subnet: '192.168.1.0/24' })!;
    expect([allocate(pool), allocate(pool)]).toEqual(['192.168.1.2/24', '192.168.1.3/24']);
    const bounded = hostLocalPool({ subnet: '10.0.0.0/29', rangeStart: '10.0.0.4', rangeEnd: '10.0.0.5', gateway: '10.0.0.5' })!;
    expect([allocate(bounded), allocate(bounded)]).toEqual(['10.0.0.4/29', null]);
    expect(hostLocalPool({ subnet: '10.0.0.0/29', rangeStart: '10.1.0.1' })).toBeUndefined();
  });

  it('rejects malformed ranges', () => {
    expect(parseRange('10.0.0.0')).toBeUndefined();
    expect(parseRange('10.0.0.300/24')).toBeUndefined();
  });
});

describe('R-N4 generated MACs', () => {
  it('are 52:54:00:xx:xx:xx from a counter', () => {
    expect(generatedMac(0)).toBe('52:54:00:00:00:00');
    expect(generatedMac(0x0a0b0c)).toBe('52:54:00:0a:0b:0c');
    expect(generatedMac(0xf0e1ff)).toBe('52:54:00:f0:e1:ff');
    expect(generatedMac(0x1abcdef)).toBe('52:54:00:ab:cd:ef'); // the counter wraps at 24 bits
  });
});
