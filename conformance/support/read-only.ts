import type { Response } from 'supertest';
import { expect, type TestContext } from 'vitest';
import type { Target } from '../target.ts';
import { connxioSession, synqlySession, type SynqlySession } from './sessions.ts';
import { expectOperation } from './contract.ts';

/**
 * Helpers for the read-only scenarios each family's scenario file holds (its list and get, GETs
 * only, so they run on every target — a twin's fresh `demo` tenant or company, and a live tenant
 * without `--allow-writes`). A list is checked against the spec and its first item (if any) read
 * back. An empty list is fine live (the read is skipped, saying why); on a twin the demo data holds
 * the item, so an empty list there fails.
 */

export interface ListedItem {
  id: string;
  name: string;
  [key: string]: unknown;
}

function firstOrSkip<T>(target: Target, ctx: TestContext, list: T[], what: string, seeded: boolean, holder: string): T {
  const item = list[0];
  if (item !== undefined) return item;
  if (target.kind !== 'live' && seeded) expect.fail(`the demo ${holder} should hold ${what}`);
  ctx.skip(`the tenant holds no ${what} to read`);
  throw new Error(`no ${what}`);
}

export function synqlyReadOnly(target: Target) {
  const items = (res: Response) => res.body.result as ListedItem[];
  return {
    /** assertions on the demo data are made on twins only */
    twin: target.kind !== 'live',
    session: () => synqlySession(target, { profile: 'demo' }),
    items,
    /** the first item, or: a failure on a twin when the demo tenant holds one (`seeded`), else the test is skipped with the reason */
    firstOf: <T>(ctx: TestContext, list: T[], what: string, seeded: boolean): T => firstOrSkip(target, ctx, list, what, seeded, 'tenant'),
    async listAccounts(s: SynqlySession): Promise<ListedItem[]> {
      const res = await s.get('/v1/accounts');
      expectOperation(res, 'accounts_list', 200);
      return items(res);
    },
    /** the first owner (of `owners`) whose list at `path(owner)` is not empty, with that list */
    async firstNonEmpty(s: SynqlySession, owners: ListedItem[], path: (owner: ListedItem) => string, operationId: 'credentials_list' | 'bridges_list') {
      for (const owner of owners.slice(0, 20)) {
        const res = await s.get(path(owner));
        if (operationId === 'credentials_list') expectOperation(res, 'credentials_list', 200);
        else expectOperation(res, 'bridges_list', 200);
        if (items(res).length) return { owner, list: items(res) };
      }
      return { owner: undefined, list: [] as ListedItem[] };
    },
  };
}

export function connxioReadOnly(target: Target) {
  return {
    twin: target.kind !== 'live',
    session: () => connxioSession(target, { profile: 'demo' }),
    listOf: (res: Response) => res.body as ListedItem[],
    /** the first item, or: a failure on a twin (the demo company holds one), a skip with the reason live */
    firstOf: (ctx: TestContext, list: ListedItem[], what: string): ListedItem => firstOrSkip(target, ctx, list, what, true, 'company'),
  };
}
