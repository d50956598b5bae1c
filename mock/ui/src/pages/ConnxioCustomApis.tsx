import { useEffect, useRef, useState } from 'preact/hooks';
import { adminApi } from '../api/admin.ts';
import { originOf } from '../api/listeners.ts';
import type { ConnxioIntegration, CustomApi, CustomApiRoute, Tenant } from '../api/types.ts';
import { connxio } from '../api/vendors.ts';
import { Page } from '../components/page.tsx';
import { Badge, confirmAction, CopyButton, DataTable, Field, Json, Link, LoadError, Notice, SecretValue, Section, Switch, Time, useAction, useAsync } from '../components/ui.tsx';
import { navigate, pathFor, setQuery } from '../router.ts';
import { knownKeyValues, rememberKeyValue, useSubscriptions } from './ConnxioApiKeys.tsx';
import { integrationLabel, isApiTriggered } from './ConnxioIntegrations.tsx';

/**
 * Connxio Custom APIs (the portal's "APIs" section) through the control API: a title, a summary, a
 * subscription and routes {method, path, integration}; the API's own key (enable/disable, webhook
 * mode, regenerate); delete; the OpenAPI document, viewed and downloaded as JSON.
 */

const METHODS = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'];

export function ConnxioCustomApisPage(props: { tenant: Tenant; query: URLSearchParams }) {
  const { tenant } = props;
  const apis = useAsync(() => adminApi.customApis(tenant.id), [tenant.id]);
  const subs = useSubscriptions(tenant);
  const [q, setQ] = useState(props.query.get('q') ?? '');
  useEffect(() => setQuery({ q }), [q]);
  const needle = q.trim().toLowerCase();
  const rows = (apis.data ?? []).filter(
    (a) =>
      !needle ||
      a.title.toLowerCase().includes(needle) ||
      a.summary.toLowerCase().includes(needle) ||
      a.routes.some((r) => `${r.method} ${r.path}`.toLowerCase().includes(needle) || r.integrationId.toLowerCase().includes(needle)),
  );
  const subName = (id: string) => subs.data?.find((s) => s.id === id)?.name ?? id.slice(0, 8);

  return (
    <Page
      title="Connxio Custom APIs"
      lead={<>Company <strong>{tenant.name}</strong>. Each Custom API maps routes on the Custom API listener to API-triggered integrations; its key selects it.</>}
      actions={
        <Link class="btn btn-primary" href={pathFor('connxio-custom-api-new', { tenant: tenant.name })}>
          New Custom API
        </Link>
      }
    >
      <Section title="Custom APIs">
        <div class="filters" role="search" aria-label="Custom APIs">
          <Field label="Filter" hint="Title, summary, route or integration id.">
            {(id, hint) => <input id={id} type="search" aria-describedby={hint} value={q} onInput={(e) => setQ(e.currentTarget.value)} />}
          </Field>
        </div>
        {apis.error ? (
          <LoadError error={apis.error} what="Custom APIs" endpoint="GET /__admin/connxio/companies/{companyId}/custom-apis" onRetry={apis.reload} />
        ) : !apis.data ? (
          <p aria-busy="true">Loading…</p>
        ) : (
          <>
            <p class="muted small" aria-live="polite">
              {rows.length} of {apis.data.length} Custom APIs
            </p>
            <DataTable
              caption="Custom APIs"
              testid="custom-apis"
              rows={rows}
              rowKey={(a) => a.id}
              empty={apis.data.length ? 'No Custom API matches the filter.' : 'No Custom APIs yet.'}
              columns={[
                { header: 'Title', cell: (a) => <Link href={pathFor('connxio-custom-api', { tenant: tenant.name, id: a.id })}>{a.title}</Link> },
                { header: 'Summary', cell: (a) => a.summary || <span class="muted">—</span> },
                { header: 'Subscription', cell: (a) => subName(a.subscriptionId) },
                {
                  header: 'Routes',
                  cell: (a) => (
                    <ul class="plain-list">
                      {a.routes.map((r) => (
                        <li>
                          <code>
                            {r.method} {r.path}
                          </code>
                        </li>
                      ))}
                    </ul>
                  ),
                },
                { header: 'Key', cell: (a) => <Badge tone={a.keyEnabled ? 'ok' : 'off'}>{a.keyEnabled ? 'enabled' : 'disabled'}</Badge> },
                { header: 'Webhook mode', cell: (a) => (a.webhookMode ? <Badge tone="warn">on</Badge> : <Badge>off</Badge>) },
                { header: 'Updated', cell: (a) => <Time iso={a.updated} /> },
              ]}
            />
          </>
        )}
      </Section>
    </Page>
  );
}

