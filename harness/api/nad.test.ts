import { describe, expect, it } from 'vitest';
import { parseCniConfig } from './nad.ts';
import type { NetworkAttachmentDefinition } from './types.ts';

const nad = (config: string): NetworkAttachmentDefinition => ({
  apiVersion: 'k8s.cni.cncf.io/v1',
  kind: 'NetworkAttachmentDefinition',
  metadata: { name: 'n' },
  spec: { config },
});

describe('parseCniConfig (R-N2, R-N3)', () => {
  it('parses a bridge config with ipam and keeps the typed fields', () => {
    const r = parseCniConfig(nad('{"cniVersion":"0.3.1","type":"bridge","bridge":"br-data","ipam":{"type":"host-local","ranges":[[{"subnet":"192.168.100.0/24"}]]}}'));
    expect(r).toMatchObject({ ok: true, config: { type: 'bridge', bridge: 'br-data', ipam: { ranges: [[{ subnet: '192.168.100.0/24' }]] } } });
    expect(parseCniConfig(nad('{"type":"bridge","ipam":{"type":"host-local","subnet":"10.0.0.0/24","gateway":"10.0.0.254"}}')).ok).toBe(true);
  });

  // containernetworking/plugins plugins/ipam/host-local/backend/allocator/config.go LoadIPAMConfig: "no IP ranges specified"
  it('host-local without ranges or subnet (e.g. "range", not a host-local key) is refused, naming spec.config.ipam', () => {
    const r = parseCniConfig(nad('{"type":"bridge","ipam":{"type":"host-local","range":"192.168.100.0/24"}}'));
    expect(r.ok ? [] : r.issues).toEqual([{ path: 'spec.config.ipam', message: 'host-local: no IP ranges specified (give "ranges" or "subnet")' }]);
  });

  it('reports invalid JSON, a wrong type and a bad range at spec.config paths', () => {
    expect(parseCniConfig(nad('{'))).toMatchObject({ ok: false, issues: [{ path: 'spec.config' }] });
    const t = parseCniConfig(nad('{"type":"macvlan"}'));
    expect(t.ok ? [] : t.issues.map((i) => i.path)).toEqual(['spec.config.type']);
    const r = parseCniConfig(nad('{"type":"sriov","ipam":{"type":"host-local","subnet":"10.0.0/24"}}'));
    expect(r.ok ? [] : r.issues).toEqual([{ path: 'spec.config.ipam.subnet', message: 'subnet must be an IPv4 CIDR' }]);
    expect(parseCniConfig(nad('[1]')).ok).toBe(false);
  });
});
