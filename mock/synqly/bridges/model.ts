import { createHmac } from 'node:crypto';
import { errors } from '../../core/errors.ts';
import { hashSecret } from '../../core/secrets.ts';
import { getAccount } from '../accounts/model.ts';
import { removeBridgeCascade } from '../cascade.ts';
import { listRecords, type ListPage, type ListQuery } from '../lists.ts';
import { assertNameFree, deriveName } from '../names.ts';
import type { AccountRecord, BridgeGroupRecord, OrgState } from '../state.ts';
import { iso, type ModelEnv } from '../../core/model-env.ts';
import { assertSameId, patchDocument, type DocumentCheck, type PatchOperation } from '../updates.ts';
import type { components } from '../../generated/synqly.ts';

/**
 * Bridge groups (contract §2.9, §3.4): groups of Bridge Agents inside an account. Creating one
 * hands out the agent credential once — a JWT (HS256) naming the group, the account and the
 * organization; the store keeps only its SHA-256. No agent ever connects to the twin, so a group's
 * status lists no running agents.
 */

export type BridgeInput = components['schemas']['CreateBridgeGroupRequest'];

export type UpdateBridgeRequest = components['schemas']['UpdateBridgeGroupRequest'];

export const BRIDGE_FIELDS = ['id', 'name', 'fullname', 'description', 'labels', 'created_at', 'updated_at'] as const;

export function bridgeView(b: BridgeGroupRecord) {
  const { credential_hash: _h, account_id: _a, ...view } = b;
  return view;
}

function bridgesOf(org: OrgState, account: AccountRecord): BridgeGroupRecord[] {
  return org.bridges.all().filter((b) => b.account_id === account.id);
}

function findBridge(org: OrgState, account: AccountRecord, idOrName: string): BridgeGroupRecord {
  const mine = bridgesOf(org, account);
  const lower = idOrName.toLowerCase();
  const hit = mine.find((b) => b.id === idOrName) ?? mine.find((b) => b.name.toLowerCase() === lower);
  if (!hit) throw errors.notFound(`bridge group ${idOrName} not found in account ${account.name}`, { parameter: { id: 'bridgeId', location: 'path', value: idOrName } });
  return hit;
}

export function getBridge(org: OrgState, accountId: string, bridgeId: string): BridgeGroupRecord {
  return findBridge(org, getAccount(org, accountId), bridgeId);
}

export function listBridges(org: OrgState, accountId: string, query: ListQuery): ListPage<ReturnType<typeof bridgeView>> {
  const page = listRecords(bridgesOf(org, getAccount(org, accountId)).map(bridgeView), query, { fields: BRIDGE_FIELDS });
  return page;
}

const b64url = (value: object | Buffer) => (Buffer.isBuffer(value) ? value : Buffer.from(JSON.stringify(value))).toString('base64url');

/** the agent credential: a compact HS256 JWT signed with a key drawn for this group */
function agentCredential(org: OrgState, account: AccountRecord, bridgeId: string, env: ModelEnv): string {
  const header = b64url({ alg: 'HS256', typ: 'JWT' });
  const payload = b64url({
    iss: 'apitwin',
    sub: bridgeId,
    aud: 'synqly-bridge',
    org: org.orgId,
    acct: account.id,
    iat: Math.floor(env.nowMs / 1000),
    jti: env.random.uuid(),
  });
  const signature = createHmac('sha256', env.random.bytes(32)).update(`${header}.${payload}`).digest();
  return `${header}.${payload}.${b64url(signature)}`;
}

export function createBridge(org: OrgState, accountId: string, input: BridgeInput, env: ModelEnv) {
  const account = getAccount(org, accountId);
  const id = env.random.uuid();
  const name = deriveName(input, id);
  assertNameFree(bridgesOf(org, account), name, 'bridge group');
  const credential = agentCredential(org, account, id, env);
  const now = iso(env.nowMs);
  const record: BridgeGroupRecord = {
    id,
    name,
    fullname: input.fullname ?? name,
    account_id: account.id,
    ...(input.description !== undefined ? { description: input.description } : {}),
    ...(input.labels ? { labels: [...input.labels] } : {}),
    credential_hash: hashSecret(credential),
    created_at: now,
    updated_at: now,
  };
  org.bridges.put(record);
  return { bridge: bridgeView(record), credential };
}

function replace(org: OrgState, account: AccountRecord, current: BridgeGroupRecord, body: UpdateBridgeRequest, env: ModelEnv): BridgeGroupRecord {
  assertSameId(body.id, current.id, 'bridge group');
  assertNameFree(bridgesOf(org, account), body.name, 'bridge group', current.id);
  const next: BridgeGroupRecord = {
    id: current.id,
    name: body.name,
    fullname: body.fullname,
    account_id: current.account_id,
    ...(body.description !== undefined ? { description: body.description } : {}),
    ...(body.labels ? { labels: [...body.labels] } : {}),
    credential_hash: current.credential_hash,
    created_at: current.created_at,
    updated_at: iso(env.nowMs),
  };
  org.bridges.put(next);
  return next;
}

export function updateBridge(org: OrgState, accountId: string, bridgeId: string, body: UpdateBridgeRequest, env: ModelEnv): BridgeGroupRecord {
  const account = getAccount(org, accountId);
  return replace(org, account, findBridge(org, account, bridgeId), body, env);
}

export function patchBridge(org: OrgState, accountId: string, bridgeId: string, ops: PatchOperation[], check: DocumentCheck<UpdateBridgeRequest>, env: ModelEnv): BridgeGroupRecord {
  const account = getAccount(org, accountId);
  const current = findBridge(org, account, bridgeId);
  const doc = patchDocument(bridgeView(current), ops, check);
  return replace(org, account, current, doc, env);
}

/**
 * bridges_delete (contract §5: "also deletes Tokens and Credentials belonging to the Bridge
 * Group"): the group goes with its agent credential (the only credential a group has in the twin:
 * no credential or RefreshToken can be owned by a group). Integrations whose `bridge_selector`
 * names the group by id keep that selector, now dangling (see removeBridgeCascade).
 */
export function deleteBridge(org: OrgState, accountId: string, bridgeId: string): void {
  removeBridgeCascade(org, getBridge(org, accountId, bridgeId));
}

/** bridges_get_status: one entry per running agent — none ever connects to the twin. */
export function bridgeStatus(org: OrgState, accountId: string, bridgeId: string): [] {
  getBridge(org, accountId, bridgeId);
  return [];
}
