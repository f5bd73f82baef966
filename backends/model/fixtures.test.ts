/**
 * The manifests under fixtures/ on the model: the default cluster, networks,
 * storage and instance types, then every VM fixture (R-S2, R-N2, R-N3, R-I1,
 * R-S5, R-SA1 end to end).
 */
import { describe, expect, it } from 'vitest';
import { readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { loadManifestFiles } from '../../harness/engine/index.ts';
import { createModelBackend } from './index.ts';

const dir = (d: string) => fileURLToPath(new URL(`../../fixtures/${d}/`, import.meta.url));
const yamls = (d: string) => readdirSync(dir(d)).filter((f) => f.endsWith('.yaml')).sort().map((f) => dir(d) + f);

describe('fixtures on the model', () => {
  it('every VM fixture settles; bootable ones have their agent connected', async () => {
    const loaded = await loadManifestFiles([...yamls('cluster'), ...yamls('networks'), ...yamls('storage'), ...yamls('instancetypes'), ...yamls('vms')]);
    if (!loaded.ok) throw new Error(JSON.stringify(loaded.issues));
    const b = createModelBackend();
    for (const o of loaded.objects) expect([o.kind, o.metadata.name, await b.apply(o)]).toEqual([o.kind, o.metadata.name, { ok: true }]);
    await b.settle(1000);
    const o = await b.observe();
    expect(o.vms['mariadb-prod']).toMatchObject({ printableStatus: 'Running', ready: true });
    expect(o.vmis['mariadb-prod']!.memoryMiB).toBe(512);
    expect(o.vmis['dv-clone']!.conditions.AgentConnected).toEqual({ status: 'True' });
    // a blank PVC root disk: the domain runs, the firmware finds nothing to boot
    expect(o.vmis['pvc-multus-sriov']).toMatchObject({ phase: 'Running', bootId: null });
    expect(o.vmis['pvc-multus-sriov']!.conditions.AgentConnected).toBeUndefined();
    expect(Object.values(o.nodes).reduce((s, n) => s + (n.vfsInUse['intel.com/sriov_net'] ?? 0), 0)).toBe(1);
    const summary = Object.fromEntries(Object.entries(o.vms).map(([n, v]) => [n, v.printableStatus]));
    expect(Object.values(summary).every((s) => s === 'Running' || s === 'Stopped'), JSON.stringify(summary)).toBe(true);
  });
});
