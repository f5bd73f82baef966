import { describe, expect, it } from 'vitest';
import type { GuestArtefacts } from '../../../guest/artefacts.ts';
import { probeAccel } from './probeAccel.ts';

// No canary boots in these cases: they must decide without QEMU (the binary does not exist).
const opts = { binary: '/nonexistent/qemu', artefacts: {} as GuestArtefacts, stateDir: '/nonexistent/state', kvmDevice: '/nonexistent/kvm' };

describe('probeAccel without a usable /dev/kvm', () => {
  it('tcg: no probe, and says so', async () => {
    expect(await probeAccel('tcg', opts)).toEqual({ accel: 'tcg', probe: 'tcg requested (--accel tcg); KVM not probed' });
  });
  it('auto: falls back to TCG and says why', async () => {
    expect(await probeAccel('auto', opts)).toEqual({ accel: 'tcg', probe: 'auto: /nonexistent/kvm missing or not accessible; using TCG' });
  });
  it('kvm forced: a clear error naming the device', async () => {
    await expect(probeAccel('kvm', opts)).rejects.toThrow('--accel kvm: /nonexistent/kvm is missing or not read/writable');
  });
});
