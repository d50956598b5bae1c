import { describe, expect, it } from 'vitest';
import { companyFixture } from '../model-testing.ts';
import { apiKeyView, createApiKey, findKeyByValue, listApiKeys, regenerateApiKey, removeApiKey, setApiKeyActive, updateApiKey } from './model.ts';

const T0 = Date.parse('2026-06-01T08:00:00.000Z');

const setup = () => companyFixture('api-keys-test', T0);

describe('API keys', () => {
  it('creates an active key of one subscription whose value is base64 of 32 bytes, stored only as a hash', async () => {
    const { store, write, test, env } = await setup();
    const { record, key } = await write((c) => createApiKey(c, { name: 'partner', scopes: ['Messaging', 'Messaging', 'Webhook'], subscriptionId: test.id }, env));
    expect(Buffer.from(key, 'base64')).toHaveLength(32);
    expect(record).toMatchObject({ active: true, scopes: ['Messaging', 'Webhook'], subscriptionId: test.id, key_hint: key.slice(-4) });
    expect(JSON.stringify(store.exportDocument())).not.toContain(key);
    expect(JSON.stringify(apiKeyView(record))).not.toContain(record.key_hash);
    expect(findKeyByValue(store.reader, key)?.key.id).toBe(record.id);
  });

  it('refuses no scope, an unknown scope and a foreign subscription, storing nothing', async () => {
    const { write, read, env, test } = await setup();
    await expect(write((c) => createApiKey(c, { name: 'x', scopes: [], subscriptionId: test.id }, env))).rejects.toThrow(/at least one scope/);
    await expect(write((c) => createApiKey(c, { name: 'x', scopes: ['Admin' as never], subscriptionId: test.id }, env))).rejects.toThrow(/unknown scope/);
    await expect(write((c) => createApiKey(c, { name: 'x', scopes: ['Messaging'], subscriptionId: 'elsewhere' }, env))).rejects.toThrow(/does not belong/);
    expect(read().apiKeys.count()).toBe(0);
    expect(read().keyIndex.count()).toBe(0);
  });

  it('edits name and scopes, toggles active, regenerates (old value gone at once) and deletes', async () => {
    const { store, write, read, env, test, prod } = await setup();
    const { record, key } = await write((c) => createApiKey(c, { name: 'ci', scopes: ['Management'], subscriptionId: test.id }, env));
    await write((c) => createApiKey(c, { name: 'prod', scopes: ['Messaging'], subscriptionId: prod.id }, env));
    expect(listApiKeys(read(), { subscriptionId: prod.id }).map((k) => k.name)).toEqual(['prod']);

    const edited = await write((c) => updateApiKey(c, record.id, { name: 'ci-2', scopes: ['Management', 'Webhook'] }, env));
    expect(edited).toMatchObject({ name: 'ci-2', scopes: ['Management', 'Webhook'], subscriptionId: test.id });
    await expect(write((c) => updateApiKey(c, record.id, { scopes: [] }, env))).rejects.toThrow(/at least one scope/);

    expect((await write((c) => setApiKeyActive(c, record.id, false, env))).active).toBe(false);
    expect(findKeyByValue(store.reader, key)?.key.active).toBe(false);
    expect((await write((c) => setApiKeyActive(c, record.id, true, env))).active).toBe(true);

    const regenerated = await write((c) => regenerateApiKey(c, record.id, env));
    expect(regenerated.record.id).toBe(record.id);
    expect(findKeyByValue(store.reader, key)).toBeUndefined();
    expect(findKeyByValue(store.reader, regenerated.key)?.key.name).toBe('ci-2');

    await write((c) => removeApiKey(c, record.id));
    expect(findKeyByValue(store.reader, regenerated.key)).toBeUndefined();
    await expect(write((c) => removeApiKey(c, record.id))).rejects.toMatchObject({ status: 404 });
  });

  it('leaves a custom API\'s key to its custom API (409)', async () => {
    const { write, env, test } = await setup();
    const { record } = await write((c) => createApiKey(c, { name: 'Custom API: x', scopes: ['Messaging.Dynamic'], subscriptionId: test.id, customApiId: 'api-1' }, env));
    await expect(write((c) => updateApiKey(c, record.id, { scopes: ['Messaging'] }, env))).rejects.toMatchObject({ status: 409 });
    await expect(write((c) => setApiKeyActive(c, record.id, false, env))).rejects.toMatchObject({ status: 409 });
    await expect(write((c) => regenerateApiKey(c, record.id, env))).rejects.toMatchObject({ status: 409 });
    await expect(write((c) => removeApiKey(c, record.id))).rejects.toMatchObject({ status: 409 });
  });
});
