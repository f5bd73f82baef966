/**
 * Internal test helper: fresh, valid objects that tests modify one field at a time.
 */
import type { VirtualMachine } from './types.ts';

/** A valid VM (runStrategy Always, one containerDisk, masquerade pod NIC); a new object per call. */
export function baseVm(): VirtualMachine {
  return {
    apiVersion: 'kubevirt.io/v1',
    kind: 'VirtualMachine',
    metadata: { name: 'vm1' },
    spec: {
      runStrategy: 'Always',
      template: {
        spec: {
          terminationGracePeriodSeconds: 5,
          domain: {
            memory: { guest: '256Mi' },
            devices: {
              disks: [{ name: 'rootdisk', disk: { bus: 'virtio' } }],
              interfaces: [{ name: 'default', masquerade: {} }],
            },
          },
          networks: [{ name: 'default', pod: {} }],
          volumes: [{ name: 'rootdisk', containerDisk: { image: 'vmconform/guest:latest' } }],
        },
      },
    },
  };
}