/** One-shot hand-over of a new API's key value from the create form to its page. */
const justCreated = new Map<string, string>();

export function ConnxioCustomApiPage(props: { tenant: Tenant; id?: string }) {
  const { tenant, id } = props;
  const api = useAsync(async () => (id ? adminApi.customApi(tenant.id, id) : undefined), [tenant.id, id]);
  const subs = useSubscriptions(tenant);
  const overview = useAsync(async () => {
    const [current, integrations] = await Promise.all([connxio<{ id: string; name: string }>(tenant, '/v2/subscriptions/current'), connxio<ConnxioIntegration[]>(tenant, '/v2/integrations')]);
    return { current, integrations };
  }, [tenant.id]);

  if (id && api.error) {
    return (
      <Page title="Custom API">
        <LoadError error={api.error} what="This Custom API" endpoint="GET /__admin/connxio/companies/{companyId}/custom-apis/{id}" onRetry={api.reload} />
        <p>
          <Link href={pathFor('connxio-custom-apis', { tenant: tenant.name })}>Back to Custom APIs</Link>
        </p>
      </Page>
    );
  }
  if (id && !api.data) return <Page title="Custom API">Loading…</Page>;
  return (
    <Page title={api.data ? api.data.title : 'New Custom API'} lead={<>Company <strong>{tenant.name}</strong>. <Link href={pathFor('connxio-custom-apis', { tenant: tenant.name })}>All Custom APIs</Link></>}>
      {api.data && <KeySection tenant={tenant} api={api.data} onChange={api.reload} />}
      <Editor
        key={api.data?.id ?? 'new'}
        tenant={tenant}
        api={api.data}
        subscriptions={subs.data ?? []}
        currentSubscription={overview.data?.current}
        integrations={overview.data?.integrations ?? []}
        onSaved={async (saved, keyValue) => {
          if (!api.data) {
            justCreated.set(saved.id, keyValue ?? '');
            if (keyValue) rememberKeyValue(tenant.id, saved.keyId, keyValue);
            navigate(pathFor('connxio-custom-api', { tenant: tenant.name, id: saved.id }));
          } else await api.reload();
        }}
      />
      {api.data && <OpenApiSection tenant={tenant} api={api.data} />}
      {api.data && <DeleteSection tenant={tenant} api={api.data} />}
    </Page>
  );
}

