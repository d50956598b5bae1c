import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { createIntegration, updateIntegration, type UpdateIntegrationRequest } from '../integrations/model.ts';
import { apiError, orgFixture, rejected } from '../model-testing.ts';
import { bridgeStatus, bridgeView, createBridge, deleteBridge, getBridge, listBridges, patchBridge, updateBridge, type UpdateBridgeRequest } from './model.ts';

const noCheck = () => undefined;

describe('createBridge', () => {
  it('returns the group and a JWT-shaped agent credential, of which only the hash is stored', async () => {
    const { write, env, org, prod, organization } = await orgFixture();
    const { bridge, credential } = await write((o) => createBridge(o, 'acme-prod', { fullname: 'EU DC', labels: ['dc:eu'] }, env));
    expect(bridge).toMatchObject({ name: 'eu-dc', fullname: 'EU DC', labels: ['dc:eu'] });
    expect(bridge).not.toHaveProperty('credential_hash');
    const [header, payload, signature] = credential.split('.');
    expect(JSON.parse(Buffer.from(header!, 'base64url').toString())).toEqual({ alg: 'HS256', typ: 'JWT' });
    expect(JSON.parse(Buffer.from(payload!, 'base64url').toString())).toMatchObject({ sub: bridge.id, acct: prod.id, org: organization.id });
    expect(Buffer.from(signature!, 'base64url')).toHaveLength(32);
    const stored = org().bridges.get(bridge.id)!;
    expect(stored.credential_hash).toBe(createHash('sha256').update(credential).digest('hex'));
    expect(JSON.stringify(org().bridges.all())).not.toContain(credential);
  });

  it('scopes names and lookups to the account', async () => {
    const { write, env, org, store } = await orgFixture();
    const { bridge } = await write((o) => createBridge(o, 'acme-prod', { name: 'dc1' }, env));
    await write((o) => createBridge(o, 'acme-test', { name: 'dc1' }, env));
    expect((await rejected(store, () => write((o) => createBridge(o, 'acme-prod', { name: 'dc1' }, env)))).status).toBe(409);
    expect(getBridge(org(), 'acme-prod', 'dc1').id).toBe(bridge.id);
    expect(apiError(() => getBridge(org(), 'acme-test', bridge.id)).status).toBe(404);
    expect(listBridges(org(), 'acme-prod', { total: true }).total).toBe(1);
    expect(apiError(() => listBridges(org(), 'ghost', {})).status).toBe(404);
  });
});

describe('update, patch, delete, status', () => {
  it('PUT/PATCH replace the writable fields and keep the credential hash', async () => {
    const { write, env, org } = await orgFixture();
    const { bridge } = await write((o) => createBridge(o, 'acme-prod', { name: 'dc1', labels: ['a'] }, env));
    const hash = org().bridges.get(bridge.id)!.credential_hash;
    const updated = await write((o) => updateBridge(o, 'acme-prod', 'dc1', { ...(bridge as UpdateBridgeRequest), description: 'Frankfurt', labels: undefined }, env));
    expect(bridgeView(updated)).toMatchObject({ description: 'Frankfurt' });
    expect(updated).not.toHaveProperty('labels');
    const patched = await write((o) => patchBridge(o, 'acme-prod', 'dc1', [{ op: 'add', path: '/labels', value: ['b'] }], noCheck, env));
    expect(patched).toMatchObject({ labels: ['b'], description: 'Frankfurt', credential_hash: hash });
  });

  it('DELETE succeeds while an integration routes through the group: the agent credential goes, the selector stays (dangling)', async () => {
    const { write, env, org, store } = await orgFixture();
    const { bridge } = await write((o) => createBridge(o, 'acme-prod', { name: 'dc1' }, env));
    await write((o) => createBridge(o, 'acme-prod', { name: 'dc2' }, env));
    // a selector naming the group by name is stored with its id
    const i = await write((o) => createIntegration(o, 'acme-prod', { name: 'm', bridge_selector: { type: 'id', value: 'DC1' }, provider_config: { type: 'ticketing_mock_ticketing' } }, {}, env));
    expect(i.integration.bridge_selector).toEqual({ type: 'id', value: bridge.id });
    await write((o) => deleteBridge(o, 'acme-prod', 'dc1'));
    expect(org().bridges.get(bridge.id)).toBeUndefined();
    expect(JSON.stringify(org().bridges.all())).not.toContain(bridge.id);
    expect(org().integrations.get(i.integration.id)!.bridge_selector).toEqual({ type: 'id', value: bridge.id });
    // an update that keeps the dangling selector is accepted; a new selector must name a live group
    const kept = await write((o) => updateIntegration(o, 'acme-prod', 'm', { ...(i.integration as unknown as UpdateIntegrationRequest), fullname: 'kept' }, env));
    expect(kept.integration).toMatchObject({ fullname: 'kept', bridge_selector: { type: 'id', value: bridge.id } });
    const other = await rejected(store, () => write((o) => updateIntegration(o, 'acme-prod', 'm', { ...(i.integration as unknown as UpdateIntegrationRequest), bridge_selector: { type: 'id', value: 'dc1' } }, env)));
    expect(other).toMatchObject({ status: 404, details: { parameter: { id: '/bridge_selector/value' } } });
    const moved = await write((o) => updateIntegration(o, 'acme-prod', 'm', { ...(i.integration as unknown as UpdateIntegrationRequest), bridge_selector: { type: 'id', value: 'dc2' } }, env));
    expect(moved.integration.bridge_selector).toEqual({ type: 'id', value: getBridge(org(), 'acme-prod', 'dc2').id });
  });

  it('status lists no running agents, and 404s for an unknown group', async () => {
    const { write, env, org } = await orgFixture();
    await write((o) => createBridge(o, 'acme-prod', { name: 'dc1' }, env));
    expect(bridgeStatus(org(), 'acme-prod', 'dc1')).toEqual([]);
    expect(apiError(() => bridgeStatus(org(), 'acme-prod', 'dc2')).status).toBe(404);
  });
});
