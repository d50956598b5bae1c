import { useState } from 'preact/hooks';
import type { SynqlyAccount, SynqlyOrganization, Tenant } from '../api/types.ts';
import { synqly } from '../api/vendors.ts';
import { Page } from '../components/page.tsx';
import { Badge, confirmAction, DataTable, Field, LoadError, Notice, Section, shortId, Time, useAction, useAsync } from '../components/ui.tsx';

/** Synqly accounts of one organization, through the Management API with the organization's token. */

export function SynqlyAccountsPage(props: { tenant: Tenant }) {
  const { tenant } = props;
  const org = useAsync(() => synqly<{ result: SynqlyOrganization }>(tenant, '/v1/organization').then((r) => r.result), [tenant.id]);
  const accounts = useAsync(() => synqly<{ result: SynqlyAccount[] }>(tenant, '/v1/accounts', { query: { limit: 1000, order: 'name' } }).then((r) => r.result), [tenant.id]);
  const action = useAction();

  const remove = async (a: SynqlyAccount) => {
    if (!(await confirmAction(`Delete account ${a.name}?`, `Account "${a.fullname}" and its integrations are deleted.`))) return;
    const ok = await action.run(() => synqly(tenant, `/v1/accounts/${encodeURIComponent(a.id)}`, { method: 'DELETE' }).then(() => true), `Account ${a.name} deleted`);
    if (ok) await accounts.reload();
  };

  return (
    <Page title="Synqly accounts" lead={<>Organization <strong>{tenant.name}</strong>: accounts through <code>GET /v1/accounts</code> with the organization's token.</>}>
      {org.data && (
        <dl class="facts" aria-label="Organization">
          <div>
            <dt>Organization</dt>
            <dd>{org.data.fullname}</dd>
          </div>
          <div>
            <dt>Id</dt>
            <dd>
              <code>{org.data.id}</code>
            </dd>
          </div>
          <div>
            <dt>Type</dt>
            <dd>{org.data.organization_type}</dd>
          </div>
          <div>
            <dt>Created</dt>
            <dd>
              <Time iso={org.data.created_at} />
            </dd>
          </div>
        </dl>
      )}
      {action.error && <Notice kind="error">{action.error}</Notice>}
      <Section title="Accounts">
        {accounts.error ? (
          <LoadError error={accounts.error} what="Accounts" endpoint="GET /v1/accounts" onRetry={accounts.reload} />
        ) : !accounts.data ? (
          <p aria-busy="true">Loading…</p>
        ) : (
          <DataTable
            caption="Accounts"
            testid="accounts"
            rows={accounts.data}
            rowKey={(a) => a.id}
            empty="No accounts yet."
            columns={[
              { header: 'Name', cell: (a) => <strong>{a.name}</strong> },
              { header: 'Full name', cell: (a) => a.fullname },
              { header: 'Environment', cell: (a) => <Badge tone={a.environment === 'prod' ? 'info' : 'neutral'}>{a.environment}</Badge> },
              { header: 'Labels', cell: (a) => (a.labels?.length ? a.labels.map((l) => <Badge>{l}</Badge>) : <span class="muted">—</span>) },
              { header: 'Id', cell: (a) => <code title={a.id}>{shortId(a.id)}</code> },
              { header: 'Created', cell: (a) => <Time iso={a.created_at} /> },
              {
                header: 'Actions',
                class: 'actions-col',
                cell: (a) => (
                  <button type="button" class="btn btn-small btn-danger" onClick={() => remove(a)} aria-label={`Delete account ${a.name}`}>
                    Delete
                  </button>
                ),
              },
            ]}
          />
        )}
      </Section>
      <CreateAccount tenant={tenant} onCreated={accounts.reload} />
    </Page>
  );
}

function CreateAccount(props: { tenant: Tenant; onCreated: () => Promise<void> }) {
  const [fullname, setFullname] = useState('');
  const [name, setName] = useState('');
  const [environment, setEnvironment] = useState('test');
  const [labels, setLabels] = useState('');
  const action = useAction();
  return (
    <Section title="Create an account">
      <form
        class="form"
        onSubmit={async (e) => {
          e.preventDefault();
          const body = {
            fullname: fullname.trim(),
            ...(name.trim() ? { name: name.trim() } : {}),
            environment,
            ...(labels.trim() ? { labels: labels.split(',').map((l) => l.trim()).filter(Boolean) } : {}),
          };
          const ok = await action.run(() => synqly(props.tenant, '/v1/accounts', { method: 'POST', body }), `Account ${body.fullname} created`);
          if (ok) {
            setFullname('');
            setName('');
            setLabels('');
            await props.onCreated();
          }
        }}
      >
        <div class="form-row">
          <Field label="Full name">{(id) => <input id={id} required value={fullname} onInput={(e) => setFullname(e.currentTarget.value)} />}</Field>
          <Field label="Name" hint="Optional; derived from the full name when empty.">
            {(id, hint) => <input id={id} aria-describedby={hint} value={name} onInput={(e) => setName(e.currentTarget.value)} />}
          </Field>
          <Field label="Environment">
            {(id) => (
              <select id={id} value={environment} onChange={(e) => setEnvironment(e.currentTarget.value)}>
                <option value="test">test</option>
                <option value="prod">prod</option>
              </select>
            )}
          </Field>
          <Field label="Labels" hint="Comma separated.">
            {(id, hint) => <input id={id} aria-describedby={hint} value={labels} onInput={(e) => setLabels(e.currentTarget.value)} />}
          </Field>
        </div>
        {action.error && <Notice kind="error">{action.error}</Notice>}
        <button type="submit" class="btn btn-primary" disabled={action.busy}>
          Create account
        </button>
      </form>
    </Section>
  );
}