function KeySection(props: { tenant: Tenant; api: CustomApi; onChange: () => Promise<void> }) {
  const { tenant, api } = props;
  const action = useAction();
  const [shown, setShown] = useState<{ value: string; what: string } | undefined>(() => {
    const value = justCreated.get(api.id);
    justCreated.delete(api.id);
    return value ? { value, what: 'Shown once: the twin keeps only a hash. Copy it now.' } : undefined;
  });
  const known = knownKeyValues(tenant.id)[api.keyId];
  const customOrigin = originOf('custom');

  const toggleKey = async (enabled: boolean) => {
    const ok = await action.run(() => adminApi.setCustomApiKeyEnabled(tenant.id, api.id, enabled), `Key ${enabled ? 'enabled' : 'disabled'}`);
    if (ok) await props.onChange();
  };
  const toggleWebhook = async (on: boolean) => {
    const ok = await action.run(() => adminApi.setCustomApiWebhookMode(tenant.id, api.id, on), `Webhook mode ${on ? 'on' : 'off'}`);
    if (ok) await props.onChange();
  };
  const regenerate = async () => {
    if (!(await confirmAction('Regenerate the key?', 'The Custom API gets a new key; the old value is refused (401) at once.', 'Regenerate'))) return;
    const res = await action.run(() => adminApi.regenerateCustomApiKey(tenant.id, api.id), 'Key regenerated');
    if (res) {
      rememberKeyValue(tenant.id, res.keyId, res.key);
      setShown({ value: res.key, what: 'The new value, shown once. The old value no longer works.' });
      await props.onChange();
    }
  };

  return (
    <Section title="API key">
      {action.error && <Notice kind="error">{action.error}</Notice>}
      {shown && <SecretValue label="Custom API key value" value={shown.value} testid="custom-api-key" note={shown.what} />}
      <dl class="facts">
        <div>
          <dt>Key</dt>
          <dd>
            <code>••••{api.keyHint}</code> {api.keyScopes.map((s) => <Badge>{s}</Badge>)} {known && <CopyButton text={known} label="Copy the Custom API key" />}
          </dd>
        </div>
        <div>
          <dt>Base URL</dt>
          <dd>{customOrigin ? <code>{customOrigin}</code> : <span class="muted">the Custom API listener (not reported by this twin)</span>}</dd>
        </div>
      </dl>
      <div class="switches">
        <Switch checked={api.keyEnabled} label="Key enabled" showLabel onChange={toggleKey} testid="key-enabled" />
        <Switch checked={api.webhookMode} label="Webhook mode (key works without a bearer, with Connxio-Api-Webhook: true)" showLabel onChange={toggleWebhook} testid="webhook-mode" />
        <button type="button" class="btn" onClick={regenerate}>
          Regenerate key
        </button>
      </div>
    </Section>
  );
}

interface RouteDraft extends CustomApiRoute {
  uid: number;
}

let uidCounter = 0;

