import { useEffect, useState } from 'preact/hooks';
import { adminApi } from '../api/admin.ts';
import { Page } from '../components/page.tsx';
import { usePolling } from '../components/poll.ts';
import { Badge, DataTable, Field, Json, LoadError, Section, shortId, StatusCode, Switch, Time } from '../components/ui.tsx';
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
    <Page title="Webhook deliveries" lead="Events the twin POSTed to Synqly organization webhooks (signed, retried with backoff), with every attempt. Register webhooks with POST /v1/organization/webhooks.">
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
