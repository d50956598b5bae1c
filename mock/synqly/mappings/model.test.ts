import { describe, expect, it } from 'vitest';
import { ApiError } from '../../core/errors.ts';
import { createRandom } from '../../core/random.ts';
import { Store } from '../../core/store/store.ts';
import { createOrganization } from '../organization/model.ts';
import { orgState } from '../state.ts';
import { evaluateProgram } from './language.ts';
import { createIntegrationPoint, deleteIntegrationPoint } from '../integrationPoints/model.ts';
import { createIntegration, updateIntegration, type UpdateIntegrationRequest } from '../integrations/model.ts';
import { apiError, orgFixture, rejected } from '../model-testing.ts';
import { applyMappings, createMapping, deleteMapping, getMapping, listMappings, mappingView, updateMapping, type UpdateMappingRequest } from './model.ts';
import { resolveMappingChains } from './references.ts';

const T0 = Date.parse('2026-03-01T10:00:00Z');

async function setup() {
  const store = await Store.open();
  const env = { nowMs: T0, random: createRandom(3) };
  const { organization } = await store.transact((tx) => createOrganization(tx, { name: 'acme' }, env));
  const org = () => orgState(store.reader, organization.id);
  const write = <R>(fn: (o: ReturnType<typeof orgState>) => R) => store.transact((tx) => fn(orgState(tx, organization.id)));
  return { store, env, organization, org, write };
}

async function rejection(p: Promise<unknown>): Promise<ApiError> {
  try {
    await p;
  } catch (err) {
    if (err instanceof ApiError) return err;
    throw err;
  }
  throw new Error('expected an ApiError');
}

describe('mappings CRUD', () => {
  it('creates, lists without data, gets with data, updates and deletes', async () => {
    const { write, env, org, organization } = await setup();
    const m = await write((o) => createMapping(o, { fullname: 'Jira Sprint', data: '{"sprint": fields.customfield_10020}' }, env));
    expect(m).toMatchObject({ name: 'jira-sprint', organization_id: organization.id, data: '{"sprint": fields.customfield_10020}' });
    const listed = listMappings(org(), { total: true });
    expect(listed.total).toBe(1);
    expect(listed.items[0]).not.toHaveProperty('data');
    expect(getMapping(org(), 'JIRA-SPRINT').data).toBe(m.data);
    const body: UpdateMappingRequest = { ...m, fullname: 'Sprint', data: '{"s": fields.customfield_10020}', organization_id: 'forged' };
    const next = await write((o) => updateMapping(o, m.id, body, { nowMs: T0 + 5, random: env.random }));
    expect(next).toMatchObject({ fullname: 'Sprint', data: '{"s": fields.customfield_10020}', organization_id: organization.id, created_at: m.created_at });
    await write((o) => deleteMapping(o, 'jira-sprint'));
    expect(apiError(() => getMapping(org(), m.id)).status).toBe(404);
  });

  it('refuses a program that does not parse (400 at /data) and stores nothing', async () => {
    const { env, org, write } = await setup();
    const err = apiError(() => createMapping(org(), { name: 'broken', data: '{"a": fields.' }, env));
    expect(err).toMatchObject({ status: 400, details: { parameter: { id: '/data', location: 'body' } } });
    expect(err.message).toMatch(/JSONata/);
    const ok = await write((o) => createMapping(o, { name: 'ok', data: '$' }, env));
    expect(apiError(() => updateMapping(org(), 'ok', { ...ok, data: '(((' }, env)).status).toBe(400);
    expect(getMapping(org(), 'ok').data).toBe('$');
  });

  it('answers 409 for a duplicate name', async () => {
    const { env, write, org } = await setup();
    await write((o) => createMapping(o, { name: 'dup', data: '$' }, env));
    expect(apiError(() => createMapping(org(), { name: 'dup', data: '$' }, env)).status).toBe(409);
  });
});

