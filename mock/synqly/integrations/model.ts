import { errors, underBodyPointer } from '../../core/errors.ts';
import type { JsonRecord } from '../../core/store/document.ts';
import { getAccount } from '../accounts/model.ts';
import { removeIntegrationCascade } from '../cascade.ts';
import { configAtRest, createManagedCredential, credentialReferences, credentialView, type CredentialView } from '../credentials/model.ts';
import { allowsProvider } from '../integrationPoints/model.ts';
import { resolveMappingChains } from '../mappings/references.ts';
import { listRecords, type ListPage, type ListQuery } from '../lists.ts';
import { assertNameFree, deriveName } from '../names.ts';
import { assertSchedules } from '../operations/schedules.ts';
import type { AccountRecord, IntegrationPointRecord, IntegrationRecord, OrgState } from '../state.ts';
import { createStatus } from '../status/model.ts';
import { issueRefreshToken, tokenPairView } from '../tokens/model.ts';
import { iso, type ModelEnv } from '../../core/model-env.ts';
import { assertSameId, patchDocument, type DocumentCheck, type PatchOperation } from '../updates.ts';
import { configWarnings, planConfig, valueAt, withReferences, type ConfigPlan, type Warning } from './config.ts';

/**
 * Integrations (contract §2.5, §3.8, §5): an account's configured connection to one provider.
 * Creating one issues its own RefreshToken (kind `integration`) whose pair is returned once;
 * inline secrets in the provider config become `Managed` credentials owned by the integration and
 * are stored as references; an integration point restricts the providers per account environment
 * and supplies templates; deleting cascades to its tokens, credentials and status.
 */

export interface IntegrationInput {
  name?: string;
  fullname?: string;
  provider_config: JsonRecord & { type: string };
  integration_point_id?: string;
  bridge_selector?: { type: 'id'; value: string } | { type: 'labels'; value: string[] };
  webhook_config?: { provider_key?: string; items: Array<{ webhook_url: string; event_filter?: string[]; integrator_key?: string }> };
  mappings?: JsonRecord[];
  additional_mappings?: JsonRecord[];
  scheduled_operations?: JsonRecord[];
}

export interface UpdateIntegrationRequest extends IntegrationInput {
  id: string;
  name: string;
  fullname: string;
  [key: string]: unknown;
}

/** lifetimes of the integration's own token (twin choices: contract §7 gives 10m for integration tokens) */
export const INTEGRATION_ACCESS_TTL_MS = 10 * 60_000;
export const INTEGRATION_REFRESH_TTL_MS = 24 * 3_600_000;

export const INTEGRATION_FIELDS = [
  'id',
  'name',
  'fullname',
  'account_id',
  'category',
  'provider_type',
  'provider_fullname',
  'provider_config.type',
  'integration_point_id',
  'refresh_token_id',
  'created_at',
  'updated_at',
] as const;

export type IntegrationExpand = 'account' | 'accounts' | 'integration_point' | 'integration_points' | 'all';

const OPTIONAL = ['integration_point_id', 'bridge_selector', 'webhook_config', 'mappings', 'additional_mappings', 'scheduled_operations'] as const;

export function integrationView(i: IntegrationRecord, org?: OrgState, expand: readonly string[] = []) {
  const all = expand.includes('all');
  const withAccount = all || expand.includes('account') || expand.includes('accounts');
  const withPoint = all || expand.includes('integration_point') || expand.includes('integration_points');
  const account = withAccount && org ? org.accounts.get(i.account_id) : undefined;
  const point = withPoint && org && i.integration_point_id ? org.integrationPoints.get(i.integration_point_id) : undefined;
  return { ...i, ...(account ? { account } : {}), ...(point ? { integration_point: point } : {}) };
}

export function findIntegrationIn(org: OrgState, account: AccountRecord, idOrName: string): IntegrationRecord {
  const mine = org.integrations.all().filter((i) => i.account_id === account.id);
  const lower = idOrName.toLowerCase();
  const hit = mine.find((i) => i.id === idOrName) ?? mine.find((i) => i.name.toLowerCase() === lower);
  if (!hit) throw errors.notFound(`integration ${idOrName} not found in account ${account.name}`, { parameter: { id: 'integrationId', location: 'path', value: idOrName } });
  return hit;
}

