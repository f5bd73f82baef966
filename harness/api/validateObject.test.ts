import { describe, expect, it } from 'vitest';
import { baseVm } from './testObjects.ts';
import { KNOWN_KINDS, validateObject } from './validateObject.ts';

const meta = { name: 'x' };
/** One minimal valid object per kind. */
const VALID: Record<string, unknown> = {
  VirtualMachine: baseVm(),
  VirtualMachineInstance: { apiVersion: 'kubevirt.io/v1', kind: 'VirtualMachineInstance', metadata: meta, spec: baseVm().spec.template.spec },
  VirtualMachineInstanceMigration: { apiVersion: 'kubevirt.io/v1', kind: 'VirtualMachineInstanceMigration', metadata: meta, spec: { vmiName: 'vm1' } },
  VirtualMachineInstanceReplicaSet: { apiVersion: 'kubevirt.io/v1', kind: 'VirtualMachineInstanceReplicaSet', metadata: meta, spec: { selector: {}, template: { spec: baseVm().spec.template.spec } } },
  MigrationPolicy: { apiVersion: 'migrations.kubevirt.io/v1alpha1', kind: 'MigrationPolicy', metadata: meta, spec: { selectors: {}, bandwidthPerMigration: '64Ki' } },
  VirtualMachinePool: { apiVersion: 'pool.kubevirt.io/v1beta1', kind: 'VirtualMachinePool', metadata: meta, spec: { selector: {}, virtualMachineTemplate: { spec: baseVm().spec } } },
  VirtualMachineClusterInstancetype: { apiVersion: 'instancetype.kubevirt.io/v1beta1', kind: 'VirtualMachineClusterInstancetype', metadata: meta, spec: { cpu: { guest: 1 }, memory: { guest: '256Mi' } } },
  VirtualMachineInstancetype: { apiVersion: 'instancetype.kubevirt.io/v1beta1', kind: 'VirtualMachineInstancetype', metadata: meta, spec: { cpu: { guest: 1 }, memory: { guest: '256Mi' } } },
  VirtualMachineClusterPreference: { apiVersion: 'instancetype.kubevirt.io/v1beta1', kind: 'VirtualMachineClusterPreference', metadata: meta, spec: {} },
  VirtualMachinePreference: { apiVersion: 'instancetype.kubevirt.io/v1beta1', kind: 'VirtualMachinePreference', metadata: meta, spec: { cpu: { preferredCPUTopology: 'preferCores' } } },
  DataVolume: { apiVersion: 'cdi.kubevirt.io/v1beta1', kind: 'DataVolume', metadata: meta, spec: { source: { blank: {} }, storage: { resources: { requests: { storage: '1Gi' } } } } },
  DataSource: { apiVersion: 'cdi.kubevirt.io/v1beta1', kind: 'DataSource', metadata: meta, spec: { source: { pvc: { name: 'g', namespace: 'default' } } } },
  PersistentVolumeClaim: { apiVersion: 'v1', kind: 'PersistentVolumeClaim', metadata: meta, spec: { accessModes: ['ReadWriteMany'], resources: { requests: { storage: '1Gi' } } } },
  StorageClass: { apiVersion: 'storage.k8s.io/v1', kind: 'StorageClass', metadata: meta, provisioner: 'vmconform.io/shared' },
  ConfigMap: { apiVersion: 'v1', kind: 'ConfigMap', metadata: meta, data: { a: 'b' } },
  Secret: { apiVersion: 'v1', kind: 'Secret', metadata: meta, data: { a: 'YQ==' }, stringData: { b: 'plain' } },
  Node: { apiVersion: 'v1', kind: 'Node', metadata: meta, status: { capacity: { cpu: 2, memory: '2Gi' } } },
  NetworkAttachmentDefinition: { apiVersion: 'k8s.cni.cncf.io/v1', kind: 'NetworkAttachmentDefinition', metadata: meta, spec: { config: '{"type":"bridge"}' } },
  Template: { apiVersion: 'template.openshift.io/v1', kind: 'Template', metadata: meta, objects: [] },
  ClusterConfig: { apiVersion: 'vmconform.io/v1', kind: 'ClusterConfig', metadata: meta, spec: {} },
};

describe('validateObject', () => {
  it.each(KNOWN_KINDS)('accepts a minimal valid %s and rejects an unknown top-level field', (kind) => {
    const o = VALID[kind] as Record<string, unknown>;
    expect(o, `no sample for ${kind}`).toBeDefined();
    const r = validateObject(o);
    expect(r.ok ? [] : r.issues).toEqual([]);
    expect(validateObject({ ...o, extra: 1 })).toEqual({ ok: false, issues: [{ path: 'extra', message: 'unknown field "extra"' }] });
  });

  it('reports a wrong apiVersion for a known kind', () => {
    const r = validateObject({ ...(VALID.ConfigMap as object), apiVersion: 'v2' });
    expect(r.ok ? [] : r.issues.map((i) => i.path)).toEqual(['apiVersion']);
  });

  it('numbers in Node capacity become quantity strings', () => {
    const r = validateObject(VALID.Node);
    expect(r.ok && r.object.kind === 'Node' && r.object.status.capacity.cpu).toBe('2');
  });
});
