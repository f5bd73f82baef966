import { describe, expect, it } from 'vitest';
import { runPaths, tooLongSocket } from './RunPaths.ts';

describe('runPaths', () => {
  it('puts a launcher in its node dir under a digest of the uid, and tells a migration target apart', () => {
    const a = runPaths('/tmp/s', 'node01', 'a-very-long-uid-0123456789-0123456789-0123456789');
    expect(a.dir).toMatch(/^\/tmp\/s\/nodes\/node01\/[0-9a-f]{10}$/);
    expect(a.qmp).toBe(`${a.dir}/qmp`);
    expect(runPaths('/tmp/s', 'node01', 'u', 2).dir).toMatch(/\.2$/);
    expect(tooLongSocket(a)).toBeNull();
  });
  it('reports a socket path longer than a unix socket allows', () => {
    const p = runPaths(`/tmp/${'x'.repeat(90)}`, 'node01', 'u');
    expect(tooLongSocket(p)).toBe(p.qmp);
  });
});
