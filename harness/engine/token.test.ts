import { describe, expect, it } from 'vitest';
import { decodeToken, encodeToken, type ReplayToken } from './token.ts';

const token: ReplayToken = {
  generator: 1,
  suite: 'model',
  suiteHash: 'abc',
  property: 'generated',
  maxSteps: 20,
  seed: -5,
  path: '3:0:1',
  choices: [
    [0, 0],
    [707, 2],
  ],
  fingerprints: [{ backend: 'qemu', qemuVersion: '7.2.0', machine: 'pc-q35-7.2', guestImageDigest: 'sha256:00' }],
};

describe('replay token', () => {
  it('round-trips seed, path, choices, generator version and fingerprints', () => {
    const text = encodeToken(token);
    expect(text).toMatch(/^vmc1\.[A-Za-z0-9_-]+$/);
    expect(decodeToken(text)).toEqual({ ok: true, token });
  });

  it('says what is wrong with a foreign or damaged token', () => {
    expect(decodeToken('abc')).toEqual({ ok: false, message: expect.stringContaining("start with 'vmc1.'") });
    expect(decodeToken('vmc1.e30')).toEqual({ ok: false, message: expect.stringContaining('damaged') });
  });
});
