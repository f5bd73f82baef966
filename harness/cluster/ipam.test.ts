import { describe, expect, it } from 'vitest';
import { allocate, generatedMac, parseRange, release } from './ipam.ts';

describe('R-N2 NAD IPv4 allocation', () => {
  it('hands out the lowest free host from network+1, reuses released ones, stops at the broadcast', () => {
    const pool = parseRange('192.168.1.9/30')!;
    expect(allocate(pool)).toBe('192.168.1.9/30');
    expect(allocate(pool)).toBe('192.168.1.10/30');
    expect(allocate(pool)).toBeNull();
    release(pool, '192.168.1.9/30');
    expect(allocate(pool)).toBe('192.168.1.9/30');
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
