/**
 * @kubernetes/client-node 1.x as a second client of the API server: the
 * typed core API, the custom-objects API for KubeVirt's kinds, and its
 * Watch (the informer's transport) over the kubeconfig the cluster writes.
 */
import * as k8s from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { serveModel, type Served } from './served.testkit.ts';

let s: Served;
let kc: k8s.KubeConfig;
beforeAll(async () => {
  s = await serveModel();
  kc = new k8s.KubeConfig();
  kc.loadFromFile(s.kubeconfig);
});
afterAll(async () => {
  await s?.close();
});

const KV = { group: 'kubevirt.io', version: 'v1', namespace: 'default' };

describe('@kubernetes/client-node against the model cluster', () => {
  it('lists nodes with the typed core API', async () => {
    const nodes = await kc.makeApiClient(k8s.CoreV1Api).listNode();
    expect(nodes.items.map((n) => n.metadata?.name)).toEqual(['node-a', 'node-b', 'node-c']);
  });

  it('creates a VM, watches its VMI become Running, lists it', async () => {
    const custom = kc.makeApiClient(k8s.CustomObjectsApi);
    const listed = (await custom.listNamespacedCustomObject({ ...KV, plural: 'virtualmachineinstances' })) as { metadata: { resourceVersion: string }; items: unknown[] };
    expect(listed.items).toEqual([]);
    const seen: string[] = [];
    const running = new Promise<void>((resolve, reject) => {
      void new k8s.Watch(kc)
        .watch(
          '/apis/kubevirt.io/v1/namespaces/default/virtualmachineinstances',
          { resourceVersion: listed.metadata.resourceVersion, allowWatchBookmarks: true },
          (type: string, obj: { status?: { phase?: string } }) => {
            if (type === 'BOOKMARK') return;
            seen.push(`${type} ${obj.status?.phase}`);
            if (obj.status?.phase === 'Running') resolve();
          },
          (err: unknown) => (err ? reject(err as Error) : undefined),
        )
        .then((req) => running.finally(() => req.abort()));
    });
    const created = (await custom.createNamespacedCustomObject({
      ...KV,
      plural: 'virtualmachines',
      body: { apiVersion: 'kubevirt.io/v1', kind: 'VirtualMachine', metadata: { name: 'cn' }, spec: { runStrategy: 'Always', template: { spec: { domain: { memory: { guest: '512Mi' }, devices: {} } } } } },
    })) as { metadata: { uid: string; namespace: string } };
    expect(created.metadata.namespace).toBe('default');
    await running;
    expect(seen[0]).toMatch(/^ADDED /);
    expect(seen.at(-1)).toBe('MODIFIED Running');
    const vmis = (await custom.listNamespacedCustomObject({ ...KV, plural: 'virtualmachineinstances', labelSelector: '' })) as { items: { metadata: { name: string } }[] };
    expect(vmis.items.map((i) => i.metadata.name)).toEqual(['cn']);
  });

  it('surfaces a 404 as an ApiException with the Status body', async () => {
    const custom = kc.makeApiClient(k8s.CustomObjectsApi);
    const err = await custom.getNamespacedCustomObject({ ...KV, plural: 'virtualmachines', name: 'nope' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(k8s.ApiException);
    expect((err as k8s.ApiException<string>).code).toBe(404);
    expect(String((err as k8s.ApiException<string>).body)).toContain('virtualmachines.kubevirt.io \\"nope\\" not found');
  });
});