export function getIntegration(org: OrgState, accountId: string, integrationId: string): IntegrationRecord {
  return findIntegrationIn(org, getAccount(org, accountId), integrationId);
}

function integrationsOf(org: OrgState, account: AccountRecord): IntegrationRecord[] {
  return org.integrations.all().filter((i) => i.account_id === account.id);
}

/** `visible` narrows the integrations to those the caller may see (access.ts visibleIntegrations), before paging and `total` */
export function listIntegrations(
  org: OrgState,
  query: ListQuery & { expand?: string[] },
  accountId?: string,
  visible: (all: IntegrationRecord[]) => IntegrationRecord[] = (all) => all,
): ListPage<ReturnType<typeof integrationView>> {
  const rows = accountId ? integrationsOf(org, getAccount(org, accountId)) : org.integrations.all();
  const page = listRecords(visible(rows), query, { fields: INTEGRATION_FIELDS });
  return { ...page, items: page.items.map((i) => integrationView(i, org, query.expand ?? [])) };
}

// ---- checks shared by create, update, patch and verify

interface Checked {
  plan: ConfigPlan;
  point?: IntegrationPointRecord;
  warnings: Warning[];
  /** the body's references as stored: mapping chains as `<id>:<version>`, an `id` bridge selector by the group's id */
  resolved: Pick<IntegrationInput, 'mappings' | 'bridge_selector'>;
}

function sameSelector(a: unknown, b: unknown): boolean {
  // bridge selectors as the request schema shapes them ({ type, value })
  const x = a as { type?: unknown; value?: unknown } | undefined;
  const y = b as { type?: unknown; value?: unknown } | undefined; // (the same)
  return !!x && !!y && x.type === y.type && x.value === y.value;
}

function resolvePoint(org: OrgState, idOrName: string): IntegrationPointRecord {
  const lower = idOrName.toLowerCase();
  const all = org.integrationPoints.all();
  const point = all.find((p) => p.id === idOrName) ?? all.find((p) => p.name.toLowerCase() === lower);
  if (!point) throw errors.notFound(`integration point ${idOrName} not found`, { parameter: { id: '/integration_point_id', location: 'body', value: idOrName } });
  return point;
}

/**
 * `current` (updates): an allow-list that changed after the integration was made does not block
 * updates that keep its provider and integration point.
 */
function check(org: OrgState, account: AccountRecord, input: IntegrationInput, integrationId: string | undefined, nowMs: number, current?: IntegrationRecord): Checked {
  const point = input.integration_point_id !== undefined ? resolvePoint(org, input.integration_point_id) : undefined;
  const plan = planConfig(org, input.provider_config, { account, integrationId, integrationPointId: point?.id });
  const type = plan.provider.type;
  if (point) {
    if (point.connector !== plan.provider.category) {
      throw errors.badRequest(`integration point ${point.name} is for ${point.connector} providers, not ${type}`, {
        parameter: { id: '/provider_config/type', location: 'body', value: type },
      });
    }
    const unchanged = current?.provider_type === type && current.integration_point_id === point.id;
    if (!unchanged && !allowsProvider(point, account.environment, type)) {
      const allowed = point.environments[account.environment] ?? [];
      throw errors.badRequest(
        `integration point ${point.name} does not allow provider ${type} for ${account.environment} accounts (allowed: ${allowed.length > 0 ? allowed.join(', ') : 'none'})`,
        { parameter: { id: '/provider_config/type', location: 'body', value: type } },
      );
    }
  }
  assertSchedules(input.scheduled_operations, '/scheduled_operations', plan.provider.category, nowMs);
  const warnings = configWarnings(plan, account, nowMs);
  const chains = resolveMappingChains(org, input.mappings, '/mappings', plan.provider.category, type);
  warnings.push(...chains.warnings);
  const resolved: Checked['resolved'] = { ...(chains.chains ? { mappings: chains.chains } : {}) };
  const selector = input.bridge_selector;
  if (selector?.type === 'id') {
    const lower = selector.value.toLowerCase();
    const mine = org.bridges.all().filter((b) => b.account_id === account.id);
    const bridge = mine.find((b) => b.id === selector.value) ?? mine.find((b) => b.name.toLowerCase() === lower);
    if (bridge) {
      resolved.bridge_selector = { type: 'id', value: bridge.id };
    } else if (sameSelector(current?.bridge_selector, selector)) {
      // the group was deleted after the integration chose it (bridges_delete keeps the selector): an update may keep it
      resolved.bridge_selector = { type: 'id', value: selector.value };
    } else {
      throw errors.notFound(`bridge group ${selector.value} not found in account ${account.name}`, {
        parameter: { id: '/bridge_selector/value', location: 'body', value: selector.value },
      });
    }
  } else if (selector?.type === 'labels') {
    const match = org.bridges.all().some((b) => b.account_id === account.id && selector.value.every((l) => (b.labels ?? []).includes(l)));
    if (!match) warnings.push({ message: `no bridge group of account ${account.name} carries the labels ${selector.value.join(', ')}`, pointer: '/bridge_selector/value' });
  }
  return { plan, point, warnings, resolved };
}

