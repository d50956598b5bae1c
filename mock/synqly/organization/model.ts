import { errors } from '../../core/errors.ts';
import { parseDuration } from '../../core/durations.ts';
import type { JsonRecord } from '../../core/store/document.ts';
import type { Tx } from '../../core/store/store.ts';
import { assertNameFree, deriveName } from '../names.ts';
import { orgState, ORGANIZATIONS, type OrganizationRecord, type OrgState } from '../state.ts';
import { deleteRefreshToken, issueRefreshToken, type IssuedPair } from '../tokens/model.ts';
import { iso, type ModelEnv } from '../../core/model-env.ts';
import { assertSameId } from '../updates.ts';
import type { components } from '../../generated/synqly.ts';
import { entriesOf } from '../../core/narrow.ts';

/** How long an organization's default token lives: the twin's choice, the vendor does not say. */
export const DEFAULT_ORG_TOKEN_TTL_MS = 10 * 365 * 24 * 3_600_000;
export const DEFAULT_REPLY_TO = 'no-reply@synqly.com';

export type OrganizationState = NonNullable<OrganizationRecord['state']>;

export interface NewOrganization {
  name?: string;
  fullname?: string;
  /** default: `root` for a top-level organization, `standard` for a sub-organization */
  organization_type?: 'root' | 'standard';
  contact?: string;
  reply_to?: string;
  picture?: string;
  /** the organization that creates this one as its sub-organization */
  parent_id?: string;
  /** the RefreshToken that created it (the new token's `permissions.parent_id`; default: the parent's own token) */
  parent_token_id?: string;
}

/** Creates an organization with its default (administrator) token. */
export function createOrganization(tx: Tx, input: NewOrganization, env: ModelEnv): { organization: OrganizationRecord; token: IssuedPair } {
  const id = env.random.uuid();
  const name = deriveName(input, id);
  assertNameFree(tx.values<OrganizationRecord>(ORGANIZATIONS), name, 'organization');
  const state = orgState(tx, id);
  const parent = input.parent_id ? tx.get<OrganizationRecord>(ORGANIZATIONS, input.parent_id) : undefined;
  if (input.parent_id && !parent) throw errors.notFound(`parent organization ${input.parent_id} not found`);
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
      parentId: parent ? (input.parent_token_id ?? parent.refresh_token_id) : id,
      rootOrganizationId: parent ? rootOf(tx, parent).id : undefined,
    },
    env,
  );
  const now = iso(env.nowMs);
  const organization: OrganizationRecord = {
    id,
    name,
    fullname: input.fullname ?? name,
    refresh_token_id: token.id,
    organization_type: input.organization_type ?? (parent ? 'standard' : 'root'),
    ...(input.contact ? { contact: input.contact } : {}),
    reply_to: input.reply_to ?? DEFAULT_REPLY_TO,
    ...(input.picture ? { picture: input.picture } : {}),
    ...(parent ? { parent_id: parent.id } : {}),
    created_at: now,
    updated_at: now,
  };
  state.organizations.put(organization);
  return { organization, token: pair };
}

/** the top of an organization's parent chain */
export function rootOf(tx: Tx, org: OrganizationRecord): OrganizationRecord {
  let cur = org;
  const seen = new Set<string>();
  while (cur.parent_id && !seen.has(cur.id)) {
    seen.add(cur.id);
    const parent = tx.get<OrganizationRecord>(ORGANIZATIONS, cur.parent_id);
    if (!parent) break;
    cur = parent;
  }
  return cur;
}

/** the direct sub-organizations of an organization */
export function childrenOf(tx: Tx, orgId: string): OrganizationRecord[] {
  return tx.values<OrganizationRecord>(ORGANIZATIONS).filter((o) => o.parent_id === orgId);
}

/** Removes an organization, its sub-organizations (recursively) and everything in their partitions. */
export function deleteOrganization(tx: Tx, orgId: string): void {
  for (const child of childrenOf(tx, orgId)) deleteOrganization(tx, child.id);
  const state = orgState(tx, orgId);
  for (const token of state.refreshTokens.all()) deleteRefreshToken(state, token);
  for (const name of tx.collections(`synqly/org/${orgId}/`)) tx.drop(name);
  state.organizations.delete(orgId);
}

/** The API shape of an organization: the twin's own bookkeeping (`parent_id`) stays inside. */
export function organizationView(org: OrganizationRecord) {
  const { parent_id: _parent, ...view } = org;
  return view;
}

export function getOrganization(state: OrgState): OrganizationRecord {
  const org = state.organizations.get(state.orgId);
  if (!org) throw errors.notFound(`organization ${state.orgId} not found`);
  return org;
}

// ---- organization_update / organization_patch

export interface OrganizationOptions {
  invite_duration?: string;
  forgot_duration?: string;
  password_duration?: string;
  minimum_password_length?: number;
}

/** the full Organization, as PUT takes it (contract §3.14) */
export type UpdateOrganizationRequest = components['schemas']['UpdateOrganizationRequest'];

const HOUR = 3_600_000;
/** OrganizationOptions ranges (contract §2.2) */
const DURATION_RANGES: Record<'invite_duration' | 'forgot_duration' | 'password_duration', [number, number]> = {
  invite_duration: [24 * HOUR, 168 * HOUR],
  forgot_duration: [24 * HOUR, 168 * HOUR],
  password_duration: [24 * HOUR, 8760 * HOUR],
};

