import { describe, expect, it } from 'vitest';
import { buildMatrix, matrixMarkdown } from '../report/matrix.ts';
import type { CheckRecord } from '../support/coverage.ts';
import { missingLiveVariables, selectedFamilyNames, selectedOperations, UsageError, validateSelection } from '../selection.ts';
import { LedgerInputError, verifiedLive } from '../../scripts/coverage-ledger.ts';

/** The suite's own bookkeeping: matrix rows, what a selection means, what a live run verifies. */

const ops = ['accounts_create', 'accounts_list', 'accounts_update', 'list_subscriptions'].map((operationId) => ({ operationId, vendor: operationId.startsWith('list') ? 'connxio' : 'synqly' }));
const check = (operationId: string, actual: number, test: string, passed = true): CheckRecord => ({ operationId, vendor: 'synqly', expected: actual, actual, passed, test });
const file = 'conformance/synqly/accounts.test.ts';

describe('coverage matrix', () => {
  const results = {
    testResults: [
      {
        name: file,
        assertionResults: [
          { ancestorTitles: ['accounts_create'], title: 'creates', status: 'skipped' },
          { ancestorTitles: ['accounts_list'], title: 'lists', status: 'passed' },
          { ancestorTitles: ['accounts_list'], title: 'refuses without a token', status: 'passed' },
          { ancestorTitles: ['accounts_update'], title: 'replaces', status: 'passed' },
          // left out by the name filter (--operation): vitest reports it as skipped
          { ancestorTitles: ['list_subscriptions'], title: 'lists', status: 'skipped' },
        ],
      },
    ],
  };
  const checks = [
    // another scenario's 401 for accounts_create does not make up for its own skipped scenario
    check('accounts_create', 401, `${file} > accounts_list > refuses without a token`),
    check('accounts_list', 200, `${file} > accounts_list > lists`),
    // accounts_update's own scenario passed, but only with a 4xx: pass, not verified
    check('accounts_update', 404, `${file} > accounts_update > replaces`),
  ];
  const m = buildMatrix('live', ops, checks, results, new Date(0), { selected: new Set(['accounts_create', 'accounts_list', 'accounts_update']), cleanupFailures: [{ test: 'x', failure: 'DELETE /v1/accounts/1 answered 500' }] });
  const row = (id: string) => m.operations.find((o) => o.operationId === id)!;

  it('marks unselected operations "not selected", not skipped, even when vitest lists their filtered-out scenarios as skipped', () => {
    expect(row('list_subscriptions').result).toBe('not selected');
    expect(m.totals).toMatchObject({ notSelected: 1, skipped: 1, passed: 2, failed: 0 });
  });

  it('does not pass an operation whose own scenarios were all skipped', () => {
    expect(row('accounts_create').result).toBe('skip');
    expect(row('accounts_create').succeeded).toBe(false);
  });

  it('counts as succeeded only an own passing scenario with a 2xx check of the operation', () => {
    expect(row('accounts_list').succeeded).toBe(true);
    expect(row('accounts_update').result).toBe('pass');
    expect(row('accounts_update').succeeded).toBe(false);
  });

  it('puts cleanup failures into the Markdown', () => {
    const md = matrixMarkdown(m);
    expect(md).toContain('**Cleanup: 1 delete(s) failed');
    expect(md).toContain('- x: DELETE /v1/accounts/1 answered 500');
    expect(md).toContain('1 not selected');
  });

  it('feeds the ledger only from live matrices, and only with verified operations', () => {
    expect(verifiedLive(m)).toEqual(['accounts_list']);
    expect(verifiedLive({ ...m, target: 'env:B_' })).toEqual(['accounts_list']);
    expect(() => verifiedLive({ ...m, target: 'inprocess' })).toThrow(LedgerInputError);
    expect(() => verifiedLive({ ...m, target: 'spawned' }, 'm.json')).toThrow(/m.json is from target "spawned", not a live one/);
  });
});

describe('selection', () => {
  it('refuses unknown operations, families and tags, naming close matches', () => {
    expect(() => validateSelection({ operation: ['accounts_creat'] })).toThrow(/did you mean accounts_create/);
    expect(() => validateSelection({ family: ['subscription'], vendor: 'connxio' })).toThrow(/did you mean subscriptions/);
    expect(() => validateSelection({ tag: ['acounts'] })).toThrow(UsageError);
    expect(() => validateSelection({ vendor: 'connxio', operation: ['accounts_create'] })).toThrow(/unknown --operation accounts_create/);
    expect(() => validateSelection({ vendor: 'synqly', family: ['accounts'], operation: ['accounts_get'], tag: ['accounts'] })).not.toThrow();
  });

  it('knows which operations a selection covers', () => {
    expect(selectedOperations({})).toBeUndefined();
    expect([...selectedOperations({ operation: ['accounts_get'] })!]).toEqual(['accounts_get']);
    const accounts = selectedOperations({ vendor: 'synqly', family: ['accounts'] })!;
    expect(accounts.has('accounts_create')).toBe(true);
    expect(accounts.has('list_subscriptions')).toBe(false);
  });

  it('takes a family under either spelling of its name (api-keys, apikeys, apiKeys)', () => {
    for (const spelling of ['apiKeys', 'api-keys', 'apikeys', 'environmentvariables']) expect(() => validateSelection({ vendor: 'connxio', family: [spelling] })).not.toThrow();
    expect(selectedFamilyNames(['api-keys', 'SECURITYCONFIGS'], 'connxio')).toEqual(['apiKeys', 'securityConfigs']);
    expect(selectedOperations({ family: ['environment-variables'] })).toEqual(selectedOperations({ family: ['environmentVariables'] }));
    expect(selectedOperations({ family: ['environmentVariables'] })!.has('get_environment_variable')).toBe(true);
  });

  it('requires the variables of the selected vendors only, with the target prefix', () => {
    const synqly = { SYNQLY_BASE_URL: 'http://x', SYNQLY_TOKEN: 't' };
    expect(missingLiveVariables('', synqly, { vendor: 'synqly' })).toEqual([]);
    expect(missingLiveVariables('', synqly, { vendor: 'connxio' })).toEqual(['CONNXIO_BASE_URL', 'CONNXIO_API_KEY', 'CONNXIO_CLIENT_ID', 'CONNXIO_CLIENT_SECRET']);
    // no vendor named: an unconfigured vendor's scenarios are skipped, a half-configured one is an error
    expect(missingLiveVariables('', synqly, {})).toEqual([]);
    expect(missingLiveVariables('', { ...synqly, CONNXIO_BASE_URL: 'http://y' }, {})).toEqual(['CONNXIO_API_KEY', 'CONNXIO_CLIENT_ID', 'CONNXIO_CLIENT_SECRET']);
    expect(missingLiveVariables('C_', {}, {})).toEqual(['C_SYNQLY_BASE_URL', 'C_SYNQLY_TOKEN', 'C_CONNXIO_BASE_URL', 'C_CONNXIO_API_KEY', 'C_CONNXIO_CLIENT_ID', 'C_CONNXIO_CLIENT_SECRET']);
    expect(missingLiveVariables('', synqly, { operation: ['list_subscriptions'] })).toEqual(['CONNXIO_BASE_URL', 'CONNXIO_API_KEY', 'CONNXIO_CLIENT_ID', 'CONNXIO_CLIENT_SECRET']);
    expect(missingLiveVariables('', {}, { vendor: 'admin' })).toEqual([]);
  });
});