/** templates an integration point copies onto a new integration of `providerType` (contract §5) */
function fromTemplates(point: IntegrationPointRecord, providerType: string): Pick<IntegrationInput, 'mappings' | 'additional_mappings' | 'scheduled_operations'> {
  // a template's providers were checked as a list of strings when the point was stored
  const applies = (t: JsonRecord) => ((t.providers as string[] | undefined) ?? []).some((p) => p === '*' || p === providerType);
  const mappings = (point.mappings ?? []).filter(applies).map(({ providers: _p, ...chain }) => structuredClone(chain));
  const additional = (point.additional_mappings ?? []).filter(applies).map(({ providers: _p, mapping_type: _t, ...m }) => structuredClone(m));
  return {
    ...(mappings.length > 0 ? { mappings } : {}),
    ...(additional.length > 0 ? { additional_mappings: additional } : {}),
    ...(point.scheduled_operations?.length ? { scheduled_operations: structuredClone(point.scheduled_operations) } : {}),
  };
}

function withIntegratorKeys(config: IntegrationInput['webhook_config'], env: ModelEnv): IntegrationInput['webhook_config'] {
  if (!config) return undefined;
  return { ...structuredClone(config), items: config.items.map((item) => ({ ...structuredClone(item), integrator_key: item.integrator_key ?? env.random.secret() })) };
}

/**
 * Stores the provider config: inline secrets become Managed credentials of the integration (or
 * update the Managed credential the same field already referred to), Managed credentials it no
 * longer refers to are deleted. Returns the credentials created.
 */
function storeConfig(
  org: OrgState,
  integration: { id: string; name: string },
  input: IntegrationInput['provider_config'],
  plan: ConfigPlan,
  previous: JsonRecord | undefined,
  env: ModelEnv,
): { config: IntegrationRecord['provider_config']; created: CredentialView[] } {
  const created: CredentialView[] = [];
  const replacements = plan.inline.map((secret) => {
    // the pointer found an inline secret in the new config; the stored config holds its reference there
    const before = previous ? (valueAt(previous, secret.pointer) as { type?: string; value?: unknown } | undefined) : undefined;
    const reused = typeof before?.value === 'string' ? org.credentials.get(before.value) : undefined;
    if (reused && reused.managed === 'Managed' && reused.owner_type === 'integration' && reused.owner_id === integration.id) {
      org.credentials.put({ ...reused, config: configAtRest(secret.config, 'integration'), updated_at: iso(env.nowMs) });
      return { pointer: secret.pointer, kind: secret.kind, id: reused.id };
    }
    const credential = createManagedCredential(org, integration, secret.config, secret.pointer.slice(1).replaceAll('/', '.'), env);
    created.push(credentialView(credential));
    return { pointer: secret.pointer, kind: secret.kind, id: credential.id };
  });
  const config = withReferences(input, replacements);
  const referenced = new Set(credentialReferences(config).map((r) => r.id));
  for (const c of org.credentials.all()) {
    if (c.owner_type === 'integration' && c.owner_id === integration.id && c.managed === 'Managed' && !referenced.has(c.id)) org.credentials.delete(c.id);
  }
  return { config, created };
}

