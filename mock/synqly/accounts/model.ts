import { errors } from '../../core/errors.ts';
import { listRecords, type ListPage, type ListQuery } from '../lists.ts';
import { assertNameFree, deriveName, findByIdOrName } from '../names.ts';
import type { AccountRecord, Environment, OrgState } from '../state.ts';
import { iso, type ModelEnv } from '../tokens/model.ts';

export interface CreateAccountRequest {
  name?: string;
  fullname?: string;
  environment?: Environment;
  labels?: string[];
}

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
  assertNameFree(org.accounts.all(), name, 'account');
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

export function listAccounts(org: OrgState, query: ListQuery): ListPage<AccountRecord> {
  return listRecords(org.accounts.all(), query, { fields: ACCOUNT_FIELDS });
}

export function getAccount(org: OrgState, idOrName: string): AccountRecord {
  const account = findByIdOrName(org.accounts, idOrName);
  if (!account) throw errors.notFound(`account ${idOrName} not found`, { parameter: { id: 'accountId', location: 'path', value: idOrName } });
  return account;
}
