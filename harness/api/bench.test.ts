import { describe, expect, it } from 'vitest';
import { bench, documents } from './bench.ts';
import { loadManifests } from './loadManifests.ts';

describe('api bench', () => {
  it('its documents are valid VMs, and the quick suite reports one figure with a target', async () => {
    const r = loadManifests(documents(20), 'bench.yaml');
    expect(r.ok && r.objects.length).toBe(20);
    expect(r.warnings).toEqual([]);
    const [f] = await bench({ quick: true });
    expect(f).toMatchObject({ name: 'api.validate1000VmsMs', unit: 'ms', meta: { documents: 100 } });
  });
});
