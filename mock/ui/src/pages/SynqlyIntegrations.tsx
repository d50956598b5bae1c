import { useState } from 'preact/hooks';
import type { SynqlyAccount, SynqlyIntegration, Tenant } from '../api/types.ts';
import { synqly } from '../api/vendors.ts';
import { Page } from '../components/page.tsx';
import { Badge, confirmAction, DataTable, Field, LoadError, Notice, Section, shortId, Time, useAction, useAsync } from '../components/ui.tsx';

/** Synqly integrations of every account of the organization (GET /v1/integrations). */

export function SynqlyIntegrationsPage(props: { tenant: Tenant }) {
  const { tenant } = props;
  const data = useAsync(async () => {
    const [integrations, accounts] = await Promise.all([
      synqly<{ result: SynqlyIntegration[] }>(tenant, '/v1/integrations', { query: { limit: 1000 } }).then((r) => r.result),
      synqly<{ result: SynqlyAccount[] }>(tenant, '/v1/accounts', { query: { limit: 1000 } }).then((r) => r.result),
    ]);
    return { integrations, accounts: new Map(accounts.map((a) => [a.id, a])) };
  }, [tenant.id]);
  const action = useAction();

  const remove = async (i: SynqlyIntegration) => {
    if (!(await confirmAction(`Delete integration ${i.name}?`, `Integration "${i.fullname}" (${i.provider_fullname}) is deleted with its token.`))) return;
    const ok = await action.run(
      () => synqly(tenant, `/v1/integrations/${encodeURIComponent(i.account_id)}/${encodeURIComponent(i.id)}`, { method: 'DELETE' }).then(() => true),
      `Integration ${i.name} deleted`,
    );
    if (ok) await data.reload();
  };

  return (
    <Page
      title="Synqly integrations"
      lead={
        <>
          Organization <strong>{tenant.name}</strong>: every account's integrations (<code>GET /v1/integrations</code>). Created with <code>POST /v1/integrations/&#123;accountId&#125;</code> and a provider configuration.
        </>
      }
    >
      {action.error && <Notice kind="error">{action.error}</Notice>}
      <Section title="Integrations" actions={<button type="button" class="btn btn-small" onClick={data.reload}>Refresh</button>}>
        {data.error ? (
          <LoadError error={data.error} what="Integrations" endpoint="GET /v1/integrations" onRetry={data.reload} />
        ) : !data.data ? (
          <p aria-busy="true">Loading…</p>
        ) : (
          <DataTable
            caption="Integrations"
            testid="synqly-integrations"
            rows={data.data.integrations}
            rowKey={(i) => i.id}
            empty="No integrations in this organization yet."
            columns={[
              { header: 'Name', cell: (i) => <strong>{i.name}</strong> },
              { header: 'Provider', cell: (i) => <>{i.provider_fullname} <code class="muted">{i.provider_type}</code></> },
              { header: 'Category', cell: (i) => <Badge>{i.category}</Badge> },
              { header: 'Account', cell: (i) => data.data!.accounts.get(i.account_id)?.name ?? <code>{shortId(i.account_id)}</code> },
              { header: 'Created', cell: (i) => <Time iso={i.created_at} /> },
              {
                header: 'Actions',
                class: 'actions-col',
                cell: (i) => (
                  <button type="button" class="btn btn-small btn-danger" onClick={() => remove(i)} aria-label={`Delete integration ${i.name}`}>
                    Delete
                  </button>
                ),
              },
            ]}
          />
        )}
      </Section>
      {data.data && <CreateIntegration tenant={tenant} accounts={[...data.data.accounts.values()]} onCreated={data.reload} />}
    </Page>
  );
}

/** the providers that need no credentials; any other provider id works with its configuration through the API */
const MOCK_PROVIDERS = ['siem_mock_siem', 'ticketing_mock_ticketing', 'storage_mock_storage', 'notifications_mock_notifications', 'chat_mock_chat', 'sink_mock_sink'];

function CreateIntegration(props: { tenant: Tenant; accounts: SynqlyAccount[]; onCreated: () => Promise<void> }) {
  const [accountId, setAccountId] = useState('');
  const [fullname, setFullname] = useState('');
  const [provider, setProvider] = useState(MOCK_PROVIDERS[0]!);
  const action = useAction();
  const chosen = accountId || props.accounts[0]?.id || '';
  return (
    <Section title="Create an integration with a mock provider">
      <p class="hint">Mock providers need no credentials. Other providers take their configuration and credentials through the API.</p>
      <form
        class="form"
        onSubmit={async (e) => {
          e.preventDefault();
          const body = { fullname: fullname.trim(), provider_config: { type: provider } };
          const ok = await action.run(() => synqly(props.tenant, `/v1/integrations/${encodeURIComponent(chosen)}`, { method: 'POST', body }), `Integration ${body.fullname} created`);
          if (ok) {
            setFullname('');
            await props.onCreated();
          }
        }}
      >
        <div class="form-row">
          <Field label="Account">
            {(id) => (
              <select id={id} required value={chosen} onChange={(e) => setAccountId(e.currentTarget.value)}>
                {props.accounts.map((a) => (
                  <option value={a.id}>{a.name}</option>
                ))}
              </select>
            )}
          </Field>
          <Field label="Full name">{(id) => <input id={id} required value={fullname} onInput={(e) => setFullname(e.currentTarget.value)} />}</Field>
          <Field label="Provider">
            {(id) => (
              <select id={id} value={provider} onChange={(e) => setProvider(e.currentTarget.value)}>
                {MOCK_PROVIDERS.map((p) => (
                  <option value={p}>{p}</option>
                ))}
              </select>
            )}
          </Field>
        </div>
        {action.error && <Notice kind="error">{action.error}</Notice>}
        <button type="submit" class="btn btn-primary" disabled={action.busy || !chosen}>
          Create integration
        </button>
      </form>
    </Section>
  );
}