function assertOptions(options: OrganizationOptions | undefined): void {
  if (!options) return;
  for (const [field, [min, max]] of entriesOf(DURATION_RANGES)) {
    const text = options[field];
    if (text === undefined) continue;
    const ms = parseDuration(text);
    if (ms === undefined || ms < min || ms > max) {
      throw errors.badRequest(`options.${field} ${JSON.stringify(text)} must be a duration between ${min / HOUR}h and ${max / HOUR}h`, {
        parameter: { id: `/options/${field}`, location: 'body', value: text },
      });
    }
  }
}

/**
 * `state` and `end_date` are changed only through Synqly's private API (here: the control API),
 * and `organization_type` never: a body may repeat the stored values but not change them.
 */
function assertUnchanged(body: UpdateOrganizationRequest, org: OrganizationRecord): void {
  const storedState: OrganizationState = org.state ?? 'enabled';
  if (body.state !== undefined && body.state !== storedState) {
    throw errors.badRequest(`state cannot be changed through the Management API (it is ${storedState}); only Synqly changes an organization's state`, {
      parameter: { id: '/state', location: 'body', value: body.state },
    });
  }
  if (body.end_date !== undefined && body.end_date !== org.end_date) {
    throw errors.badRequest('end_date cannot be changed through the Management API; only Synqly changes it', {
      parameter: { id: '/end_date', location: 'body', value: body.end_date },
    });
  }
  if (body.organization_type !== org.organization_type) {
    throw errors.badRequest(`organization_type cannot be changed (it is ${org.organization_type})`, {
      parameter: { id: '/organization_type', location: 'body', value: body.organization_type },
    });
  }
}

/** organization_update: full replace of the writable fields of the caller's organization. */
export function updateOrganization(state: OrgState, body: UpdateOrganizationRequest, env: ModelEnv): OrganizationRecord {
  const org = getOrganization(state);
  assertSameId(body.id, org.id, 'organization');
  assertUnchanged(body, org);
  assertNameFree(state.organizations.all(), body.name, 'organization', org.id);
  assertOptions(body.options);
  const next: OrganizationRecord = {
    id: org.id,
    name: body.name,
    fullname: body.fullname,
    refresh_token_id: org.refresh_token_id,
    organization_type: org.organization_type,
    ...(body.contact !== undefined ? { contact: body.contact } : {}),
    reply_to: body.reply_to ?? DEFAULT_REPLY_TO,
    ...(body.picture !== undefined ? { picture: body.picture } : {}),
    ...(body.options !== undefined ? { options: structuredClone(body.options) as JsonRecord } /* the schema's options object is stored as JSON */ : {}),
    ...(org.state !== undefined ? { state: org.state } : {}),
    ...(org.end_date !== undefined ? { end_date: org.end_date } : {}),
    ...(org.parent_id !== undefined ? { parent_id: org.parent_id } : {}),
    created_at: org.created_at,
    updated_at: iso(env.nowMs),
  };
  state.organizations.put(next);
  return next;
}

// ---- 402: disabled organizations and ended plg trials (contract §1.7)

const DATE_ONLY = /^\d{4}-\d{2}-\d{2}$/;
const DAY_MS = 24 * 3_600_000;

/**
 * The first instant a `plg` organization with this `end_date` is past it: a date (`YYYY-MM-DD`,
 * the contract's form) is the last day it works, so the instant is the next day's 00:00 UTC; a
 * date-time is the last instant it works, so anything after it is past. Undefined when unparsable.
 */
export function endDateLimitMs(endDate: string): number | undefined {
  if (DATE_ONLY.test(endDate)) {
    const start = Date.parse(`${endDate}T00:00:00Z`);
    return Number.isNaN(start) ? undefined : start + DAY_MS;
  }
  const at = Date.parse(endDate);
  return Number.isNaN(at) ? undefined : at + 1;
}

/** why every call of the organization answers 402, or undefined when it works */
export function paymentRequiredReason(org: Pick<OrganizationRecord, 'name' | 'state' | 'end_date'>, nowMs: number): string | undefined {
  if (org.state === 'disabled') return `organization ${org.name} is disabled`;
  if (org.state === 'plg' && org.end_date !== undefined) {
    const limit = endDateLimitMs(org.end_date);
    if (limit !== undefined && nowMs >= limit) return `organization ${org.name} is disabled: its plg period ended on ${org.end_date}`;
  }
  return undefined;
}

// ---- the private API: organization state (control API only)

export interface StateChange {
  state: OrganizationState;
  end_date?: string;
}

/**
 * Sets an organization's state, as Synqly's private API does. `enabled` is stored as the absence
 * of `state` (the vendor omits it when enabled); `end_date` applies to `pov`/`plg` only.
 */
export function setOrganizationState(tx: Tx, idOrName: string, change: StateChange, nowMs: number): OrganizationRecord {
  const all = tx.values<OrganizationRecord>(ORGANIZATIONS);
  const org = tx.get<OrganizationRecord>(ORGANIZATIONS, idOrName) ?? all.find((o) => o.name.toLowerCase() === idOrName.toLowerCase());
  if (!org) throw errors.notFound(`Synqly organization ${idOrName} not found`);
  if (change.end_date !== undefined && change.state !== 'pov' && change.state !== 'plg') {
    throw errors.badRequest('end_date applies only to the pov and plg states');
  }
  const { state: _state, end_date: _end, ...rest } = org;
  const next: OrganizationRecord = {
    ...rest,
    ...(change.state !== 'enabled' ? { state: change.state } : {}),
    ...(change.end_date !== undefined ? { end_date: change.end_date } : {}),
    updated_at: iso(nowMs),
  };
  tx.put(ORGANIZATIONS, org.id, next);
  return next;
}
