import { describe, expect, it } from 'vitest';
import type { ApiObject } from '../../harness/cluster/index.ts';
import { domainName, domainUuid } from './launcherTarget.ts';

const vmi = (name: string, spec: unknown = {}): ApiObject => ({ apiVersion: 'kubevirt.io/v1', kind: 'VirtualMachineInstance', metadata: { name, uid: 'u' }, spec, status: {} }) as unknown as ApiObject;

describe('the domain behind a VMI', () => {
  it('is named <namespace>_<name> (pkg/virt-launcher/virtwrap/api/schema.go VMINamespaceKeyFunc)', () => {
    expect(domainName('default', 'vm-a')).toBe('default_vm-a');
  });

  it('has the firmware UUID, else KubeVirt\'s legacy UUIDv5 of the name (pkg/virt-controller/watch/vm/firmware.go CalculateLegacyUUID)', () => {
    // uuid.uuid5(UUID('6a1a24a1-4061-4607-8bf4-a3963d0c5895'), 'vm-a') in Python's uuid module
    expect(domainUuid(vmi('vm-a'))).toBe('6c3b1910-1b4d-5700-af18-3d001adabd73');
    expect(domainUuid(vmi('vm-a', { domain: { firmware: { uuid: '11111111-2222-3333-4444-555555555555' } } }))).toBe('11111111-2222-3333-4444-555555555555');
  });
});
