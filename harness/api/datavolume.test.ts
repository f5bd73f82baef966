import { describe, expect, it } from 'vitest';
import { validateObject } from './validateObject.ts';

const dv = (spec: unknown) => ({ apiVersion: 'cdi.kubevirt.io/v1beta1', kind: 'DataVolume', metadata: { name: 'd' }, spec });
const issues = (o: unknown) => {
  const r = validateObject(o);
  return r.ok ? [] : r.issues;
};

describe('DataVolume and PVC', () => {
  it('R-S2: a DataVolume needs exactly one of source/sourceRef and one source type', () => {
    expect(issues(dv({ source: { registry: { url: 'docker://vmconform/guest:latest' } } }))).toEqual([]);
    expect(issues(dv({ sourceRef: { kind: 'DataSource', name: 'guest' } }))).toEqual([]);
    expect(issues(dv({}))).toEqual([{ path: 'spec', message: 'exactly one of source or sourceRef must be set' }]);
    expect(issues(dv({ source: { blank: {}, pvc: { name: 'x' } } }))).toEqual([{ path: 'spec.source', message: 'exactly one of blank, registry or pvc must be set' }]);
    expect(issues(dv({ sourceRef: { kind: 'PVC', name: 'x' } }))[0]!.path).toBe('spec.sourceRef.kind');
  });

  it('a PVC needs accessModes and a storage request', () => {
    const pvc = { apiVersion: 'v1', kind: 'PersistentVolumeClaim', metadata: { name: 'p' }, spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } } } };
    expect(issues(pvc)).toEqual([]);
    pvc.spec.accessModes = ['ReadWriteSometimes'];
    expect(issues(pvc)[0]!.path).toBe('spec.accessModes[0]');
  });
});
