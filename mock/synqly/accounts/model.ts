import { errors } from '../../core/errors.ts';
import { listFrom, type ListPage, type ListQuery } from '../lists.ts';
import { assertNameFree, deriveName, findByIdOrName } from '../names.ts';
import type { components } from '../../generated/synqly.ts';
import type { AccountRecord, OrgState } from '../state.ts';
import { iso, type ModelEnv } from '../../core/model-env.ts';
import { removeAccountCascade } from '../cascade.ts';
import { assertSameId, patchDocument, type DocumentCheck, type PatchOperation } from '../updates.ts';

export type CreateAccountRequest = components['schemas']['CreateAccountRequest'];

export const ACCOUNT_FIELDS = ['id', 'name', 'fullname', 'organization_id', 'environment', 'labels', 'created_at', 'updated_at'] as const;
const LABEL = /^[A-Za-z0-9_:.-]{1,48}$/;

function assertLabels(labels: string[] | undefined): void {
  labels?.forEach((label, i) => {
    if (!LABEL.test(label)) {
      throw errors.badRequest(`label ${JSON.stringify(label)} is invalid: 1-48 letters, digits, '_', '-', ':' or '.'`, {
        parameter: { id: `/labels/${i}`, location: 'body', value: label },
      });
    }
  });
}

export function createAccount(org: OrgState, input: CreateAccountRequest, env: ModelEnv): AccountRecord {
  const id = env.random.uuid();
  const name = deriveName(input, id);
  assertNameFree(org.accounts, name, 'account');
  assertLabels(input.labels);
  const now = iso(env.nowMs);
  const account: AccountRecord = {
    id,
    name,
    fullname: input.fullname ?? name,
    organization_id: org.orgId,
    environment: input.environment ?? 'prod',
    ...(input.labels ? { labels: [...input.labels] } : {}),
    created_at: now,
    updated_at: now,
  };
  org.accounts.put(account);
  return account;
}

/** fields that always hold plain strings: `eq`/`in` filters on them go through the store's index */
const ACCOUNT_INDEXED_FIELDS = ['id', 'name', 'fullname', 'organization_id', 'environment'] as const;

/** `visible` says which accounts the caller may see (access.ts accountVisibility); omitted = all */
export function listAccounts(org: OrgState, query: ListQuery, visible?: (account: AccountRecord) => boolean): ListPage<AccountRecord> {
  return listFrom(org.accounts, query, { fields: ACCOUNT_FIELDS, indexed: ACCOUNT_INDEXED_FIELDS, visible });
}

export function getAccount(org: OrgState, idOrName: string): AccountRecord {
  const account = findByIdOrName(org.accounts, idOrName);
  if (!account) throw errors.notFound(`account ${idOrName} not found`, { parameter: { id: 'accountId', location: 'path', value: idOrName } });
  return account;
}

export type UpdateAccountRequest = components['schemas']['UpdateAccountRequest'];

/** PUT: name, fullname, environment and labels are replaced; id, organization_id, created_at kept; updated_at set. */
function replaceAccount(org: OrgState, current: AccountRecord, body: UpdateAccountRequest, env: ModelEnv): AccountRecord {
  assertSameId(body.id, current.id, 'account');
  assertNameFree(org.accounts, body.name, 'account', current.id);
  assertLabels(body.labels);
  const next: AccountRecord = {
    id: current.id,
    name: body.name,
    fullname: body.fullname,
    organization_id: current.organization_id,
    environment: body.environment,
    ...(body.labels ? { labels: [...body.labels] } : {}),
    created_at: current.created_at,
    updated_at: iso(env.nowMs),
  };
  org.accounts.put(next);
  return next;
}

export function updateAccount(org: OrgState, idOrName: string, body: UpdateAccountRequest, env: ModelEnv): AccountRecord {
  return replaceAccount(org, getAccount(org, idOrName), body, env);
}

export function patchAccount(org: OrgState, idOrName: string, ops: PatchOperation[], check: DocumentCheck<UpdateAccountRequest>, env: ModelEnv): AccountRecord {
  const current = getAccount(org, idOrName);
  return replaceAccount(org, current, patchDocument(current, ops, check), env);
}

/** Deletes the account with its integrations, bridge groups, credentials, status and their tokens. */
export function deleteAccount(org: OrgState, idOrName: string): void {
  removeAccountCascade(org, getAccount(org, idOrName));
}
