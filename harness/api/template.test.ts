import { describe, expect, it } from 'vitest';
import { validateObject } from './validateObject.ts';
import { unsimulatedFields } from './simulated.ts';

const tpl = (parameters: unknown[]) => ({ apiVersion: 'template.openshift.io/v1', kind: 'Template', metadata: { name: 't' }, objects: [], parameters });
const issues = (o: unknown) => {
  const r = validateObject(o);
  return r.ok ? [] : r.issues;
};

describe('Template schema and parameter checks (R-I2)', () => {
  it('accepts value, required and generate parameters', () => {
    expect(issues(tpl([{ name: 'A', value: 'x' }, { name: 'B', required: true, displayName: 'b' }, { name: 'C', generate: 'expression', from: '[a-z]{3}' }]))).toEqual([]);
  });

  // openshift/api template/v1 types.go: Template has `labels` (objectLabels) and `message`
  it('accepts the top-level labels and message, and simulates them (no "accepted, not simulated" warning)', () => {
    const t = { ...tpl([]), labels: { app: 'x' }, message: 'hello' };
    expect(issues(t)).toEqual([]);
    expect(unsimulatedFields(t)).toEqual([]);
  });

  it('rejects duplicate names, generate without from, bad expressions and bad names', () => {
    expect(issues(tpl([{ name: 'A' }, { name: 'A' }]))).toEqual([{ path: 'parameters[1].name', message: 'duplicate parameter "A"' }]);
    expect(issues(tpl([{ name: 'A', generate: 'expression' }]))).toEqual([{ path: 'parameters[0].from', message: 'generate: expression needs from' }]);
    expect(issues(tpl([{ name: 'A', generate: 'expression', from: '[a-' }]))[0]!.path).toBe('parameters[0].from');
    expect(issues(tpl([{ name: 'A-B' }]))[0]!.path).toBe('parameters[0].name');
    expect(issues(tpl([{ name: 'A', generate: 'random' }]))[0]!.path).toBe('parameters[0].generate');
  });
});
