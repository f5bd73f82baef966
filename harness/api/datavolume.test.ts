import { describe, expect, it } from 'vitest';
import { validateObject } from './validateObject.ts';

const storage = { resources: { requests: { storage: '1Gi' } } };
const dv = (spec: object) => ({ apiVersion: 'cdi.kubevirt.io/v1beta1', kind: 'DataVolume', metadata: { name: 'd' }, spec: { storage, ...spec } });
const issues = (o: unknown) => {
  const r = validateObject(o);
  return r.ok ? [] : r.issues;
};

describe('DataVolume and PVC', () => {
  it("R-S2: CDI's webhook: a target, one of source/sourceRef, one source type", () => {
    expect(issues(dv({ source: { registry: { url: 'docker://vmconform/guest:latest' } } }))).toEqual([]);
    expect(issues(dv({ sourceRef: { kind: 'DataSource', name: 'guest' } }))).toEqual([]);
    expect(issues(dv({}))).toEqual([{ path: 'spec.source', message: 'Data volume should have either Source or SourceRef, or be externally populated' }]);
    expect(issues(dv({ source: { blank: {}, pvc: { name: 'x', namespace: 'n' } } }))).toEqual([{ path: 'spec.source', message: 'Multiple Data volume sources' }]);
    expect(issues({ ...dv({ source: { blank: {} } }), spec: { source: { blank: {} } } })).toEqual([{ path: 'spec.PVC', message: 'Missing Data volume PVC' }]);
    expect(issues(dv({ source: { blank: {} }, storage: {} }))).toEqual([{ path: 'spec.Storage.resources.requests.size', message: 'Storage size is missing' }]);
    expect(issues(dv({ sourceRef: { kind: 'PVC', name: 'x' } }))).toEqual([
      { path: 'spec.sourceRef.Kind', message: 'Unsupported sourceRef kind PVC, currently only DataSource is supported' },
    ]);
  });

  it('a PVC needs accessModes and a storage request', () => {
    const pvc = { apiVersion: 'v1', kind: 'PersistentVolumeClaim', metadata: { name: 'p' }, spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } } } };
    expect(issues(pvc)).toEqual([]);
    pvc.spec.accessModes = ['ReadWriteSometimes'];
    expect(issues(pvc)[0]!.path).toBe('spec.accessModes[0]');
  });
});
