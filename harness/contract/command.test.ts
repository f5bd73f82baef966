import { describe, expect, it } from 'vitest';
import { COMMAND_KINDS, fieldPath, parseCommand } from './command.ts';

describe('Command schema', () => {
  it('accepts every kind, faults included (drainNode, uncordonNode)', () => {
    const ok = [
      { kind: 'apply', args: { object: { apiVersion: 'kubevirt.io/v1', kind: 'VirtualMachine', metadata: { name: 'v' }, spec: { runStrategy: 'Always' } }, setup: true } },
      { kind: 'delete', args: { kind: 'VirtualMachine', name: 'v' } },
      { kind: 'vm', args: { verb: 'stop', name: 'v', gracePeriod: 0, force: true } },
      { kind: 'guest', args: { action: 'writeData', vmi: 'v', disk: 'data', token: 't1' } },
      { kind: 'fault', args: { fault: 'drainNode', node: 'node01' } },
      { kind: 'fault', args: { fault: 'uncordonNode', node: 'node01' } },
    ];
    for (const c of ok) expect(parseCommand(c), JSON.stringify(c)).toEqual({ ok: true, command: c });
    expect(COMMAND_KINDS).toEqual(['apply', 'delete', 'vm', 'guest', 'fault']);
  });

  it('keeps an applied object as given beyond apiVersion, kind and metadata.name', () => {
    const object = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c', labels: { a: 'b' } }, data: { k: 'v' } };
    const r = parseCommand({ kind: 'apply', args: { object } });
    expect(r.ok && r.command.args).toEqual({ object });
  });

  it('names the field path and the valid values of what does not parse', () => {
    const problems = (raw: unknown) => {
      const r = parseCommand(raw);
      return r.ok ? [] : r.problems;
    };
    expect(problems({ kind: 'explode', args: {} })).toEqual([{ path: 'kind', message: "unknown command kind 'explode' (expected 'apply' | 'delete' | 'vm' | 'guest' | 'fault')" }]);
    expect(problems({ kind: 'vm', args: { verb: 'explode', name: 'v' } })[0]).toMatchObject({ path: 'args.verb', message: expect.stringMatching(/^unknown verb 'explode'/) });
    expect(problems({ kind: 'vm', args: { verb: 'stop', name: 'v', gracePeriod: -1 } })[0]?.path).toBe('args.gracePeriod');
    expect(problems({ kind: 'vm', args: { verb: 'stop', name: 'v', grace: 1 } })[0]?.message).toMatch(/grace/);
    expect(problems({ kind: 'apply', args: { object: { apiVersion: 'v1', kind: 'ConfigMap', metadata: {} } } })[0]?.path).toBe('args.object.metadata.name');
    expect(problems({ kind: 'fault', args: { fault: 'nodeLoss', vmi: 'v' } }).map((p) => p.path)).toContain('args.node');
  });

  it('renders zod paths the way field paths read elsewhere', () => {
    expect(fieldPath(['args', 'object', 'spec', 'volumes', 0, 'name'])).toBe('args.object.spec.volumes[0].name');
    expect(fieldPath([])).toBe('');
  });
});
