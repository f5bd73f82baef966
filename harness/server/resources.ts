/**
 * The resources the API server serves: one row per resource, as the
 * apiserver's discovery names them (group, version, plural, kind, scope,
 * short names, categories, verbs) and the store kind behind it. Discovery,
 * routing, OpenAPI and the NotFound wording are functions of this table.
 * Internal to harness/server.
 *
 * Groups and versions are KubeVirt's storage versions (harness/api/schemas
 * versions.json, the first served version of each kind); core kinds are
 * core/v1, StorageClass storage.k8s.io/v1.
 */

export interface ResourceDef {
  group: string;
  version: string;
  plural: string;
  singular: string;
  kind: string;
  namespaced: boolean;
  shortNames: string[];
  categories: string[];
  /** The store kind holding the objects (the kind itself), or a view computed from other kinds (pods, events, namespaces). */
  source: 'store' | 'view';
  /** Served with a status subresource (the KubeVirt CRDs declare `subresources: status`). */
  status: boolean;
  /** Served with a scale subresource on spec.replicas (the replica set and pool CRDs declare `subresources: scale`). */
  scale?: boolean;
  /** Only `create` (processedtemplates). */
  createOnly?: boolean;
}

const RW = ['create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'update', 'watch'];
const RO = ['get', 'list', 'watch'];

/** The apiserver's verbs of a resource (discovery). */
export function verbsOf(r: ResourceDef): string[] {
  if (r.createOnly) return ['create'];
  return r.source === 'view' ? RO : RW;
}

const kv = (plural: string, kind: string, shortNames: string[], extra: Partial<ResourceDef> = {}): ResourceDef => ({
  group: 'kubevirt.io',
  version: 'v1',
  plural,
  singular: kind.toLowerCase(),
  kind,
  namespaced: true,
  shortNames,
  categories: ['all'],
  source: 'store',
  status: true,
  ...extra,
});

export const RESOURCES: readonly ResourceDef[] = [
  { group: '', version: 'v1', plural: 'namespaces', singular: 'namespace', kind: 'Namespace', namespaced: false, shortNames: ['ns'], categories: [], source: 'view', status: false },
  { group: '', version: 'v1', plural: 'nodes', singular: 'node', kind: 'Node', namespaced: false, shortNames: ['no'], categories: [], source: 'store', status: true },
  { group: '', version: 'v1', plural: 'persistentvolumeclaims', singular: 'persistentvolumeclaim', kind: 'PersistentVolumeClaim', namespaced: true, shortNames: ['pvc'], categories: [], source: 'store', status: true },
  { group: '', version: 'v1', plural: 'configmaps', singular: 'configmap', kind: 'ConfigMap', namespaced: true, shortNames: ['cm'], categories: [], source: 'store', status: false },
  { group: '', version: 'v1', plural: 'secrets', singular: 'secret', kind: 'Secret', namespaced: true, shortNames: [], categories: [], source: 'store', status: false },
  { group: '', version: 'v1', plural: 'events', singular: 'event', kind: 'Event', namespaced: true, shortNames: ['ev'], categories: [], source: 'view', status: false },
  { group: '', version: 'v1', plural: 'pods', singular: 'pod', kind: 'Pod', namespaced: true, shortNames: ['po'], categories: ['all'], source: 'view', status: true },
  kv('virtualmachines', 'VirtualMachine', ['vm', 'vms']),
  kv('virtualmachineinstances', 'VirtualMachineInstance', ['vmi', 'vmis']),
  kv('virtualmachineinstancemigrations', 'VirtualMachineInstanceMigration', ['vmim', 'vmims']),
  kv('virtualmachineinstancereplicasets', 'VirtualMachineInstanceReplicaSet', ['vmirs', 'vmirss'], { scale: true }),
  kv('virtualmachinepools', 'VirtualMachinePool', ['vmpool', 'vmpools'], { group: 'pool.kubevirt.io', version: 'v1beta1', scale: true }),
  kv('virtualmachineinstancetypes', 'VirtualMachineInstancetype', ['vminstancetype', 'vminstancetypes', 'vmf', 'vmfs'], { group: 'instancetype.kubevirt.io', version: 'v1beta1', status: false }),
  kv('virtualmachineclusterinstancetypes', 'VirtualMachineClusterInstancetype', ['vmclusterinstancetype', 'vmclusterinstancetypes', 'vmcf', 'vmcfs'], { group: 'instancetype.kubevirt.io', version: 'v1beta1', namespaced: false, status: false }),
  kv('virtualmachinepreferences', 'VirtualMachinePreference', ['vmpref', 'vmprefs', 'vmp', 'vmps'], { group: 'instancetype.kubevirt.io', version: 'v1beta1', status: false }),
  kv('virtualmachineclusterpreferences', 'VirtualMachineClusterPreference', ['vmcp', 'vmcps'], { group: 'instancetype.kubevirt.io', version: 'v1beta1', namespaced: false, status: false }),
  kv('migrationpolicies', 'MigrationPolicy', [], { group: 'migrations.kubevirt.io', version: 'v1alpha1', namespaced: false, categories: [], status: false }),
  kv('datavolumes', 'DataVolume', ['dv', 'dvs'], { group: 'cdi.kubevirt.io', version: 'v1beta1' }),
  kv('datasources', 'DataSource', ['das'], { group: 'cdi.kubevirt.io', version: 'v1beta1' }),
  kv('network-attachment-definitions', 'NetworkAttachmentDefinition', ['net-attach-def'], { group: 'k8s.cni.cncf.io', version: 'v1', singular: 'network-attachment-definition', categories: ['net-attach-def'], status: false }),
  { group: 'storage.k8s.io', version: 'v1', plural: 'storageclasses', singular: 'storageclass', kind: 'StorageClass', namespaced: false, shortNames: ['sc'], categories: [], source: 'store', status: false },
  // processedtemplates first, as OpenShift lists them: kubectl maps a kind to the last resource of that kind in discovery
  { group: 'template.openshift.io', version: 'v1', plural: 'processedtemplates', singular: 'processedtemplate', kind: 'Template', namespaced: true, shortNames: [], categories: [], source: 'view', status: false, createOnly: true },
  { group: 'template.openshift.io', version: 'v1', plural: 'templates', singular: 'template', kind: 'Template', namespaced: true, shortNames: [], categories: [], source: 'store', status: false },
  { group: 'vmconform.io', version: 'v1', plural: 'clusterconfigs', singular: 'clusterconfig', kind: 'ClusterConfig', namespaced: false, shortNames: [], categories: [], source: 'store', status: false },
];

/** `group/version`, `v1` for the core group. */
export const groupVersion = (r: { group: string; version: string }): string => (r.group === '' ? r.version : `${r.group}/${r.version}`);

/** The resource name the apiserver says in NotFound / Conflict messages: `virtualmachines.kubevirt.io`, `configmaps`. */
export const qualifiedName = (r: ResourceDef): string => (r.group === '' ? r.plural : `${r.plural}.${r.group}`);

const BY_PATH = new Map(RESOURCES.map((r) => [`${groupVersion(r)}/${r.plural}`, r]));
const BY_KIND = new Map(RESOURCES.filter((r) => !r.createOnly).map((r) => [r.kind, r]));

/** The resource at `group/version/plural`. */
export const resourceAt = (gv: string, plural: string): ResourceDef | undefined => BY_PATH.get(`${gv}/${plural}`);

/** The resource serving a kind. */
export const resourceOfKind = (kind: string): ResourceDef | undefined => BY_KIND.get(kind);

/** The groups in discovery order (core first), each with its one version. */
export function groups(): { group: string; version: string; resources: ResourceDef[] }[] {
  const out = new Map<string, { group: string; version: string; resources: ResourceDef[] }>();
  for (const r of RESOURCES) {
    let g = out.get(r.group);
    if (!g) out.set(r.group, (g = { group: r.group, version: r.version, resources: [] }));
    g.resources.push(r);
  }
  return [...out.values()];
}

/** The namespaces of the cluster: the harness's store holds one (harness/cluster NAMESPACE). */
export { NAMESPACE } from '../cluster/index.ts';
