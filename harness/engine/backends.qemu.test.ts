/**
 * probedOnce: with --jobs, the run probes the qemu accelerator once in its
 * own thread and hands the choice to the workers (settings.accelProbed).
 */
import { describe, expect, it } from 'vitest';
import { probedOnce, type BackendSettings } from './backends.ts';

describe('probedOnce', () => {
  it('settings without qemu come back unchanged; with qemu they carry the choice and its account', async () => {
    const s: BackendSettings = { accel: 'tcg' };
    expect(await probedOnce(['model', 'model'], s)).toBe(s);
    expect(await probedOnce(['model', 'qemu'], s)).toEqual({ accel: 'tcg', accelProbed: { accel: 'tcg', probe: expect.stringMatching(/^tcg requested/) } });
  }, 60_000);
});
