import { useState } from 'preact/hooks';
import { adminApi } from '../api/admin.ts';
import type { ConnxioCredentials, ConnxioIntegration, ConnxioSubscription, Tenant } from '../api/types.ts';
import { connxio, credentialsFor } from '../api/vendors.ts';
import { Page } from '../components/page.tsx';
import { Badge, confirmAction, DataTable, Field, LoadError, Notice, Section, Switch, Time, useAction, useAsync } from '../components/ui.tsx';

/**
 * Connxio subscriptions and integrations through the Connxio API (key + bearer): the company's
 * subscriptions, and the integrations of the subscription the tenant's key belongs to.
 */

export function uuid(): string {
  if (typeof crypto.randomUUID === 'function') return crypto.randomUUID();
  const b = crypto.getRandomValues(new Uint8Array(16));
  b[6] = (b[6]! & 0x0f) | 0x40;
  b[8] = (b[8]! & 0x3f) | 0x80;
  const h = [...b].map((x) => x.toString(16).padStart(2, '0')).join('');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

export function integrationLabel(i: ConnxioIntegration): string {
  const name = i.description || [i.sender, i.receiver].filter(Boolean).join(' → ') || i.transactionType || i.id;
  return `${name} (${i.id.slice(0, 8)})`;
}

export function isApiTriggered(i: ConnxioIntegration): boolean {
  return (i.inboundConnection?.adapterType ?? '').toLowerCase() === 'api';
}

export function useConnxioOverview(tenant: Tenant) {
  return useAsync(async () => {
    const [subscriptions, current, integrations] = await Promise.all([
      connxio<ConnxioSubscription[]>(tenant, '/v2/subscriptions'),
      connxio<ConnxioSubscription>(tenant, '/v2/subscriptions/current'),
      connxio<ConnxioIntegration[]>(tenant, '/v2/integrations'),
    ]);
    return { subscriptions, current, integrations };
  }, [tenant.id]);
}

export function ConnxioIntegrationsPage(props: { tenant: Tenant }) {
  const { tenant } = props;
  const data = useConnxioOverview(tenant);
  const action = useAction();

  const remove = async (i: ConnxioIntegration) => {
    if (!(await confirmAction(`Delete integration ${i.description ?? i.id}?`, 'The integration is deleted; Custom API routes to it stop working.'))) return;
    const ok = await action.run(() => connxio(tenant, `/v2/integrations/${encodeURIComponent(i.id)}`, { method: 'DELETE' }).then(() => true), 'Integration deleted');
    if (ok) await data.reload();
  };
  const setUseApiKey = async (i: ConnxioIntegration, useApiKey: boolean) => {
    const ok = await action.run(() => adminApi.setUseApiKey(tenant.id, i.id, useApiKey), useApiKey ? 'Messages now need an API key' : 'Messages are accepted without an API key');
    if (ok) await data.reload();
  };

  return (
    <Page title="Connxio integrations" lead={<>Company <strong>{tenant.name}</strong>, through the Connxio API with the company's key and an OAuth bearer.</>}>
      {action.error && <Notice kind="error">{action.error}</Notice>}
      {data.error ? (
        <LoadError error={data.error} what="Subscriptions and integrations" endpoint="GET /v2/integrations" onRetry={data.reload} />
      ) : !data.data ? (
        <p aria-busy="true">Loading…</p>
      ) : (
        <>
          <Section title="Subscriptions">
            <DataTable
              caption="Subscriptions"
              testid="subscriptions"
              rows={data.data.subscriptions}
              rowKey={(s) => s.id}
              empty="No subscriptions."
              columns={[
                { header: 'Name', cell: (s) => <strong>{s.name}</strong> },
                { header: 'Id', cell: (s) => <code>{s.id}</code> },
                { header: 'Active', cell: (s) => (s.active === false ? <Badge tone="off">inactive</Badge> : <Badge tone="ok">active</Badge>) },
                { header: 'Key', cell: (s) => (s.id === data.data!.current.id ? <Badge tone="info">the tenant key's subscription</Badge> : <span class="muted">—</span>) },
              ]}
            />
          </Section>
          <Section title={`Integrations of ${data.data.current.name}`} actions={<button type="button" class="btn btn-small" onClick={data.reload}>Refresh</button>}>
            <DataTable
              caption={`Integrations of subscription ${data.data.current.name}`}
              testid="connxio-integrations"
              rows={data.data.integrations}
              rowKey={(i) => i.id}
              empty="No integrations in this subscription yet. Create an API-triggered one below to target it from a Custom API."
              columns={[
                { header: 'Integration', cell: (i) => <><strong>{i.description || i.transactionType || '(no description)'}</strong><br /><code class="muted small">{i.id}</code></> },
                { header: 'Flow', cell: (i) => [i.sender, i.receiver].filter(Boolean).join(' → ') || <span class="muted">—</span> },
                { header: 'Inbound', cell: (i) => <Badge tone={isApiTriggered(i) ? 'info' : 'neutral'}>{i.inboundConnection?.adapterType ?? 'none'}</Badge> },
                { header: 'Enabled', cell: (i) => (i.enabled === false ? <Badge tone="off">disabled</Badge> : <Badge tone="ok">enabled</Badge>) },
                {
                  header: 'Needs API key',
                  cell: (i) => <Switch checked={i.useApiKey !== false} label={`Messages to ${i.description ?? i.id} need an API key`} onChange={(v) => setUseApiKey(i, v)} />,
                },
                { header: 'Updated', cell: (i) => <Time iso={i.updatedAtUtc ?? i.createdAtUtc ?? undefined} /> },
                {
                  header: 'Actions',
                  class: 'actions-col',
                  cell: (i) => (
                    <button type="button" class="btn btn-small btn-danger" onClick={() => remove(i)} aria-label={`Delete integration ${i.description ?? i.id}`}>
                      Delete
                    </button>
                  ),
                },
              ]}
            />
          </Section>
          <CreateIntegration tenant={tenant} subscriptionId={data.data.current.id} onCreated={data.reload} />
        </>
      )}
    </Page>
  );
}

function CreateIntegration(props: { tenant: Tenant; subscriptionId: string; onCreated: () => Promise<void> }) {
  const [description, setDescription] = useState('');
  const [transactionType, setTransactionType] = useState('Order');
  const [sender, setSender] = useState('Webshop');
  const [receiver, setReceiver] = useState('ERP');
  const [synchronous, setSynchronous] = useState(false);
  const action = useAction();
  return (
    <Section title="New API-triggered integration">
      <p class="hint">
        An integration with the Api inbound adapter (a target for messages and Custom API routes) and one sub-integration that discards the message. Sent as <code>POST /v2/integrations</code>.
      </p>
      <form
        class="form"
        onSubmit={async (e) => {
          e.preventDefault();
          const c = await credentialsFor<ConnxioCredentials>(props.tenant).catch(() => undefined);
          const body = {
            description: description.trim(),
            transactionType: transactionType.trim() || 'Order',
            sender: sender.trim() || null,
            receiver: receiver.trim() || null,
            messageInboundFormat: 'json',
            messageInboundEncoding: 'utf-8',
            subscriptionId: props.subscriptionId ?? c?.api_key_subscription_id,
            enabled: true,
            inboundConnection: {
              adapterType: 'Api',
              adapterName: `${description.trim() || 'api'}-trigger`,
              connectionProperties: synchronous ? JSON.stringify({ useSynchronousCommunication: true, timeoutInSeconds: 40 }) : null,
            },
            subIntegrations: [
              {
                subIntegrationId: uuid(),
                subintegrationName: 'discard',
                transformations: [],
                outboundConnections: [{ adapterType: 'Discard', adapterName: 'void', connectionProperties: null }],
                messageOutboundFormat: 'json',
                messageOutboundEncoding: 'utf-8',
                enabled: true,
              },
            ],
          };
          const ok = await action.run(() => connxio(props.tenant, '/v2/integrations', { method: 'POST', body }), `Integration ${body.description} created`);
          if (ok) {
            setDescription('');
            await props.onCreated();
          }
        }}
      >
        <div class="form-row">
          <Field label="Description">{(id) => <input id={id} required value={description} onInput={(e) => setDescription(e.currentTarget.value)} />}</Field>
          <Field label="Transaction type">{(id) => <input id={id} value={transactionType} onInput={(e) => setTransactionType(e.currentTarget.value)} />}</Field>
          <Field label="Sender">{(id) => <input id={id} value={sender} onInput={(e) => setSender(e.currentTarget.value)} />}</Field>
          <Field label="Receiver">{(id) => <input id={id} value={receiver} onInput={(e) => setReceiver(e.currentTarget.value)} />}</Field>
        </div>
        <label class="checkbox">
          <input type="checkbox" checked={synchronous} onChange={(e) => setSynchronous(e.currentTarget.checked)} /> Synchronous (the caller waits for the sub-integrations' results)
        </label>
        {action.error && <Notice kind="error">{action.error}</Notice>}
        <button type="submit" class="btn btn-primary" disabled={action.busy}>
          Create integration
        </button>
      </form>
    </Section>
  );
}
