/**
 * Discovery as the apiserver serves it: /version, /api, /api/v1, /apis,
 * /apis/{group}/{version} (legacy discovery, what kubectl 1.20 reads) and the
 * aggregated form (apidiscovery.k8s.io v2 and v2beta1 APIGroupDiscoveryList,
 * what kubectl 1.26+ asks for first in its Accept header), from the resource
 * table. The KubeVirt subresource group (subresources.kubevirt.io/v1) is listed
 * as a real cluster lists it (pkg/virt-api/api.go: the group with its
 * `virtualmachines/start`… subresources). Internal to harness/server.
 */
import { groups, groupVersion, RESOURCES, verbsOf, type ResourceDef } from './resources.ts';

export const VERSION = {
  major: '1',
  minor: '30',
  gitVersion: 'v1.30.0-vmconform',
  gitCommit: '0000000000000000000000000000000000000000',
  gitTreeState: 'clean',
  buildDate: '2026-01-01T00:00:00Z',
  goVersion: 'go1.22.0',
  compiler: 'gc',
  platform: 'linux/amd64',
};

/** KubeVirt's subresources (pkg/virt-api/api.go, subresources.kubevirt.io/v1), and the harness's virsh. */
export const KUBEVIRT_SUBRESOURCES: { name: string; kind: string; verbs: string[]; namespaced: boolean }[] = [
  ...['start', 'stop', 'restart', 'migrate'].map((s) => ({ name: `virtualmachines/${s}`, kind: 'VirtualMachine', verbs: ['update'], namespaced: true })),
  ...['pause', 'unpause', 'softreboot'].map((s) => ({ name: `virtualmachineinstances/${s}`, kind: 'VirtualMachineInstance', verbs: ['update'], namespaced: true })),
  ...['console', 'vnc', 'guestosinfo'].map((s) => ({ name: `virtualmachineinstances/${s}`, kind: 'VirtualMachineInstance', verbs: ['get'], namespaced: true })),
];
const SUBRESOURCE_GROUPS = [
  { group: 'subresources.kubevirt.io', version: 'v1', resources: KUBEVIRT_SUBRESOURCES },
  { group: 'subresources.vmconform.io', version: 'v1', resources: [{ name: 'virtualmachineinstances/virsh', kind: 'VirtualMachineInstance', verbs: ['create'], namespaced: true }] },
];

function apiResource(r: ResourceDef) {
  return {
    name: r.plural,
    singularName: r.singular,
    namespaced: r.namespaced,
    kind: r.kind,
    verbs: verbsOf(r),
    ...(r.shortNames.length ? { shortNames: r.shortNames } : {}),
    ...(r.categories.length ? { categories: r.categories } : {}),
    storageVersionHash: '',
  };
}

/** APIResourceList of a group version (legacy discovery), or undefined. */
export function resourceList(gv: string): unknown {
  const rs = RESOURCES.filter((r) => groupVersion(r) === gv);
  const sub = SUBRESOURCE_GROUPS.find((g) => `${g.group}/${g.version}` === gv);
  if (rs.length === 0 && !sub) return undefined;
  const statuses = rs.filter((r) => r.status).map((r) => ({ name: `${r.plural}/status`, singularName: '', namespaced: r.namespaced, kind: r.kind, verbs: ['get', 'patch', 'update'] }));
  const scales = rs.filter((r) => r.scale).map((r) => ({ name: `${r.plural}/scale`, singularName: '', namespaced: r.namespaced, group: 'autoscaling', version: 'v1', kind: 'Scale', verbs: ['get', 'patch', 'update'] }));
  const subs = (sub?.resources ?? []).map((s) => ({ name: s.name, singularName: '', namespaced: s.namespaced, kind: s.kind, verbs: s.verbs }));
  return { kind: 'APIResourceList', apiVersion: 'v1', groupVersion: gv, resources: [...rs.map(apiResource), ...statuses, ...scales, ...subs] };
}

const versionEntry = (group: string, version: string) => ({ groupVersion: `${group}/${version}`, version });

export const apiVersions = () => ({ kind: 'APIVersions', versions: ['v1'], serverAddressByClientCIDRs: [{ clientCIDR: '0.0.0.0/0', serverAddress: '127.0.0.1' }] });

export function apiGroupList(): unknown {
  const named = [...groups().filter((g) => g.group !== ''), ...SUBRESOURCE_GROUPS];
  return {
    kind: 'APIGroupList',
    apiVersion: 'v1',
    groups: named.map((g) => ({ name: g.group, versions: [versionEntry(g.group, g.version)], preferredVersion: versionEntry(g.group, g.version) })),
  };
}

export function apiGroup(group: string): unknown {
  const g = [...groups(), ...SUBRESOURCE_GROUPS].find((x) => x.group === group && group !== '');
  if (!g) return undefined;
  return { kind: 'APIGroup', apiVersion: 'v1', name: g.group, versions: [versionEntry(g.group, g.version)], preferredVersion: versionEntry(g.group, g.version) };
}

/** The aggregated discovery document (apidiscovery.k8s.io `version`: v2 or v2beta1); `legacy`: the core group (/api) or the named groups (/apis). */
export function aggregated(version: 'v2' | 'v2beta1', legacy: boolean): unknown {
  const gs = legacy ? groups().filter((g) => g.group === '') : [...groups().filter((g) => g.group !== ''), ...SUBRESOURCE_GROUPS.map((g) => ({ group: g.group, version: g.version, resources: [] as ResourceDef[] }))];
  return {
    kind: 'APIGroupDiscoveryList',
    apiVersion: `apidiscovery.k8s.io/${version}`,
    metadata: {},
    items: gs.map((g) => ({
      metadata: { name: g.group, creationTimestamp: null },
      versions: [
        {
          version: g.version,
          freshness: 'Current',
          resources: g.resources.map((r) => ({
            resource: r.plural,
            responseKind: { group: r.group, version: r.version, kind: r.kind },
            scope: r.namespaced ? 'Namespaced' : 'Cluster',
            singularResource: r.singular,
            verbs: verbsOf(r),
            ...(r.shortNames.length ? { shortNames: r.shortNames } : {}),
            ...(r.categories.length ? { categories: r.categories } : {}),
            ...(r.status ? { subresources: [{ subresource: 'status', responseKind: { group: r.group, version: r.version, kind: r.kind }, verbs: ['get', 'patch', 'update'] }] } : {}),
          })),
        },
      ],
    })),
  };
}
