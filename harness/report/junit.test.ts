import { describe, expect, it } from 'vitest';
import { SaxesParser } from 'saxes';
import { toJUnit } from './junit.ts';
import { failingRun } from './fixtures/failingRun.ts';
import { passingRun } from './fixtures/passingRun.ts';
import { hostileRun, NASTY } from './fixtures/hostileRun.ts';

/** An element as the XML parser read it. */
interface El {
  name: string;
  attrs: Record<string, string>;
  children: El[];
  text: string;
}

/** Parses with saxes (strict XML 1.0 well-formedness, character ranges included); throws on any error. */
function parseXml(xml: string): El {
  const parser = new SaxesParser();
  const root: El = { name: '#document', attrs: {}, children: [], text: '' };
  const stack: El[] = [root];
  const errors: string[] = [];
  parser.on('error', (e) => errors.push(e.message));
  parser.on('opentag', (t) => {
    const el: El = { name: t.name, attrs: { ...t.attributes }, children: [], text: '' };
    stack.at(-1)?.children.push(el);
    stack.push(el);
  });
  parser.on('text', (t) => {
    const top = stack.at(-1);
    if (top) top.text += t;
  });
  parser.on('closetag', () => void stack.pop());
  parser.write(xml).close();
  if (errors.length > 0) throw new Error(`XML not well-formed: ${errors.join('; ')}`);
  const [doc] = root.children;
  if (!doc || root.children.length !== 1) throw new Error('expected exactly one root element');
  return doc;
}

const kids = (e: El | undefined, name: string): El[] => (e?.children ?? []).filter((c) => c.name === name);
const kid = (e: El | undefined, name: string): El | undefined => kids(e, name)[0];
const props = (e: El | undefined): Record<string, string> =>
  Object.fromEntries(kids(kid(e, 'properties'), 'property').map((p) => [p.attrs.name, p.attrs.value]));
const cases = (suite: El): Record<string, El> => Object.fromEntries(kids(suite, 'testcase').map((c) => [c.attrs.name, c]));

describe('toJUnit', () => {
  it('writes one testsuite "vmconform" with correct counts and run properties for a passing run', () => {
    const suite = parseXml(toJUnit(passingRun));
    expect(suite.name).toBe('testsuite');
    expect(suite.attrs).toMatchObject({ name: 'vmconform', tests: '2', failures: '0', errors: '0', skipped: '0', time: '61.500' });
    expect(props(suite)).toMatchObject({ seed: '7', accel: 'kvm', backends: 'model,qemu', runs: '50', sequences: '50', budgetExhausted: 'false', interrupted: 'false' });
    expect(props(suite)['fingerprint.qemu']).toContain('guestImageDigest=sha256:0123abcd');
    expect(kids(suite, 'testcase').map((c) => [c.attrs.name, c.children.length])).toEqual([
      ['vm lifecycle', 0],
      ['guest actions', 0],
    ]);
  });

  it('puts a counterexample in <failure type="counterexample"> with steps and diff, and its token as a property', () => {
    const suite = parseXml(toJUnit(failingRun));
    expect(props(suite)).toMatchObject({ budgetSeconds: '900', budgetExhausted: 'true', interrupted: 'false' });
    expect(suite.attrs).toMatchObject({ tests: '4', failures: '1', errors: '0', skipped: '1', time: '754.321' });
    const c = cases(suite)['vm lifecycle'];
    expect(props(c)).toMatchObject({ token: failingRun.failures[0]?.token, seed: '42', path: '17:2:0:1', classification: 'deterministic' });
    const failure = kid(c, 'failure');
    expect(failure?.attrs).toEqual({ message: 'backends diverge after step 3 (3 differing path(s))', type: 'counterexample' });
    const body = failure?.text ?? '';
    expect(body).toContain(`vmconform replay --token ${failingRun.failures[0]?.token}`);
    expect(body).toContain('> 3. guest acpiShutdown mariadb-prod    [model: ok | qemu: 409 VMI is paused]');
    expect(body).toContain('  1. apply VirtualMachine mariadb-prod');
    expect(body).toContain('vmis.mariadb-prod.phase: expected "Succeeded", actual "Running" (qemu)');
  });

  it('writes a flaky failure as <flakyFailure> (Surefire rerun format) and counts the case as passed', () => {
    const suite = parseXml(toJUnit(failingRun));
    const c = cases(suite)['guest actions'];
    expect(kid(c, 'failure')).toBeUndefined();
    const flaky = kids(c, 'flakyFailure');
    expect(flaky).toHaveLength(1);
    expect(flaky[0]?.attrs.type).toBe('counterexample');
    expect(kid(flaky[0], 'stackTrace')?.text).toContain('vmis.web.bootId: expected "boot#2", actual "boot#1" (qemu)');
    expect(props(c)).toMatchObject({ token: failingRun.failures[1]?.token, classification: 'flaky' });
  });

  it('writes a known deviation as <skipped> with the counterexample in <system-out>', () => {
    const c = cases(parseXml(toJUnit(failingRun)))['storage'];
    expect(kid(c, 'skipped')?.attrs.message).toBe('known deviation: WaitForFirstConsumer is not simulated by the qemu backend');
    expect(kid(c, 'system-out')?.text).toContain('pvcs.data.phase: expected "Pending", actual "Bound" (qemu)');
    expect(cases(parseXml(toJUnit(failingRun)))['migration']?.children).toEqual([]);
  });

  it('escapes <&>"\' and control characters into well-formed XML; an error without diff is <error>; names are unique', () => {
    const xml = toJUnit(hostileRun);
    const suite = parseXml(xml); // throws on any well-formedness error, forbidden characters included
    expect(suite.attrs).toMatchObject({ tests: '3', failures: '1', errors: '1', skipped: '0' });
    expect(props(suite)).toMatchObject({ runId: 'hostile<run>', accel: 'none', interrupted: 'true', budgetExhausted: 'false' });
    // Characters XML 1.0 cannot carry print as \uXXXX; everything else round-trips exactly.
    const visible = NASTY.replace(/[\u0001\u0008\u000b\u001f]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
    const [first, second, all] = kids(suite, 'testcase');
    expect(first?.attrs.name).toBe(`p ${visible}`);
    expect(second?.attrs.name).toBe(`p ${visible} (2)`);
    expect(all?.attrs.name).toBe('all sequences');
    expect(props(first).token).toBe('tok<&>');
    expect(kid(first, 'failure')?.text).toContain(`: expected ${JSON.stringify(NASTY)}, actual (absent) (qemu)`);
    expect(kid(first, 'failure')?.text).toContain(`[model: ok | qemu: 422 ${visible}]`);
    const error = kid(second, 'error');
    expect(error?.attrs.type).toBe('error');
    expect(error?.attrs.message).toBe(`error at step 1: qemu: not settled after 30000 ms ${visible}`);
    expect(xml).not.toMatch(/[\u0001\u0008\u000b\u001f]/);
  });

  it('is checked by a parser that rejects what it should (the test can fail)', () => {
    expect(() => parseXml('<a b="<"/>')).toThrow(/not well-formed/);
    expect(() => parseXml('<a>\u0001</a>')).toThrow(/not well-formed/);
  });
});
