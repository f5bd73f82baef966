import { describe, expect, it } from 'vitest';
import { formatIssue, formatIssues, pathOf } from './issues.ts';

describe('issues', () => {
  it('renders paths with dotted fields and [i] indexes', () => {
    expect(pathOf(['spec', 'template', 'spec', 'domain', 'devices', 'disks', 0, 'name'])).toBe('spec.template.spec.domain.devices.disks[0].name');
    expect(pathOf(['type'], 'spec.config')).toBe('spec.config.type');
    expect(pathOf([])).toBe('');
  });

  it('formats one line per issue as FILE: document N (Kind/name): path: message', () => {
    const line = formatIssue({
      source: 'fixtures/vms/bad.yaml',
      document: 2,
      kind: 'VirtualMachine',
      name: 'foo',
      path: 'spec.template.spec.domain.memory.guest',
      message: 'invalid quantity "512Mb"',
    });
    expect(line).toBe('fixtures/vms/bad.yaml: document 2 (VirtualMachine/foo): spec.template.spec.domain.memory.guest: invalid quantity "512Mb"');
    expect(formatIssues([{ source: 'x.yaml', document: 0, path: '', message: 'cannot read file (ENOENT)' }, { source: 'y.yaml', document: 1, path: '', message: 'm' }])).toBe(
      'x.yaml: cannot read file (ENOENT)\ny.yaml: document 1: m',
    );
  });
});