function Editor(props: {
  tenant: Tenant;
  api: CustomApi | undefined;
  subscriptions: Array<{ id: string; name: string }>;
  currentSubscription: { id: string; name: string } | undefined;
  integrations: ConnxioIntegration[];
  onSaved: (api: CustomApi, keyValue?: string) => Promise<void>;
}) {
  const { api } = props;
  const [title, setTitle] = useState(api?.title ?? '');
  const [summary, setSummary] = useState(api?.summary ?? '');
  const [subscriptionId, setSubscriptionId] = useState(api?.subscriptionId ?? '');
  const [routes, setRoutes] = useState<RouteDraft[]>(() => (api?.routes ?? [{ method: 'POST', path: '/', integrationId: '' }]).map((r) => ({ ...r, uid: ++uidCounter })));
  const action = useAction();
  const chosenSub = subscriptionId || props.currentSubscription?.id || props.subscriptions[0]?.id || '';
  const listable = chosenSub === props.currentSubscription?.id;
  const targets = props.integrations.filter(isApiTriggered);

  // after adding or removing a route, focus goes to the new route / the previous one, once rendered
  const focusAfterRender = useRef<string | undefined>(undefined);
  useEffect(() => {
    if (!focusAfterRender.current) return;
    document.getElementById(focusAfterRender.current)?.focus();
    focusAfterRender.current = undefined;
  }, [routes]);
  const update = (uid: number, patch: Partial<CustomApiRoute>) => setRoutes(routes.map((r) => (r.uid === uid ? { ...r, ...patch } : r)));
  const addRoute = () => {
    const uid = ++uidCounter;
    focusAfterRender.current = `route-${uid}-method`;
    setRoutes([...routes, { method: 'POST', path: '/', integrationId: '', uid }]);
  };
  const removeRoute = (uid: number, index: number) => {
    focusAfterRender.current = index > 0 ? `route-${routes[index - 1]!.uid}-method` : 'add-route';
    setRoutes(routes.filter((r) => r.uid !== uid));
  };

  return (
    <Section title={api ? 'Definition' : 'Define the Custom API'}>
      <form
        class="form"
        onSubmit={async (e) => {
          e.preventDefault();
          const body = { title: title.trim(), summary: summary.trim(), routes: routes.map(({ method, path, integrationId }) => ({ method, path: path.trim(), integrationId: integrationId.trim() })) };
          if (api) {
            const saved = await action.run(() => adminApi.updateCustomApi(props.tenant.id, api.id, body), 'Custom API saved');
            if (saved) await props.onSaved(saved);
          } else {
            const created = await action.run(() => adminApi.createCustomApi(props.tenant.id, { ...body, subscriptionId: chosenSub }), `Custom API ${body.title} created`);
            if (created) await props.onSaved(created, created.key);
          }
        }}
      >
        <div class="form-row">
          <Field label="Title">{(id) => <input id={id} required maxLength={200} value={title} onInput={(e) => setTitle(e.currentTarget.value)} />}</Field>
          <Field label="Subscription" hint={api ? 'Fixed once created.' : 'Routes can target its API-triggered integrations.'}>
            {(id, hint) => (
              <select id={id} aria-describedby={hint} value={chosenSub} disabled={Boolean(api)} onChange={(e) => setSubscriptionId(e.currentTarget.value)}>
                {props.subscriptions.map((s) => (
                  <option value={s.id}>{s.name}</option>
                ))}
              </select>
            )}
          </Field>
        </div>
        <Field label="Summary">{(id) => <textarea id={id} rows={2} maxLength={4000} value={summary} onInput={(e) => setSummary(e.currentTarget.value)} />}</Field>
        <fieldset class="routes">
          <legend>Routes</legend>
          {!listable && <p class="hint">The integrations of this subscription are not visible with the tenant's key (it belongs to {props.currentSubscription?.name ?? 'another subscription'}); type integration ids.</p>}
          {listable && targets.length === 0 && (
            <Notice kind="warning">
              This subscription has no API-triggered integration yet. <Link href={pathFor('connxio-integrations', { tenant: props.tenant.name })}>Create one</Link> first.
            </Notice>
          )}
          <ol class="route-list">
            {routes.map((r, i) => (
              <li key={r.uid} class="route-row" data-testid="route-row">
                <div class="field">
                  <label for={`route-${r.uid}-method`}>Method (route {i + 1})</label>
                  <select id={`route-${r.uid}-method`} value={r.method} onChange={(e) => update(r.uid, { method: e.currentTarget.value })}>
                    {METHODS.map((m) => (
                      <option value={m}>{m}</option>
                    ))}
                  </select>
                </div>
                <div class="field grow">
                  <label for={`route-${r.uid}-path`}>Path (route {i + 1})</label>
                  <input id={`route-${r.uid}-path`} required value={r.path} placeholder="/orders/{id}" onInput={(e) => update(r.uid, { path: e.currentTarget.value })} />
                </div>
                <div class="field grow">
                  <label for={`route-${r.uid}-integration`}>Integration (route {i + 1})</label>
                  {listable ? (
                    <select id={`route-${r.uid}-integration`} required value={r.integrationId} onChange={(e) => update(r.uid, { integrationId: e.currentTarget.value })}>
                      <option value="">Choose an integration…</option>
                      {props.integrations.map((it) => (
                        <option value={it.id} disabled={!isApiTriggered(it)}>
                          {integrationLabel(it)}
                          {isApiTriggered(it) ? '' : ` — ${it.inboundConnection?.adapterType ?? 'no'} trigger`}
                        </option>
                      ))}
                      {r.integrationId && !props.integrations.some((it) => it.id === r.integrationId) && <option value={r.integrationId}>{r.integrationId}</option>}
                    </select>
                  ) : (
                    <input id={`route-${r.uid}-integration`} required class="mono" value={r.integrationId} onInput={(e) => update(r.uid, { integrationId: e.currentTarget.value })} />
                  )}
                </div>
                <button type="button" class="btn btn-small btn-danger route-remove" onClick={() => removeRoute(r.uid, i)} aria-label={`Remove route ${i + 1}`}>
                  Remove
                </button>
              </li>
            ))}
          </ol>
          <button type="button" id="add-route" class="btn" onClick={addRoute}>
            Add route
          </button>
        </fieldset>
        {action.error && <Notice kind="error">{action.error}</Notice>}
        <button type="submit" class="btn btn-primary" disabled={action.busy}>
          {api ? 'Save changes' : 'Create Custom API'}
        </button>
      </form>
    </Section>
  );
}

function OpenApiSection(props: { tenant: Tenant; api: CustomApi }) {
  const doc = useAsync(() => adminApi.customApiOpenApi(props.tenant.id, props.api.id), [props.tenant.id, props.api.id, props.api.updated]);
  const download = () => {
    const blob = new Blob([JSON.stringify(doc.data, null, 2)], { type: 'application/json' });
    const url = URL.createObjectURL(blob);
    const a = document.createElement('a');
    a.href = url;
    a.download = `${props.api.title.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '') || 'custom-api'}.openapi.json`;
    document.body.appendChild(a);
    a.click();
    a.remove();
    setTimeout(() => URL.revokeObjectURL(url), 1000);
  };
  // the Custom API's OpenAPI document, as the twin renders it
  const paths = (doc.data?.paths ?? {}) as Record<string, Record<string, { summary?: string }>>;
  return (
    <Section
      title="OpenAPI specification"
      actions={
        doc.data && (
          <button type="button" class="btn btn-small" onClick={download}>
            Download JSON
          </button>
        )
      }
    >
      {doc.error ? (
        <LoadError error={doc.error} what="The OpenAPI document" endpoint="GET /__admin/connxio/companies/{companyId}/custom-apis/{id}/openapi" />
      ) : !doc.data ? (
        <p aria-busy="true">Loading…</p>
      ) : (
        <>
          <ul class="openapi-ops" aria-label="Operations">
            {Object.entries(paths).flatMap(([path, ops]) =>
              Object.entries(ops)
                .filter(([m]) => METHODS.includes(m.toUpperCase()))
                .map(([m, op]) => (
                  <li>
                    <span class={`method method-${m.toLowerCase()}`}>{m.toUpperCase()}</span> <code>{path}</code>{' '}
                    {op.summary && op.summary !== `${m.toUpperCase()} ${path}` && <span class="muted">{op.summary}</span>}
                  </li>
                )),
            )}
          </ul>
          <details>
            <summary>JSON document</summary>
            <Json value={doc.data} label="OpenAPI document" />
          </details>
        </>
      )}
    </Section>
  );
}

function DeleteSection(props: { tenant: Tenant; api: CustomApi }) {
  const action = useAction();
  return (
    <Section title="Delete">
      <p>Deleting the Custom API deletes its key too; calls with it get 401.</p>
      {action.error && <Notice kind="error">{action.error}</Notice>}
      <button
        type="button"
        class="btn btn-danger"
        onClick={async () => {
          if (!(await confirmAction(`Delete ${props.api.title}?`, 'The Custom API and its key are deleted.'))) return;
          const ok = await action.run(() => adminApi.deleteCustomApi(props.tenant.id, props.api.id).then(() => true), `${props.api.title} deleted`);
          if (ok) navigate(pathFor('connxio-custom-apis', { tenant: props.tenant.name }));
        }}
      >
        Delete Custom API
      </button>
    </Section>
  );
}
