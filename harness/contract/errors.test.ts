import { describe, expect, it } from 'vitest';
import { LaunchError } from './errors.ts';

describe('LaunchError', () => {
  it('carries VMI, argv, exit code, signal, stderr tail and cause; the message summarises them', () => {
    const cause = new Error('spawn failed');
    const e = new LaunchError({ vmi: 'default/v', argv: ['qemu-system-x86_64', '-machine', 'q35'], exitCode: 1, signal: null, stderrTail: 'warning\nqemu: could not open disk.qcow2\n', cause });
    expect(e).toBeInstanceOf(Error);
    expect(e.name).toBe('LaunchError');
    expect(e.message).toBe('launcher of default/v exited with code 1: qemu: could not open disk.qcow2');
    expect(e).toMatchObject({ vmi: 'default/v', argv: ['qemu-system-x86_64', '-machine', 'q35'], exitCode: 1, signal: null, cause });
    expect(new LaunchError({ vmi: 'v', argv: [], exitCode: null, signal: 'SIGKILL', stderrTail: '' }).message).toBe('launcher of v killed by SIGKILL');
    expect(new LaunchError({ vmi: 'v', argv: [], exitCode: null, signal: null, stderrTail: '' }).message).toBe('launcher of v did not start');
  });
});
