import { describe, expect, it } from 'vitest';
import { apiError } from './model-testing.ts';
import { applyJsonPatch, assertSameId, patchDocument } from './updates.ts';

const account = { id: 'a1', name: 'acme', fullname: 'Acme', organization_id: 'o1', environment: 'prod', labels: ['x'], created_at: 't0', updated_at: 't0' };

describe('applyJsonPatch', () => {
  it('applies RFC 6902 operations to a copy', () => {
    const out = applyJsonPatch(account, [
      { op: 'replace', path: '/fullname', value: 'Acme Corp' },
      { op: 'add', path: '/labels/-', value: 'y' },
      { op: 'test', path: '/name', value: 'acme' },
      { op: 'copy', from: '/name', path: '/nickname' },
      { op: 'remove', path: '/nickname' },
    ]);
    expect(out).toMatchObject({ fullname: 'Acme Corp', labels: ['x', 'y'] });
    expect(out).not.toHaveProperty('nickname');
    expect(account.labels).toEqual(['x']);
  });

  it.each(['/id', '/created_at', '/updated_at', '/organization_id', '/organization_id/x'])('refuses a patch of %s with 400 naming the operation', (path) => {
    const err = apiError(() => applyJsonPatch(account, [{ op: 'replace', path: '/fullname', value: 'x' }, { op: 'replace', path, value: 'y' }]));
    expect(err.status).toBe(400);
    expect(err.details.parameter).toMatchObject({ id: '/1/path', value: path });
  });

  it('refuses moving a read-only field away and replacing the whole resource', () => {
    expect(apiError(() => applyJsonPatch(account, [{ op: 'move', from: '/id', path: '/old_id' }])).details.parameter?.id).toBe('/0/from');
    expect(apiError(() => applyJsonPatch(account, [{ op: 'replace', path: '', value: {} }])).status).toBe(400);
  });

  it('answers 409 for a failing test, also on a missing path', () => {
    expect(apiError(() => applyJsonPatch(account, [{ op: 'test', path: '/name', value: 'other' }])).status).toBe(409);
    expect(apiError(() => applyJsonPatch(account, [{ op: 'test', path: '/nothing', value: 1 }])).status).toBe(409);
  });

  it('answers 400 for an operation that cannot apply', () => {
    const err = apiError(() => applyJsonPatch(account, [{ op: 'remove', path: '/missing/deep' }]));
    expect(err.status).toBe(400);
    expect(err.details.parameter?.id).toBe('/0');
  });

  it('honours extra read-only paths', () => {
    expect(apiError(() => applyJsonPatch({ ...account, account_id: 'a' }, [{ op: 'replace', path: '/account_id', value: 'b' }], ['/account_id'])).status).toBe(400);
  });
});

describe('patchDocument', () => {
  it('runs prepare, then the check, and returns the document', () => {
    const seen: unknown[] = [];
    const out = patchDocument(account, [{ op: 'replace', path: '/fullname', value: 'New' }], (d) => seen.push(d), { prepare: (d) => delete d.labels });
    expect(out).not.toHaveProperty('labels');
    expect(seen).toEqual([out]);
  });
});

describe('assertSameId', () => {
  it('passes for the same id and answers 400 otherwise', () => {
    expect(() => assertSameId('a1', 'a1', 'account')).not.toThrow();
    const err = apiError(() => assertSameId('a2', 'a1', 'account'));
    expect(err.status).toBe(400);
    expect(err.details.parameter).toMatchObject({ id: '/id', location: 'body', value: 'a2' });
  });
});
