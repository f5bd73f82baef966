import { describe, expect, it } from 'vitest';
import { answerKey, fail, OK, reasonOf, toStatus, type Failed } from './result.ts';

describe('Result, shaped like metav1.Status', () => {
  it('keeps fail(code, message) as it was; the reason follows the code unless given', () => {
    expect(fail(409, 'VM is not running')).toEqual({ ok: false, code: 409, message: 'VM is not running' });
    expect(reasonOf(fail(409, 'x') as Failed)).toBe('Conflict');
    expect(reasonOf(fail(409, 'x', { reason: 'AlreadyExists' }) as Failed)).toBe('AlreadyExists');
    expect([400, 403, 404, 409, 422, 500].map((c) => reasonOf(fail(c as Failed['code'], '') as Failed))).toEqual(['BadRequest', 'Forbidden', 'NotFound', 'Conflict', 'Invalid', 'InternalError']);
  });

  it('compares answers by ok, code and reason, not by message', () => {
    expect(answerKey(fail(409, 'a'))).toEqual(answerKey(fail(409, 'b')));
    expect(answerKey(fail(409, 'a'))).not.toEqual(answerKey(fail(409, 'a', { reason: 'AlreadyExists' })));
    expect(answerKey(OK)).toEqual({ ok: true, code: null, reason: null });
  });

  it('renders a metav1.Status with causes as details', () => {
    const r = fail(422, 'admission webhook denied the request', { causes: [{ field: 'spec.running', message: 'mutually exclusive with spec.runStrategy', reason: 'FieldValueInvalid' }] });
    expect(toStatus(r, { kind: 'virtualmachines', name: 'v' })).toEqual({
      kind: 'Status',
      apiVersion: 'v1',
      metadata: {},
      status: 'Failure',
      message: 'admission webhook denied the request',
      reason: 'Invalid',
      details: { kind: 'virtualmachines', name: 'v', causes: [{ field: 'spec.running', message: 'mutually exclusive with spec.runStrategy', reason: 'FieldValueInvalid' }] },
      code: 422,
    });
    expect(toStatus(OK)).toEqual({ kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Success', code: 200 });
    expect(toStatus(fail(404, 'gone'))).not.toHaveProperty('details');
  });
});
