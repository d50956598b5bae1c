import { describe, expect, it } from 'vitest';
import { useTarget } from '../target.ts';
import { connxioSession } from '../support/sessions.ts';
import { expectOperation } from '../support/contract.ts';
import { createIntegration, currentSubscriptionId, integrationBody } from '../support/connxio-management.ts';
import { createIntegration as createApiIntegration, portal } from '../support/connxio-portal.ts';
import { uniqueName } from '../support/resources.ts';

/**
 * The Connxio backend is ASP.NET (contract §1.2): its model binding matches query parameter names
 * whatever their case and reads booleans ignoring case (`True` is what .NET clients write).
 */
const target = await useTarget();

describe.runIf(target.capabilities.writes)('ASP.NET query binding', () => {
  it('get_integration: ReplaceVariables=True and replacevariables=TRUE substitute like replaceVariables=true', async () => {
    const s = await connxioSession(target);
    const subscriptionId = await currentSubscriptionId(s);
    const name = uniqueName('env');
    const variable = await s.put('/v2/environmentvariables').send({ name, defaultValue: 'bound-value' });
    expectOperation(variable, 'create_environment_variable', 200);
    s.defer(() => s.delete(`/v2/environmentvariables/${variable.body.id}`));
    const created = await createIntegration(s, integrationBody(subscriptionId, { receiver: `{env:${name}}` }));
    for (const query of ['ReplaceVariables=True', 'replacevariables=TRUE', 'REPLACEVARIABLES=true']) {
      const res = await s.get(`/v2/integrations/${created.id}?${query}`);
      expectOperation(res, 'get_integration', 200);
      expect(res.body.receiver, query).toBe('bound-value');
    }
    const off = await s.get(`/v2/integrations/${created.id}?ReplaceVariables=False`);
    expectOperation(off, 'get_integration', 200);
    expect(off.body.receiver).toBe(`{env:${name}}`);
  });

  it('send_message: interchangeId, fileName and messageEncoding bind like InterchangeId, FileName and MessageEncoding', async () => {
    const s = await connxioSession(target);
    const id = await createApiIntegration(s);
    const res = await s.post(`/v2/messages/${id}`).query({ interchangeId: 'ic-lower-0001', fileName: 'lower.json', messageencoding: 'ascii' }).send({ a: 1 });
    expectOperation(res, 'send_message', 200);
    if (target.kind !== 'live') expect(res.headers['x-interchange-id']).toBe('ic-lower-0001');
    if (target.capabilities.admin) {
      const [latest] = await portal(target, s).messages({ integrationId: id });
      expect(latest).toMatchObject({ interchangeId: 'ic-lower-0001', fileName: 'lower.json', messageEncoding: 'ascii' });
    }
  });
});
