import { describe, expect, it } from 'vitest';
import { useTarget } from '../target.ts';
import { synqlySession } from '../support/sessions.ts';
import { expectOperation, expectProblem } from '../support/contract.ts';
import { uniqueName } from '../support/resources.ts';
import { jiraConfig } from '../support/synqly-resources.ts';

const target = await useTarget();

/**
 * accounts_delete cascades (DECISIONS "cascades"): account → integration point → integration with
 * an inline secret → its Managed credential → its token; deleting the account removes the
 * integration, its credentials and its token.
 */
describe('accounts_delete cascade', () => {
  it.runIf(target.kind !== 'live')('removes the integration, its credentials and its token with the account', async () => {
    const s = await synqlySession(target);
    const accountRes = await s.post('/v1/accounts').send({ name: uniqueName('cascade'), environment: 'test' });
    expectOperation(accountRes, 'accounts_create', 200);
    const account = accountRes.body.result.account;
    s.defer(() => s.delete(`/v1/accounts/${account.id}`));

    const pointRes = await s.post('/v1/integration-points').send({ name: uniqueName('point'), connector: 'ticketing', environments: { test: ['ticketing_jira'] } });
    expectOperation(pointRes, 'integrationPoints_create', 200);
    const point = pointRes.body.result;
    s.defer(() => s.delete(`/v1/integration-points/${point.id}`));

    const secret = uniqueName('pw');
    const created = await s.post(`/v1/integrations/${account.id}`).send({ name: uniqueName('jira'), integration_point_id: point.id, provider_config: jiraConfig(secret) });
    expectOperation(created, 'integrations_create', 200);
    const { integration, token, credentials_created: credentials } = created.body.result;
    expect(credentials).toHaveLength(1);
    const credential = credentials[0];

    const accountCred = await s.post(`/v1/credentials/${account.id}`).send({ name: uniqueName('acct-cred'), config: { type: 'token', secret: uniqueName('t') } });
    expectOperation(accountCred, 'credentials_create', 200);

    // before: everything is there, and the integration token is a live (integration-kind) token
    expectOperation(await s.get(`/v1/integrations/${account.id}/${integration.id}`), 'integrations_get', 200);
    expectOperation(await s.get(`/v1/credentials/${integration.id}/${credential.id}`), 'credentials_get', 200);
    expectOperation(await s.get(`/v1/credentials/lookup/${accountCred.body.result.id}`), 'credentials_lookup', 200);
    // both its secrets resolve (to an integration token, which the Management API refuses as such)
    for (const secret of [token.access.secret, token.refresh.secret]) {
      const before = await target.synqly.get('/v1/accounts').set('authorization', `Bearer ${secret}`);
      expectProblem(before, 'accounts_list', 401);
      expect(before.body.message).toContain('cannot call the Management API');
    }
    expectOperation(await s.get(`/v1/tokens/${integration.refresh_token_id}/info`), 'tokens_get', 200);

    expectOperation(await s.delete(`/v1/accounts/${account.id}`), 'accounts_delete', 204);

    expectProblem(await s.get(`/v1/accounts/${account.id}`), 'accounts_get', 404);
    expectProblem(await s.get(`/v1/integrations/${account.id}/${integration.id}`), 'integrations_get', 404);
    expectProblem(await s.get(`/v1/credentials/${integration.id}/${credential.id}`), 'credentials_get', 404);
    expectProblem(await s.get(`/v1/credentials/lookup/${credential.id}`), 'credentials_lookup', 404);
    expectProblem(await s.get(`/v1/credentials/lookup/${accountCred.body.result.id}`), 'credentials_lookup', 404);
    const listed = await s.get('/v1/integrations').query({ filter: `id[eq]${integration.id}` });
    expectOperation(listed, 'integrations_list', 200);
    expect(listed.body.result).toEqual([]);

    // the token is gone: neither secret resolves at all (not even as a revoked token), the record is gone
    for (const secret of [token.access.secret, token.refresh.secret]) {
      const after = await target.synqly.get('/v1/accounts').set('authorization', `Bearer ${secret}`);
      expectProblem(after, 'accounts_list', 401);
      expect(after.body.message).toBe('the token is not valid');
    }
    const refreshed = await target.synqly.put(`/v1/tokens/${integration.refresh_token_id}/refresh`).set('authorization', `Bearer ${token.refresh.secret}`);
    expectProblem(refreshed, 'tokens_refresh', 401);
    expect(refreshed.body.message).toBe('the token is not valid');
    expectProblem(await s.get(`/v1/tokens/${integration.refresh_token_id}/info`), 'tokens_get', 404);

    // the integration point outlives the account and is free to go now
    expectOperation(await s.get(`/v1/integration-points/${point.id}`), 'integrationPoints_get', 200);
    expectOperation(await s.delete(`/v1/integration-points/${point.id}`), 'integrationPoints_delete', 204);
  });
});
