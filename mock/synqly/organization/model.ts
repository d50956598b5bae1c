import { orgState, ORGANIZATIONS, type OrganizationRecord } from '../state.ts';
import type { Tx } from '../../core/store/store.ts';
import { deleteRefreshToken, iso, issueRefreshToken, type IssuedPair, type ModelEnv } from '../tokens/model.ts';
import { assertNameFree, deriveName } from '../names.ts';

/** How long an organization's default token lives: the twin's choice, the vendor does not say. */
export const DEFAULT_ORG_TOKEN_TTL_MS = 10 * 365 * 24 * 3_600_000;

export interface NewOrganization {
  name?: string;
  fullname?: string;
  organization_type?: 'root' | 'standard';
  contact?: string;
  parent_id?: string;
}

/** Creates an organization with its default (administrator) token. */
export function createOrganization(tx: Tx, input: NewOrganization, env: ModelEnv): { organization: OrganizationRecord; token: IssuedPair } {
  const id = env.random.uuid();
  const name = deriveName(input, id);
  assertNameFree(tx.values<OrganizationRecord>(ORGANIZATIONS), name, 'organization');
  const state = orgState(tx, id);
  const { record: token, pair } = issueRefreshToken(
    state,
    {
      ownerId: id,
      ownerType: 'organization',
      kind: 'organization',
      tokenType: 'default',
      ttlMs: DEFAULT_ORG_TOKEN_TTL_MS,
      name: `${name}-default`,
      roleBinding: ['administrator'],
      parentId: input.parent_id ?? id,
    },
    env,
  );
  const now = iso(env.nowMs);
  const organization: OrganizationRecord = {
    id,
    name,
    fullname: input.fullname ?? name,
    refresh_token_id: token.id,
    organization_type: input.organization_type ?? 'standard',
    ...(input.contact ? { contact: input.contact } : {}),
    reply_to: 'no-reply@synqly.com',
    ...(input.parent_id ? { parent_id: input.parent_id } : {}),
    created_at: now,
    updated_at: now,
  };
  state.organizations.put(organization);
  return { organization, token: pair };
}

/** Removes an organization and everything in its partition. */
export function deleteOrganization(tx: Tx, orgId: string): void {
  const state = orgState(tx, orgId);
  for (const token of state.refreshTokens.all()) deleteRefreshToken(state, token);
  for (const name of tx.collections(`synqly/org/${orgId}/`)) tx.drop(name);
  state.organizations.delete(orgId);
}