function record(base: Pick<IntegrationRecord, 'id' | 'refresh_token_id' | 'account_id' | 'created_at' | 'updated_at'>, name: string, input: IntegrationInput, checked: Checked, config: IntegrationRecord['provider_config']): IntegrationRecord {
  const out: IntegrationRecord = {
    id: base.id,
    name,
    fullname: input.fullname ?? name,
    refresh_token_id: base.refresh_token_id,
    account_id: base.account_id,
    category: checked.plan.provider.category,
    provider_config: config,
    provider_fullname: checked.plan.provider.fullname,
    provider_type: checked.plan.provider.type,
    created_at: base.created_at,
    updated_at: base.updated_at,
  };
  // OPTIONAL names fields the input and the record share; a loop's key cannot pair their two types
  for (const f of OPTIONAL) if (input[f] !== undefined) (out as Record<string, unknown>)[f] = structuredClone(input[f]);
  if (checked.point) out.integration_point_id = checked.point.id;
  return out;
}

export interface Issuer {
  tokenId?: string;
  memberId?: string;
}

export function createIntegration(org: OrgState, accountId: string, input: IntegrationInput, issuer: Issuer, env: ModelEnv) {
  const account = getAccount(org, accountId);
  const id = env.random.uuid();
  const checked = check(org, account, input, id, env.nowMs);
  const name = deriveName(input, id);
  assertNameFree(integrationsOf(org, account), name, 'integration');
  const templated: IntegrationInput = checked.point ? { ...fromTemplates(checked.point, checked.plan.provider.type), ...dropUndefined(input), provider_config: input.provider_config } : input;
  const { record: token, pair } = issueRefreshToken(
    org,
    {
      ownerId: id,
      ownerType: 'integration',
      kind: 'integration',
      tokenType: 'default',
      ttlMs: INTEGRATION_ACCESS_TTL_MS,
      expiresMs: INTEGRATION_REFRESH_TTL_MS,
      name: `${id}-token`,
      ...(issuer.memberId ? { memberId: issuer.memberId } : {}),
      ...(issuer.tokenId ? { parentId: issuer.tokenId } : {}),
    },
    env,
  );
  const { config, created } = storeConfig(org, { id, name }, input.provider_config, checked.plan, undefined, env);
  const now = iso(env.nowMs);
  const integration = record(
    { id, refresh_token_id: token.id, account_id: account.id, created_at: now, updated_at: now },
    name,
    { ...templated, ...checked.resolved, webhook_config: withIntegratorKeys(input.webhook_config, env) },
    checked,
    config,
  );
  org.integrations.put(integration);
  createStatus(org, integration, env.nowMs);
  return { integration, token: tokenPairView(pair), credentials_created: created, warnings: checked.warnings };
}

function dropUndefined<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>; // fromEntries loses the keys' types
}

/** PUT semantics: the writable fields are replaced; id/account/token/timestamps kept; category & provider_* derived. */
function replace(org: OrgState, account: AccountRecord, current: IntegrationRecord, body: UpdateIntegrationRequest, env: ModelEnv) {
  assertSameId(body.id, current.id, 'integration');
  const checked = check(org, account, body, current.id, env.nowMs, current);
  assertNameFree(integrationsOf(org, account), body.name, 'integration', current.id);
  const { config, created } = storeConfig(org, { id: current.id, name: body.name }, body.provider_config, checked.plan, current.provider_config, env);
  // the stored webhook items as the request schema shapes them
  const previousKeys = new Map((current.webhook_config?.items as Array<{ webhook_url: string; integrator_key?: string }> | undefined)?.map((i) => [i.webhook_url, i.integrator_key]) ?? []);
  const webhook = body.webhook_config
    ? { ...body.webhook_config, items: body.webhook_config.items.map((i) => ({ ...i, integrator_key: i.integrator_key ?? previousKeys.get(i.webhook_url) })) }
    : undefined;
  const next = record(
    { id: current.id, refresh_token_id: current.refresh_token_id, account_id: current.account_id, created_at: current.created_at, updated_at: iso(env.nowMs) },
    body.name,
    { ...body, ...checked.resolved, webhook_config: withIntegratorKeys(webhook, env) },
    checked,
    config,
  );
  org.integrations.put(next);
  return { integration: next, credentials_created: created };
}

