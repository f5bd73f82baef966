import { describe, expect, it } from 'vitest';
import { processTemplate } from './processTemplate.ts';
import { baseVm } from './testObjects.ts';
import type { Template, VirtualMachine } from './types.ts';

function template(): Template {
  const vm = baseVm() as unknown as Record<string, unknown> & VirtualMachine;
  // The note is an annotation: a label value may not hold spaces or $ (ValidateLabels).
  vm.metadata = { name: '${NAME}', labels: { app: '${NAME}' }, annotations: { note: 'left ${UNDECLARED} alone' } };
  vm.spec.template.spec.domain.memory = { guest: '${MEMORY}' };
  (vm.spec.template.spec as unknown as Record<string, unknown>).terminationGracePeriodSeconds = '${{GRACE}}';
  return {
    apiVersion: 'template.openshift.io/v1',
    kind: 'Template',
    metadata: { name: 't' },
    parameters: [
      { name: 'NAME', generate: 'expression', from: 'vm-[a-z0-9]{8}' },
      { name: 'MEMORY', value: '256Mi' },
      { name: 'GRACE', value: '5' },
      { name: 'OWNER', required: true },
    ],
    objects: [vm],
  };
}

describe('processTemplate (R-I2)', () => {
  it('substitutes ${X} in every string, ${{X}} as a typed value, generated values from the seed', () => {
    const r = processTemplate(template(), { OWNER: 'me' }, 1);
    expect(r.ok ? [] : r.issues).toEqual([]);
    if (!r.ok) return;
    const vm = r.objects[0] as VirtualMachine;
    expect(vm.metadata.name).toMatch(/^vm-[a-z0-9]{8}$/);
    expect(vm.metadata.labels).toEqual({ app: vm.metadata.name });
    expect(vm.metadata.annotations).toEqual({ note: 'left ${UNDECLARED} alone' });
    expect(vm.spec.template.spec.domain.memory?.guest).toBe('256Mi');
    expect(vm.spec.template.spec.terminationGracePeriodSeconds).toBe(5);
    expect(r.parameters.NAME).toBe(vm.metadata.name);
  });

  it('same seed ⇒ same generated name; caller values win over generate and value', () => {
    const a = processTemplate(template(), { OWNER: 'me' }, 9);
    const b = processTemplate(template(), { OWNER: 'me' }, 9);
    expect(a.ok && b.ok && a.parameters.NAME === b.parameters.NAME).toBe(true);
    const c = processTemplate(template(), { OWNER: 'me', NAME: 'fixed', MEMORY: '512Mi' }, 9);
    expect(c.ok && c.objects[0]!.metadata.name).toBe('fixed');
  });

  // openshift/library-go pkg/template/templateprocessing/template.go GenerateParameterValues
  // (`if len(param.Value) > 0 { continue }`) and Process (objectLabels via addObjectLabels, message substituted)
  it('a parameter with a value is not generated; the template labels go onto every object; message is allowed and substituted', () => {
    const t = template();
    t.parameters![0] = { name: 'NAME', value: 'given', generate: 'expression', from: 'vm-[a-z0-9]{8}' };
    t.labels = { 'app.kubernetes.io/part-of': '${NAME}-set', app: 'overridden' };
    t.message = 'created ${NAME}';
    const r = processTemplate(t, { OWNER: 'me' }, 1);
    expect(r.ok ? [] : r.issues).toEqual([]);
    if (!r.ok) return;
    expect(r.objects[0]!.metadata.name).toBe('given');
    expect(r.objects[0]!.metadata.labels).toEqual({ app: 'overridden', 'app.kubernetes.io/part-of': 'given-set' });
    expect(r.message).toBe('created given');
  });

  it('a missing required parameter and an unknown one are issues naming them', () => {
    const r = processTemplate(template(), { COLOUR: 'red' }, 1);
    expect(r.ok ? [] : r.issues).toEqual([
      { path: 'parameters', message: 'unknown parameter "COLOUR" (template t declares: NAME, MEMORY, GRACE, OWNER)' },
      { path: 'parameters[3]', message: 'parameter OWNER is required and must be specified' },
    ]);
  });

  it('processed objects are validated, with paths under objects[i]', () => {
    const r = processTemplate(template(), { OWNER: 'me', MEMORY: '512Mb', NAME: 'Bad_Name' }, 1);
    expect(r.ok ? [] : r.issues.map((i) => i.path)).toEqual(['objects[0].metadata.name', 'objects[0].spec.template.spec.domain.memory.guest']);
  });
});