describe('applyMappings', () => {
  it('runs the listed mappings in order, each over the previous result', async () => {
    const { env, write, org } = await setup();
    await write((o) => createMapping(o, { name: 'pick', data: '{"title": fields.summary, "sprint": fields.customfield_10020, "labels": fields.labels}' }, env));
    await write((o) => createMapping(o, { name: 'shout', data: '$merge([$, {"title": $uppercase(title), "label_count": $count(labels)}])' }, env));
    const input = { fields: { summary: 'fix login', customfield_10020: 'Sprint 42', labels: ['a', 'b'] } };
    const out = await applyMappings(org(), { mappings: ['pick', 'shout'], data: input }, {}, env);
    expect(out).toEqual({ title: 'FIX LOGIN', sprint: 'Sprint 42', labels: ['a', 'b'], label_count: 2 });
    const reversed = await applyMappings(org(), { mappings: ['shout', 'pick'], data: { title: 'x', labels: [], fields: { summary: 's' } } }, {}, env);
    expect(reversed).toEqual({ title: 's' });
  });

  it('adds the input as raw_data (a JSON string) with include_raw_data', async () => {
    const { env, write, org } = await setup();
    await write((o) => createMapping(o, { name: 'id', data: '{"id": id}' }, env));
    const out = await applyMappings(org(), { mappings: ['id'], data: { id: 7, other: true } }, { includeRawData: true }, env);
    expect(out).toEqual({ id: 7, raw_data: '{"id":7,"other":true}' });
  });

  it('answers 404 naming the position of an unknown mapping, before evaluating anything', async () => {
    const { env, write, org } = await setup();
    await write((o) => createMapping(o, { name: 'id', data: '{"id": id}' }, env));
    const err = await rejection(applyMappings(org(), { mappings: ['id', 'ghost'], data: {} }, {}, env));
    expect(err).toMatchObject({ status: 404, details: { parameter: { id: '/mappings/1', location: 'body' } } });
  });

  it('answers 400 when a mapping yields no object or fails at run time', async () => {
    const { env, write, org } = await setup();
    await write((o) => createMapping(o, { name: 'scalar', data: 'fields.summary' }, env));
    await write((o) => createMapping(o, { name: 'missing', data: 'nothing.here' }, env));
    await write((o) => createMapping(o, { name: 'typeerr', data: '{"x": 1 + "a"}' }, env));
    await write((o) => createMapping(o, { name: 'forever', data: '($f := function($n){ $f($n + 1) }; $f(0))' }, env));
    const data = { fields: { summary: 's' } };
    expect((await rejection(applyMappings(org(), { mappings: ['scalar'], data }, {}, env))).message).toMatch(/produced a string/);
    expect((await rejection(applyMappings(org(), { mappings: ['missing'], data }, {}, env))).message).toMatch(/produced nothing/);
    expect((await rejection(applyMappings(org(), { mappings: ['typeerr'], data }, {}, env))).message).toMatch(/mapping typeerr failed/);
    const forever = await rejection(applyMappings(org(), { mappings: ['forever'], data }, {}, env));
    expect(forever).toMatchObject({ status: 400 });
    expect(forever.message).toMatch(/D101[12]/);
  });
});

