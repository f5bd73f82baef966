import { describe, expect, it } from 'vitest';
import { Parser, type FinalResults, type Result } from 'tap-parser';
import { toTap14 } from './tap.ts';
import { failingRun } from './fixtures/failingRun.ts';
import { passingRun } from './fixtures/passingRun.ts';
import { hostileRun, NASTY } from './fixtures/hostileRun.ts';

/** A test point with the points of its subtest, as tap-parser read them. */
interface Node {
  point: Result;
  children: Node[];
  level: number;
}

interface Parsed {
  final: FinalResults;
  points: Node[];
  /** Lines that are not TAP, and TAP errors: must stay empty. */
  errors: unknown[];
}

/** Parses with tap-parser 18 in strict mode, keeping the nesting of subtests. */
function parse(tap: string): Promise<Parsed> {
  return new Promise((resolve) => {
    const errors: unknown[] = [];
    const watch = (p: Parser, into: Node[]): void => {
      let pending: Node[] = [];
      p.on('child', (c: Parser) => {
        pending = [];
        watch(c, pending);
      });
      p.on('assert', (point: Result) => {
        into.push({ point, children: pending, level: p.level });
        pending = [];
      });
      p.on('extra', (line: string) => errors.push({ extra: line }));
    };
    const points: Node[] = [];
    const parser = new Parser({ strict: true }, (final) => {
      errors.push(...final.failures.filter((f) => 'tapError' in f && f.tapError));
      resolve({ final, points, errors });
    });
    watch(parser, points);
    parser.end(tap);
  });
}

const byName = (nodes: Node[], name: string): Node => {
  const n = nodes.find((x) => x.point.name === name);
  if (!n) throw new Error(`no test point named ${name}: ${nodes.map((x) => x.point.name).join(', ')}`);
  return n;
};

describe('toTap14', () => {
  it('writes TAP 14 with a plan and one passing point per property for a passing run', async () => {
    const tap = toTap14(passingRun);
    expect(tap.split('\n')[0]).toBe('TAP version 14');
    const { final, points, errors } = await parse(tap);
    expect(errors).toEqual([]);
    expect(final.ok).toBe(true);
    expect(final.plan).toMatchObject({ start: 1, end: 2 });
    expect(final.count).toBe(2);
    expect(points.map((p) => p.point.name)).toEqual(['vm lifecycle', 'guest actions']);
    expect(points.every((p) => p.children.length === 0)).toBe(true);
  });

  it('reports a counterexample as not ok with a 4-space indented subtest of steps and a YAML diagnostic', async () => {
    const tap = toTap14(failingRun);
    const { final, points, errors } = await parse(tap);
    expect(errors).toEqual([]);
    expect(final.ok).toBe(false);
    // The budget stop is a comment, not an interruption.
    expect(tap).toContain('# time budget of 900 s reached: 137 of 200 sequences executed');
    expect(tap).not.toContain('# interrupted');
    expect(final).toMatchObject({ count: 4, pass: 2, fail: 2, todo: 1 });

    const lifecycle = byName(points, 'vm lifecycle');
    expect(lifecycle.point.ok).toBe(false);
    expect(lifecycle.point.diag).toMatchObject({
      token: failingRun.failures[0]?.token,
      seed: 42,
      path: '17:2:0:1',
      shrunkFrom: 14,
      classification: 'deterministic',
      diff: [
        { path: 'result.code', expected: 'ok', actual: 409, backend: 'qemu' },
        { path: 'vms.mariadb-prod.printableStatus', expected: 'Stopped', actual: 'Paused', backend: 'qemu' },
        { path: 'vmis.mariadb-prod.phase', expected: 'Succeeded', actual: 'Running', backend: 'qemu' },
      ],
    });
    expect(String(lifecycle.point.diag.message)).toMatch(/step 3/);
    // The subtest: one point per step, nested one level down, only the diverging step fails.
    expect(lifecycle.children.map((c) => [c.level, c.point.ok, c.point.name])).toEqual([
      [1, true, 'step 1: apply VirtualMachine mariadb-prod (runStrategy Always)'],
      [1, true, 'step 2: virtctl pause vm mariadb-prod'],
      [1, false, 'step 3: guest acpiShutdown mariadb-prod'],
    ]);
    expect(tap).toContain('\n# Subtest: vm lifecycle\n    1..3\n    ok 1 - step 1:');
    expect(tap).toMatch(/\nnot ok 1 - vm lifecycle\n  ---\n  message: .*\n[\s\S]*?\n  \.\.\.\n/);
  });

  it('reports a flaky failure as ok, with the failing step as a TODO', async () => {
    const { points } = await parse(toTap14(failingRun));
    const flaky = byName(points, 'guest actions');
    expect(flaky.point.ok).toBe(true);
    expect(flaky.point.diag).toMatchObject({ classification: 'flaky', token: failingRun.failures[1]?.token });
    expect(flaky.children.map((c) => [c.point.ok, c.point.todo])).toEqual([
      [true, false],
      [false, 'did not reproduce on re-run'],
    ]);
  });

  it('reports a known deviation as a TODO failure that does not fail the run', async () => {
    const { points, final } = await parse(toTap14(failingRun));
    const known = byName(points, 'storage');
    expect(known.point.ok).toBe(false);
    expect(known.point.todo).toBe('known deviation: WaitForFirstConsumer is not simulated by the qemu backend');
    expect(known.point.diag).toMatchObject({ token: failingRun.failures[2]?.token, known: { reason: expect.any(String) } });
    expect(final.todos.map((t) => t.name)).toEqual(['storage']);
    // Only the real counterexample is a failure (the known deviation is a TODO).
    expect(final.failures.map((f) => ('name' in f ? f.name : ''))).toEqual(['vm lifecycle']);
  });

  it('derives one point per failure plus "all sequences" when properties are absent, and survives hostile text', async () => {
    const tap = toTap14(hostileRun);
    const { final, points, errors } = await parse(tap);
    expect(errors).toEqual([]);
    expect(final.count).toBe(3);
    expect(points.map((p) => p.point.ok)).toEqual([false, false, true]);
    expect(points[2]?.point.name).toBe('all sequences');
    // Names are unique and the `#` in them is escaped, not read as a directive.
    const [first, second] = points;
    expect(first?.point.todo).toBe(false);
    expect(first?.point.name).toContain('# TODO not a directive');
    expect(second?.point.name).toBe(`${first?.point.name} (2)`);
    // The YAML diagnostic round-trips the exact strings, control characters included.
    expect(first?.point.diag.diff[0]).toMatchObject({ expected: NASTY, actual: '(absent)', backend: 'qemu' });
    expect(first?.point.diag.token).toBe('tok<&>');
    expect(second?.point.diag.error).toBe(`qemu: not settled after 30000 ms ${NASTY}`);
    expect(tap).toContain('# interrupted: 3 of 10 sequences executed');
    expect(tap).not.toContain('time budget');
  });

  it('nests several counterexamples of one property two levels deep', async () => {
    const [f] = failingRun.failures;
    if (!f) throw new Error('fixture has no failure');
    const run = { ...failingRun, failures: [f, { ...f, token: 'second' }] };
    const { points, errors } = await parse(toTap14(run));
    expect(errors).toEqual([]);
    const lifecycle = byName(points, 'vm lifecycle');
    expect(lifecycle.children.map((c) => c.point.name)).toEqual(['counterexample 1', 'counterexample 2']);
    expect(lifecycle.children[1]?.point.diag.token).toBe('second');
    expect(lifecycle.children[1]?.children.map((c) => c.level)).toEqual([2, 2, 2]);
  });
});