export function updateIntegration(org: OrgState, accountId: string, integrationId: string, body: UpdateIntegrationRequest, env: ModelEnv) {
  const account = getAccount(org, accountId);
  return replace(org, account, findIntegrationIn(org, account, integrationId), body, env);
}

/** `refresh_token_id` and `account_id` are the server's too: patching them is refused like /id */
export const INTEGRATION_READ_ONLY = ['/refresh_token_id', '/account_id'] as const;

export function patchIntegration(org: OrgState, accountId: string, integrationId: string, ops: PatchOperation[], checkDoc: DocumentCheck<UpdateIntegrationRequest>, env: ModelEnv) {
  const account = getAccount(org, accountId);
  const current = findIntegrationIn(org, account, integrationId);
  const doc = patchDocument(integrationView(current), ops, checkDoc, { extraProtected: INTEGRATION_READ_ONLY });
  return replace(org, account, current, doc, env);
}

export function deleteIntegration(org: OrgState, accountId: string, integrationId: string): void {
  removeIntegrationCascade(org, getIntegration(org, accountId, integrationId));
}

/** the integrations_verify request body: the integration as integrations_create would take it */
export interface VerifyIntegrationRequest {
  integration: IntegrationInput;
}

/**
 * integrations_verify: everything create would check, nothing stored. Problems create would refuse
 * come back as the same error; findings that do not stop a create come back as warnings. Pointers
 * of both are into the verify request body, where the integration sits under `/integration`.
 */
export function verifyIntegration(org: OrgState, accountId: string, request: VerifyIntegrationRequest, nowMs: number): Warning[] {
  const account = getAccount(org, accountId);
  const input = request.integration;
  return underBodyPointer('/integration', () => {
    const checked = check(org, account, input, undefined, nowMs);
    if (input.name !== undefined) {
      const taken = integrationsOf(org, account).some((i) => i.name.toLowerCase() === input.name!.toLowerCase());
      if (taken) checked.warnings.push({ message: `account ${account.name} already has an integration named ${input.name}`, pointer: '/name' });
    }
    return checked.warnings.map((w) => (w.pointer === undefined ? w : { ...w, pointer: `/integration${w.pointer}` }));
  });
}

/**
 * integrations_verify_existing: the stored integration checked as it is (no body) or as if the
 * update in the body (the integrations_update body) were applied. Nothing is saved, no credential
 * is created: errors an update would answer come back as the same error, findings as warnings.
 */
export function verifyExistingIntegration(org: OrgState, accountId: string, integrationId: string, body: UpdateIntegrationRequest | undefined, nowMs: number): Warning[] {
  const account = getAccount(org, accountId);
  const current = findIntegrationIn(org, account, integrationId);
  // no body: the stored integration is checked again as the input it came from (its view has the input's fields)
  if (body === undefined) return check(org, account, integrationView(current) as unknown as IntegrationInput, current.id, nowMs, current).warnings;
  assertSameId(body.id, current.id, 'integration');
  if (body.account_id !== current.account_id) {
    throw errors.badRequest(`account_id ${JSON.stringify(body.account_id)} does not match the account ${account.id} addressed by the path`, {
      parameter: { id: '/account_id', location: 'body', value: body.account_id },
    });
  }
  const checked = check(org, account, body, current.id, nowMs, current);
  assertNameFree(integrationsOf(org, account), body.name, 'integration', current.id);
  return checked.warnings;
}
