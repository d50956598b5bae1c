import { useEffect, useState } from 'preact/hooks';
import { adminApi } from '../api/admin.ts';
import { hrefOn, LISTENER_LABEL } from '../api/listeners.ts';
import type { Tenant } from '../api/types.ts';
import { synqly } from '../api/vendors.ts';
import { Page } from '../components/page.tsx';
import { usePolling } from '../components/poll.ts';
import { Badge, confirmAction, DataTable, Field, Json, LoadError, Notice, Section, shortId, StatusCode, Switch, Time, useAction, useAsync } from '../components/ui.tsx';
import { setQuery } from '../router.ts';
import { useAppState } from '../state.tsx';

/** Synqly organization-webhook deliveries (GET /__admin/synqly/webhook-deliveries) with every attempt. */

const POLL_MS = 2000;

export function WebhookDeliveriesPage(props: { query: URLSearchParams }) {
  const state = useAppState();
  const orgs = state.tenants.filter((t) => t.vendor === 'synqly');
  const [organizationId, setOrganizationId] = useState(props.query.get('organization_id') ?? '');
  const [deliveryState, setDeliveryState] = useState(props.query.get('state') ?? '');
  const [event, setEvent] = useState(props.query.get('event') ?? '');
  const [live, setLive] = useState(props.query.get('live') !== 'off');
  const [selected, setSelected] = useState<string | undefined>(undefined);

  useEffect(() => {
    setQuery({ organization_id: organizationId, state: deliveryState, event, live: live ? undefined : 'off' });
  }, [organizationId, deliveryState, event, live]);
  const { data: deliveries, error } = usePolling(
    () => adminApi.webhookDeliveries({ organization_id: organizationId || undefined, state: deliveryState || undefined, event: event.trim() || undefined, limit: 200 }),
    [organizationId, deliveryState, event],
    { intervalMs: POLL_MS, live, firstDelayMs: 150 },
  );

  const orgName = (id: string) => orgs.find((o) => o.id === id)?.name ?? shortId(id);
  const current = deliveries?.find((d) => d.id === selected);

  return (
    <Page title="Webhook deliveries" lead="Events the twin POSTed to Synqly organization webhooks (signed, retried with backoff), with every attempt. Register webhooks below (POST /v1/organization/webhooks).">
      {orgs.length > 0 && (
        <Section title="Organization webhooks">
          <OrganizationWebhooks orgs={orgs} organizationId={organizationId} />
        </Section>
      )}
      <Section title="Filters">
        <form class="filters" role="search" aria-label="Webhook deliveries" onSubmit={(e) => e.preventDefault()}>
          <div class="form-row">
            <Field label="Organization">
              {(id) => (
                <select id={id} value={organizationId} onChange={(e) => setOrganizationId(e.currentTarget.value)}>
                  <option value="">All</option>
                  {orgs.map((o) => (
                    <option value={o.id}>{o.name}</option>
                  ))}
                </select>
              )}
            </Field>
            <Field label="State">
              {(id) => (
                <select id={id} value={deliveryState} onChange={(e) => setDeliveryState(e.currentTarget.value)}>
                  <option value="">Any</option>
                  <option value="pending">pending</option>
                  <option value="delivered">delivered</option>
                  <option value="failed">failed</option>
                </select>
              )}
            </Field>
            <Field label="Event">{(id) => <input id={id} value={event} placeholder="account_create" onInput={(e) => setEvent(e.currentTarget.value)} />}</Field>
          </div>
          <Switch checked={live} label="Live (refresh every 2 seconds)" showLabel onChange={setLive} />
        </form>
      </Section>
      <Section title="Deliveries">
        {error ? (
          <LoadError error={error} what="Webhook deliveries" endpoint="GET /__admin/synqly/webhook-deliveries" />
        ) : !deliveries ? (
          <p aria-busy="true">Loading…</p>
        ) : (
          <DataTable
            caption="Webhook deliveries, newest first"
            testid="deliveries"
            rows={deliveries}
            rowKey={(d) => d.id}
            empty="No deliveries yet. Register a webhook for the organization; account and integration changes are then delivered to it."
            columns={[
              { header: 'Event', cell: (d) => <strong>{d.event}</strong> },
              { header: 'Organization', cell: (d) => orgName(d.organization_id) },
              { header: 'URL', cell: (d) => <code class="path">{d.url}</code> },
              { header: 'State', cell: (d) => <Badge tone={d.state === 'delivered' ? 'ok' : d.state === 'failed' ? 'off' : 'warn'}>{d.state}</Badge> },
              { header: 'Attempts', cell: (d) => d.attempts.length },
              { header: 'Last status', cell: (d) => (d.attempts.length ? <StatusCode status={d.attempts[d.attempts.length - 1]!.status} /> : <span class="muted">—</span>) },
              { header: 'Created', cell: (d) => <Time iso={d.created_at} /> },
              {
                header: 'Details',
                class: 'actions-col',
                cell: (d) => (
                  <button
                    type="button"
                    class="btn btn-small"
                    aria-label={`Details of the ${d.event} delivery to ${d.url}`}
                    aria-controls="delivery-detail"
                    onClick={() => {
                      setSelected(d.id);
                      requestAnimationFrame(() => document.getElementById('delivery-detail')?.focus());
                    }}
                  >
                    Details
                  </button>
                ),
              },
            ]}
          />
        )}
      </Section>
      {current && (
        <section class="card" id="delivery-detail" tabIndex={-1} aria-labelledby="delivery-detail-title">
          <div class="card-head">
            <h2 id="delivery-detail-title">
              {current.event} to {current.url}
            </h2>
            <button type="button" class="btn btn-small" onClick={() => setSelected(undefined)}>
              Close
            </button>
          </div>
          {current.error && <p class="notice notice-error">{current.error}</p>}
          {current.next_attempt_at && (
            <p>
              Next attempt: <Time iso={current.next_attempt_at} />
            </p>
          )}
          <DataTable
            caption="Attempts"
            captionVisible
            rows={current.attempts}
            rowKey={(a) => String(a.attempt)}
            empty="No attempt yet."
            columns={[
              { header: 'Attempt', cell: (a) => a.attempt },
              { header: 'At', cell: (a) => <Time iso={a.at} /> },
              { header: 'Status', cell: (a) => <StatusCode status={a.status} /> },
              { header: 'Time taken', cell: (a) => `${a.duration_ms} ms` },
              { header: 'Error', cell: (a) => a.error ?? <span class="muted">—</span> },
            ]}
          />
          <h3>Payload</h3>
          <Json value={current.payload} label="Payload" />
        </section>
      )}
    </Page>
  );
}

