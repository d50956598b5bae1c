import { errors } from '../../core/errors.ts';
import type { Tx } from '../../core/store/store.ts';
import { childrenOf, createOrganization, deleteOrganization, organizationView } from '../organization/model.ts';
import { ORGANIZATIONS, type OrganizationRecord } from '../state.ts';
import { tokenPairView, type IssuedPair } from '../tokens/model.ts';
import type { ModelEnv } from '../../core/model-env.ts';
import type { components } from '../../generated/synqly.ts';

/**
 * Sub-organizations (contract §3.18, §4.1): each is a separate, isolated organization with its own
 * partition and default token, remembered as a child of the organization that created it. Only
 * the parent lists, reads or deletes it; deleting it removes the whole sub-organization (its
 * data, tokens and its own sub-organizations).
 */

export type CreateSubOrgRequest = components['schemas']['CreateSubOrgRequest'];

export function listSubOrgs(tx: Tx, parentId: string): OrganizationRecord[] {
  return childrenOf(tx, parentId).sort((a, b) => a.name.localeCompare(b.name) || a.id.localeCompare(b.id));
}

/** a direct sub-organization of `parentId` by id or name; other organizations are not found */
export function getSubOrg(tx: Tx, parentId: string, idOrName: string): OrganizationRecord {
  const byId = tx.get<OrganizationRecord>(ORGANIZATIONS, idOrName);
  const lower = idOrName.toLowerCase();
  const org = byId?.parent_id === parentId ? byId : childrenOf(tx, parentId).find((o) => o.name.toLowerCase() === lower);
  if (!org) throw errors.notFound(`sub-organization ${idOrName} not found`, { parameter: { id: 'organizationId', location: 'path', value: idOrName } });
  return org;
}

export interface CreatedSubOrg {
  organization: OrganizationRecord;
  token: IssuedPair;
}

/** Creates the organization; `callerTokenId` becomes the new token's `permissions.parent_id`. */
export function createSubOrg(tx: Tx, parent: OrganizationRecord, callerTokenId: string, input: CreateSubOrgRequest, env: ModelEnv): CreatedSubOrg {
  return createOrganization(
    tx,
    {
      name: input.name,
      fullname: input.fullname,
      contact: input.contact,
      reply_to: input.reply_to,
      picture: input.picture,
      organization_type: 'standard',
      parent_id: parent.id,
      parent_token_id: callerTokenId,
    },
    env,
  );
}

export function deleteSubOrg(tx: Tx, parentId: string, idOrName: string): void {
  deleteOrganization(tx, getSubOrg(tx, parentId, idOrName).id);
}

export function createdSubOrgView(created: CreatedSubOrg, member?: unknown) {
  return { organization: organizationView(created.organization), token: tokenPairView(created.token), ...(member !== undefined ? { member } : {}) };
}