describe('mapping versions and references', () => {
  it('starts at version 1 and counts changes of data only; every version stays applicable', async () => {
    const { env, write, org } = await setup();
    const m = await write((o) => createMapping(o, { name: 'tag', data: '{"v": "one"}' }, env));
    expect(m.version).toBe(1);
    expect(mappingView(m)).not.toHaveProperty('version');
    const renamed = await write((o) => updateMapping(o, 'tag', { ...m, fullname: 'Tag' }, env));
    expect(renamed.version).toBe(1);
    const v2 = await write((o) => updateMapping(o, 'tag', { ...renamed, data: '{"v": "two"}' }, env));
    expect(v2.version).toBe(2);
    expect(listMappings(org(), {}).items[0]).not.toHaveProperty('version');
    expect((await rejection(Promise.resolve().then(() => listMappings(org(), { filter: ['version[eq]2'] })))).status).toBe(400);
    const run = (ref: string) => applyMappings(org(), { mappings: [ref], data: {} }, {}, env);
    expect(await run('tag')).toEqual({ v: 'two' });
    expect(await run('tag:2')).toEqual({ v: 'two' });
    expect(await run('tag:1')).toEqual({ v: 'one' });
    expect(await run(`${m.id}:1`)).toEqual({ v: 'one' });
    expect(await rejection(run('tag:3'))).toMatchObject({ status: 404, details: { parameter: { id: '/mappings/0', location: 'body', value: 'tag:3' } } });
    for (const bad of ['tag:0', 'tag:x', 'tag:', 'tag:latest', ':1']) expect((await rejection(run(bad))).status).toBe(400);
    expect((await rejection(run('ghost:1'))).status).toBe(404);
  });

  it('chains need `{id or name}:{version}` of an existing version and operations of the connector; stored by id', async () => {
    const { write, env, org } = await orgFixture();
    const m = await write((o) => createMapping(o, { name: 'tag', data: '$' }, env));
    const refs = (mappings: string[], operation_ids = ['siem_query_events']) => [{ mappings, operation_ids }];
    expect(resolveMappingChains(org(), refs(['TAG:1', `${m.id}:1`]), '/mappings', 'siem').chains).toEqual(refs([`${m.id}:1`, `${m.id}:1`]));
    const cases: Array<[string[], string[], number, string]> = [
      [['tag'], ['siem_query_events'], 400, '/mappings/0/mappings/0'],
      [['tag:latest'], ['siem_query_events'], 400, '/mappings/0/mappings/0'],
      [['tag:2'], ['siem_query_events'], 404, '/mappings/0/mappings/0'],
      [['tag:1', 'nosuch:1'], ['siem_query_events'], 404, '/mappings/0/mappings/1'],
      [['tag:1'], ['siem_query_events', 'nosuch_op'], 400, '/mappings/0/operation_ids/1'],
      [['tag:1'], ['ticketing_query_tickets'], 400, '/mappings/0/operation_ids/0'],
    ];
    for (const [mappings, ops, status, pointer] of cases) {
      expect(apiError(() => resolveMappingChains(org(), refs(mappings, ops), '/mappings', 'siem'))).toMatchObject({ status, details: { parameter: { id: pointer, location: 'body' } } });
    }
    // an operation of the connector the provider does not support is a warning, not an error
    const { warnings } = resolveMappingChains(org(), refs(['tag:1'], ['vulnerabilities_query_scans']), '/mappings', 'vulnerabilities', 'vulnerabilities_wiz');
    expect(warnings).toEqual([{ message: expect.stringMatching(/vulnerabilities_wiz does not support vulnerabilities_query_scans/), pointer: '/mappings/0/operation_ids/0' }]);
  });

  it('integrations and integration points store resolved chains; a referenced mapping cannot be deleted (409)', async () => {
    const { write, env, org, store } = await orgFixture();
    const m = await write((o) => createMapping(o, { name: 'tag', data: '{"v": 1}' }, env));
    await write((o) => updateMapping(o, 'tag', { ...m, data: '{"v": 2}' }, env));
    const created = await write((o) =>
      createIntegration(o, 'acme-prod', { name: 'i', provider_config: { type: 'siem_mock_siem' }, mappings: [{ mappings: ['tag:1'], operation_ids: ['siem_query_events'] }] }, {}, env),
    );
    expect(created.integration.mappings).toEqual([{ mappings: [`${m.id}:1`], operation_ids: ['siem_query_events'] }]);
    const bad = await rejected(store, () =>
      write((o) => createIntegration(o, 'acme-prod', { name: 'j', provider_config: { type: 'siem_mock_siem' }, mappings: [{ mappings: ['nosuch:1'], operation_ids: ['siem_query_events'] }] }, {}, env)),
    );
    expect(bad).toMatchObject({ status: 404, details: { parameter: { id: '/mappings/0/mappings/0' } } });
    expect((await rejected(store, () => write((o) => deleteMapping(o, 'tag')))).status).toBe(409);
    await write((o) => updateIntegration(o, 'acme-prod', 'i', { ...(created.integration as unknown as UpdateIntegrationRequest), mappings: undefined }, env));
    const point = await write((o) =>
      createIntegrationPoint(o, { name: 'p', connector: 'siem', environments: { prod: ['*'] }, mappings: [{ mappings: ['tag:2'], operation_ids: ['siem_query_events'], providers: ['*'] }] }, env),
    );
    expect(point.mappings).toEqual([{ mappings: [`${m.id}:2`], operation_ids: ['siem_query_events'], providers: ['*'] }]);
    expect((await rejected(store, () => write((o) => deleteMapping(o, m.id)))).message).toMatch(/integration point p/);
    await write((o) => deleteIntegrationPoint(o, 'p'));
    await write((o) => deleteMapping(o, 'tag'));
    expect(org().mappings.all()).toEqual([]);
    expect(org().mappingVersions.all()).toEqual([]);
  });
});

describe('the mapping language is deterministic', () => {
  it('reads the twin clock for $now/$millis and the seeded generator for $random', async () => {
    const run = (seed: number) => evaluateProgram('{"now": $now(), "ms": $millis(), "r": $random(), "s": $shuffle([1,2,3,4,5])}', {}, { nowMs: T0, random: createRandom(seed) });
    const a = (await run(11)) as Record<string, unknown>;
    const b = (await run(11)) as Record<string, unknown>;
    expect(a).toEqual(b);
    expect(a.now).toBe('2026-03-01T10:00:00.000Z');
    expect(a.ms).toBe(T0);
    expect(typeof a.r).toBe('number');
    expect([...(a.s as number[])].sort()).toEqual([1, 2, 3, 4, 5]);
    expect(await run(12)).not.toEqual(a);
    expect(await evaluateProgram('$now("[Y0001]-[M01]-[D01]")', {}, { nowMs: T0, random: createRandom(1) })).toBe('2026-03-01');
  });
});