interface OrganizationWebhook {
  id: string;
  name: string;
  environment: string;
  filters: string[];
  url: string;
  created_at: string;
}

const WEBHOOK_FILTERS = ['all', 'account_create', 'account_delete', 'account_update', 'integration_create', 'integration_delete', 'integration_update', 'operation_complete'] as const;

/**
 * An organization's webhooks through the Synqly API with the organization's token, as a client
 * registers them: GET, POST and DELETE /v1/organization/webhooks.
 */
function OrganizationWebhooks(props: { orgs: Tenant[]; organizationId: string }) {
  const state = useAppState();
  const onSynqly = state.listeners?.current === 'synqly';
  const [tenantId, setTenantId] = useState(props.organizationId || props.orgs[0]?.id || '');
  const tenant = props.orgs.find((o) => o.id === tenantId);
  const hooks = useAsync(async () => (onSynqly && tenant ? (await synqly<{ result: OrganizationWebhook[] }>(tenant, '/v1/organization/webhooks')).result : []), [tenantId, onSynqly]);
  const [name, setName] = useState('');
  const [hookUrl, setHookUrl] = useState('');
  const [secret, setSecret] = useState('');
  const [environment, setEnvironment] = useState('test');
  const [filters, setFilters] = useState<string[]>(['all']);
  const action = useAction();

  useEffect(() => {
    if (props.organizationId) setTenantId(props.organizationId);
  }, [props.organizationId]);

  if (!onSynqly) {
    const href = hrefOn('synqly', location.pathname + location.search);
    return (
      <p class="muted">
        Webhooks are registered through the Synqly API, on the {LISTENER_LABEL.synqly}. {href.startsWith('/') ? null : <a href={href}>Open this page there to register one.</a>}
      </p>
    );
  }
  const remove = async (h: OrganizationWebhook) => {
    if (!tenant || !(await confirmAction(`Delete webhook ${h.name}?`, 'Events are no longer delivered to it.'))) return;
    const ok = await action.run(() => synqly(tenant, `/v1/organization/webhooks/${encodeURIComponent(h.id)}`, { method: 'DELETE' }).then(() => true), `Webhook ${h.name} deleted`);
    if (ok) await hooks.reload();
  };
  return (
    <>
      {action.error && <Notice kind="error">{action.error}</Notice>}
      <div class="form-row">
        <Field label="Organization of the webhooks">
          {(id) => (
            <select id={id} value={tenantId} onChange={(e) => setTenantId(e.currentTarget.value)}>
              {props.orgs.map((o) => (
                <option value={o.id}>{o.name}</option>
              ))}
            </select>
          )}
        </Field>
      </div>
      {hooks.error ? (
        <LoadError error={hooks.error} what="The organization's webhooks" endpoint="GET /v1/organization/webhooks" />
      ) : !hooks.data ? (
        <p aria-busy="true">Loading…</p>
      ) : (
        <DataTable
          caption="Organization webhooks"
          testid="webhooks"
          rows={hooks.data}
          rowKey={(h) => h.id}
          empty="No webhook registered for this organization."
          columns={[
            { header: 'Name', cell: (h) => <strong>{h.name}</strong> },
            { header: 'URL', cell: (h) => <code class="path">{h.url}</code> },
            { header: 'Events', cell: (h) => h.filters.join(', ') },
            { header: 'Environment', cell: (h) => h.environment },
            { header: 'Created', cell: (h) => <Time iso={h.created_at} /> },
            {
              header: 'Actions',
              class: 'actions-col',
              cell: (h) => (
                <button type="button" class="btn btn-small btn-danger" aria-label={`Delete webhook ${h.name}`} onClick={() => remove(h)}>
                  Delete
                </button>
              ),
            },
          ]}
        />
      )}
      <form
        class="form"
        aria-label="Register a webhook"
        onSubmit={async (e) => {
          e.preventDefault();
          if (!tenant) return;
          const body = { name: name.trim() || undefined, url: hookUrl.trim(), secret: { value: secret }, environment, filters };
          const ok = await action.run(() => synqly(tenant, '/v1/organization/webhooks', { method: 'POST', body }).then(() => true), `Webhook registered for ${hookUrl.trim()}`);
          if (ok) {
            setName('');
            setHookUrl('');
            setSecret('');
            setFilters(['all']);
            await hooks.reload();
          }
        }}
      >
        <div class="form-row">
          <Field label="Webhook name">{(id) => <input id={id} value={name} placeholder="my-receiver" onInput={(e) => setName(e.currentTarget.value)} />}</Field>
          <Field label="Delivery URL">{(id) => <input id={id} type="url" required value={hookUrl} placeholder="http://127.0.0.1:9000/hooks" onInput={(e) => setHookUrl(e.currentTarget.value)} />}</Field>
          <Field label="Signing secret">{(id) => <input id={id} type="password" required autoComplete="off" value={secret} onInput={(e) => setSecret(e.currentTarget.value)} />}</Field>
          <Field label="Environment">
            {(id) => (
              <select id={id} value={environment} onChange={(e) => setEnvironment(e.currentTarget.value)}>
                <option value="test">test</option>
                <option value="prod">prod</option>
              </select>
            )}
          </Field>
        </div>
        <fieldset class="checkbox-group">
          <legend>Events</legend>
          {WEBHOOK_FILTERS.map((f) => (
            <label>
              <input type="checkbox" checked={filters.includes(f)} onChange={(e) => setFilters(e.currentTarget.checked ? [...filters, f] : filters.filter((x) => x !== f))} /> {f}
            </label>
          ))}
        </fieldset>
        <div>
          <button type="submit" class="btn btn-primary" disabled={action.busy || filters.length === 0}>
            Register webhook
          </button>
        </div>
      </form>
    </>
  );
}
