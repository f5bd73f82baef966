import { describe, expect, it } from 'vitest';
import { Canonicaliser } from './canonicalise.ts';
import type { Observation, VmiObservation } from './types.ts';

function vmi(uid: string, bootId: string | null, mac: string, macSource: 'spec' | 'generated' = 'generated'): VmiObservation {
  return {
    uid,
    owner: 'vm',
    phase: 'Running',
    node: 'node-1',
    conditions: { Ready: { status: 'True' } },
    bootId,
    interfaces: [{ name: 'default', mac, macSource, ipv4: '10.0.2.2', model: 'virtio' }],
    disks: [],
    memoryMiB: 256,
    vcpus: 1,
    sockets: 1,
    migration: null,
  };
}

function obs(backend: string, vmis: Record<string, VmiObservation>): Observation {
  const vms = Object.fromEntries(
    Object.entries(vmis).map(([name, v]) => [
      name,
      { printableStatus: 'Running' as const, ready: true, created: true, runStrategy: 'Always', conditions: {}, vmi: v.uid },
    ]),
  );
  return { header: { backend }, vms, vmis, pvcs: {}, nodes: {}, migrations: {} };
}

describe('Canonicaliser', () => {
  it('labels uids, boot ids and generated MACs in first-seen order over sorted names', () => {
    const c = new Canonicaliser();
    const out = c.canonicalise(obs('x', { b: vmi('uid-B', 'boot-1', '52:54:00:00:00:0b'), a: vmi('uid-A', 'boot-9', '52:54:00:00:00:0a') }));
    expect(out.vms['a']?.vmi).toBe('vmi#1');
    expect(out.vms['b']?.vmi).toBe('vmi#2');
    expect(out.vmis['a']?.uid).toBe('vmi#1');
    expect(out.vmis['a']?.bootId).toBe('boot#1');
    expect(out.vmis['b']?.bootId).toBe('boot#1');
    expect(out.vmis['a']?.interfaces[0]?.mac).toBe('mac#1');
    expect(out.vmis['b']?.interfaces[0]?.mac).toBe('mac#2');
    expect('header' in out).toBe(false);
  });

  it('keeps labels across steps: a reset is a new boot of the same VMI (R-G2), a restart a new VMI (R-V3)', () => {
    const c = new Canonicaliser();
    c.canonicalise(obs('x', { a: vmi('u1', 'b1', '52:54:00:00:00:01') }));
    const reset = c.canonicalise(obs('x', { a: vmi('u1', 'b2', '52:54:00:00:00:01') }));
    expect(reset.vmis['a']).toMatchObject({ uid: 'vmi#1', bootId: 'boot#2', interfaces: [{ mac: 'mac#1' }] });
    const restart = c.canonicalise(obs('x', { a: vmi('u2', 'b3', '52:54:00:00:00:02') }));
    expect(restart.vmis['a']).toMatchObject({ uid: 'vmi#2', bootId: 'boot#1', interfaces: [{ mac: 'mac#2' }] });
  });

  it('compares spec MACs verbatim (R-N4)', () => {
    const out = new Canonicaliser().canonicalise(obs('x', { a: vmi('u1', null, '02:00:00:00:00:01', 'spec') }));
    expect(out.vmis['a']?.interfaces[0]?.mac).toBe('02:00:00:00:00:01');
    expect(out.vmis['a']?.bootId).toBeNull();
  });

  it('gives two backends with different raw ids the same canonical observation', () => {
    const a = new Canonicaliser().canonicalise(obs('model', { a: vmi('m-1', 'mb', '52:54:00:aa:aa:aa') }));
    const b = new Canonicaliser().canonicalise(obs('qemu', { a: vmi('q-7', 'qb', '52:54:00:12:34:56') }));
    expect(b).toEqual(a);
  });
});
