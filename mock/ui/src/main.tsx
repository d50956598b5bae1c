import { render } from 'preact';
import { useEffect, useRef, useState } from 'preact/hooks';
import { setAdminToken } from './api/admin.ts';
import { HttpError, describeError } from './api/http.ts';
import { hrefOn, LISTENER_LABEL } from './api/listeners.ts';
import type { Tenant, Vendor } from './api/types.ts';
import { ConfirmHost, Link, LiveRegion, Notice } from './components/ui.tsx';
import { Page } from './components/page.tsx';
import { ConnxioApiKeysPage } from './pages/ConnxioApiKeys.tsx';
import { ConnxioCustomApiPage, ConnxioCustomApisPage } from './pages/ConnxioCustomApis.tsx';
import { ConnxioIntegrationsPage } from './pages/ConnxioIntegrations.tsx';
import { FaultsPage } from './pages/Faults.tsx';
import { StubsPage } from './pages/Stubs.tsx';
import { MessagesPage } from './pages/Messages.tsx';
import { RequestsPage } from './pages/Requests.tsx';
import { SynqlyAccountsPage } from './pages/SynqlyAccounts.tsx';
import { SynqlyIntegrationsPage } from './pages/SynqlyIntegrations.tsx';
import { SynqlyMembersPage } from './pages/SynqlyMembers.tsx';
import { SynqlyTokensPage } from './pages/SynqlyTokens.tsx';
import { TenantsPage } from './pages/Tenants.tsx';
import { WebhookDeliveriesPage } from './pages/WebhookDeliveries.tsx';
import { BASE, match, navigate, pathFor, useLocation, type Match, type RouteName } from './router.ts';
import { AppStateProvider, useAppState } from './state.tsx';
import './styles.css';

/** The apitwin dashboard: layout, navigation and the page for the current path. */

function App() {
  const loc = useLocation();
  const m = match(loc.pathname, loc.search);
  const [menuOpen, setMenuOpen] = useState(false);
  const first = useRef(true);

  useEffect(() => {
    if (!m) {
      if (loc.pathname === BASE || loc.pathname === `${BASE}/`) navigate(pathFor('tenants'), { replace: true });
      return;
    }
    document.title = `${m.route.title} · apitwin`;
    setMenuOpen(false);
    if (first.current) {
      first.current = false;
      return;
    }
    // move focus to the new page's heading so screen readers and keyboards start there
    requestAnimationFrame(() => document.querySelector<HTMLElement>('main h1')?.focus());
  }, [loc.pathname]);

  return (
    <>
      <a class="skip-link" href="#main">
        Skip to content
      </a>
      <header class="topbar">
        <button type="button" class="btn menu-toggle" aria-expanded={menuOpen} aria-controls="sidebar" onClick={() => setMenuOpen(!menuOpen)}>
          <span aria-hidden="true">☰</span> Menu
        </button>
        <Link class="brand" href={pathFor('tenants')}>
          apitwin <span class="brand-sub">dashboard</span>
        </Link>
        <ListenerBadge />
      </header>
      <div class="layout">
        <Sidebar open={menuOpen} current={m} />
        <main id="main" tabIndex={-1}>
          <PageFor match={m} pathname={loc.pathname} />
        </main>
      </div>
      <LiveRegion />
      <ConfirmHost />
    </>
  );
}

function ListenerBadge() {
  const { listeners } = useAppState();
  if (!listeners) return null;
  return (
    <p class="listener-badge" data-testid="listener-badge">
      <span class="visually-hidden">Served by the </span>
      {LISTENER_LABEL[listeners.current]}
    </p>
  );
}

interface NavItem {
  route: RouteName;
  label: string;
  vendor?: Vendor;
}

const TWIN_NAV: NavItem[] = [
  { route: 'tenants', label: 'Tenants' },
  { route: 'requests', label: 'Request journal' },
  { route: 'messages', label: 'Message journal' },
  { route: 'webhook-deliveries', label: 'Webhook deliveries' },
  { route: 'faults', label: 'Faults and clock' },
  { route: 'stubs', label: 'Response stubs' },
];
const SYNQLY_NAV: NavItem[] = [
  { route: 'synqly-accounts', label: 'Accounts', vendor: 'synqly' },
  { route: 'synqly-integrations', label: 'Integrations', vendor: 'synqly' },
  { route: 'synqly-tokens', label: 'Tokens', vendor: 'synqly' },
  { route: 'synqly-members', label: 'Members and roles', vendor: 'synqly' },
];
const CONNXIO_NAV: NavItem[] = [
  { route: 'connxio-integrations', label: 'Integrations', vendor: 'connxio' },
  { route: 'connxio-api-keys', label: 'API keys', vendor: 'connxio' },
  { route: 'connxio-custom-apis', label: 'Custom APIs', vendor: 'connxio' },
];

function Sidebar(props: { open: boolean; current: Match | undefined }) {
  const state = useAppState();
  const current = props.current;
  // the tenant in the URL wins; otherwise the last one picked
  useEffect(() => {
    // a tenant page's route is served by its vendor's listener
    const vendor = current?.route.listener as Vendor | undefined;
    if (vendor && current?.params.tenant && state.tenants.some((t) => t.vendor === vendor && t.name === current.params.tenant)) {
      state.select(vendor, current.params.tenant);
    }
  }, [current?.params.tenant, current?.route.name, state.tenants]);

  const item = (it: NavItem) => {
    const tenant = it.vendor ? state.selected(it.vendor) : undefined;
    if (it.vendor && !tenant) {
      return (
        <li>
          <span class="nav-disabled" aria-disabled="true">
            {it.label}
          </span>
        </li>
      );
    }
    const path = pathFor(it.route, tenant ? { tenant: tenant.name } : {});
    const active = current?.route.name === it.route || (it.route === 'connxio-custom-apis' && current?.route.name.startsWith('connxio-custom-api'));
    const href = hrefOn(it.vendor, path);
    return (
      <li>
        <Link href={href} aria-current={active ? 'page' : undefined} class={active ? 'active' : ''}>
          {it.label}
        </Link>
      </li>
    );
  };

  const picker = (vendor: Vendor, label: string) => {
    const options = state.tenants.filter((t) => t.vendor === vendor);
    const chosen = state.selected(vendor);
    if (options.length === 0) return <p class="nav-note">No {label.toLowerCase()} yet</p>;
    return (
      <div class="nav-picker">
        <label for={`pick-${vendor}`}>{label}</label>
        <select
          id={`pick-${vendor}`}
          value={chosen?.name}
          onChange={(e) => {
            const name = e.currentTarget.value;
            state.select(vendor, name);
            if (current?.route.listener === vendor && current.params.tenant) {
              const route = current.route.name === 'connxio-custom-api' || current.route.name === 'connxio-custom-api-new' ? 'connxio-custom-apis' : current.route.name;
              navigate(pathFor(route, { tenant: name }));
            }
          }}
        >
          {options.map((t) => (
            <option value={t.name}>{t.name}</option>
          ))}
        </select>
      </div>
    );
  };

  return (
    <nav id="sidebar" class={`sidebar ${props.open ? 'open' : ''}`} aria-label="Dashboard">
      <h2 class="nav-heading" id="nav-twin">
        Twin
      </h2>
      <ul aria-labelledby="nav-twin">{TWIN_NAV.map(item)}</ul>
      <h2 class="nav-heading" id="nav-synqly">
        Synqly
      </h2>
      {picker('synqly', 'Organization')}
      <ul aria-labelledby="nav-synqly">{SYNQLY_NAV.map(item)}</ul>
      <h2 class="nav-heading" id="nav-connxio">
        Connxio
      </h2>
      {picker('connxio', 'Company')}
      <ul aria-labelledby="nav-connxio">{CONNXIO_NAV.map(item)}</ul>
    </nav>
  );
}

function PageFor(props: { match: Match | undefined; pathname: string }) {
  const state = useAppState();
  const m = props.match;
  if (state.error instanceof HttpError && state.error.status === 401) return <AdminTokenForm />;
  if (state.error) {
    return (
      <Page title="apitwin dashboard">
        <Notice kind="error" title="The control API did not answer">
          <p>{describeError(state.error)}</p>
        </Notice>
      </Page>
    );
  }
  if (!m) {
    if (props.pathname === BASE || props.pathname === `${BASE}/`) return null;
    return (
      <Page title="Page not found">
        <p>
          There is no dashboard page at <code>{props.pathname}</code>. Start at <Link href={pathFor('tenants')}>Tenants</Link>.
        </p>
      </Page>
    );
  }
  switch (m.route.name) {
    case 'tenants':
      return <TenantsPage />;
    case 'requests':
      return <RequestsPage query={m.query} />;
    case 'messages':
      return <MessagesPage query={m.query} />;
    case 'webhook-deliveries':
      return <WebhookDeliveriesPage query={m.query} />;
    case 'faults':
      return <FaultsPage />;
    case 'stubs':
      return <StubsPage query={m.query} />;
    default:
      return <TenantGate match={m} />;
  }
}

function TenantGate(props: { match: Match }) {
  const state = useAppState();
  const { route, params } = props.match;
  const vendor = route.listener as Vendor; // a gated route is served by its vendor's listener
  const noun = vendor === 'synqly' ? 'Synqly organization' : 'Connxio company';
  if (!state.loaded) return <Page title={route.title}>Loading…</Page>;
  if (state.listeners && state.listeners.current !== vendor) {
    const here = location.pathname + location.search;
    const href = hrefOn(vendor, here);
    return (
      <Page title={route.title}>
        <Notice kind="info" title={`This page runs on the ${LISTENER_LABEL[vendor]}`}>
          <p>
            It calls the {vendor === 'synqly' ? 'Synqly Management' : 'Connxio'} API, which this twin serves on another listener than the one this page came from.
          </p>
          {href !== here ? (
            <p>
              <a href={href}>Open {route.title} on the {LISTENER_LABEL[vendor]}</a>
            </p>
          ) : (
            <p>The twin does not report where that listener is (it was not started with `apitwin serve` or startTwin).</p>
          )}
        </Notice>
      </Page>
    );
  }
  const tenant = state.tenants.find((t) => t.vendor === vendor && t.name === params.tenant);
  if (!tenant) {
    return (
      <Page title={route.title}>
        <Notice kind="warning" title={`No ${noun} named "${params.tenant}"`}>
          <p>
            Pick one in the menu, or create one on the <Link href={pathFor('tenants')}>Tenants</Link> page.
          </p>
        </Notice>
      </Page>
    );
  }
  return <TenantPage name={route.name} tenant={tenant} params={params} query={props.match.query} />;
}

function TenantPage(props: { name: RouteName; tenant: Tenant; params: Record<string, string>; query: URLSearchParams }) {
  const { tenant } = props;
  switch (props.name) {
    case 'synqly-accounts':
      return <SynqlyAccountsPage tenant={tenant} />;
    case 'synqly-integrations':
      return <SynqlyIntegrationsPage tenant={tenant} />;
    case 'synqly-tokens':
      return <SynqlyTokensPage tenant={tenant} />;
    case 'synqly-members':
      return <SynqlyMembersPage tenant={tenant} />;
    case 'connxio-integrations':
      return <ConnxioIntegrationsPage tenant={tenant} />;
    case 'connxio-api-keys':
      return <ConnxioApiKeysPage tenant={tenant} />;
    case 'connxio-custom-apis':
      return <ConnxioCustomApisPage tenant={tenant} query={props.query} />;
    case 'connxio-custom-api-new':
      return <ConnxioCustomApiPage tenant={tenant} />;
    case 'connxio-custom-api':
      return <ConnxioCustomApiPage tenant={tenant} id={props.params.id} />;
    default:
      return null;
  }
}

function AdminTokenForm() {
  const [value, setValue] = useState('');
  return (
    <Page title="Admin token needed" lead="This twin is bound to a non-loopback address, so its control API (and this dashboard's data) needs the admin token it was started with (--admin-token).">
      <form
        class="card form"
        onSubmit={(e) => {
          e.preventDefault();
          setAdminToken(value.trim());
          location.reload();
        }}
      >
        <div class="field">
          <label for="admin-token">Admin token</label>
          <input id="admin-token" type="password" autocomplete="off" required value={value} onInput={(e) => setValue(e.currentTarget.value)} />
          <p class="hint">Kept in this browser tab only (sessionStorage), sent as X-Apitwin-Admin-Token.</p>
        </div>
        <button class="btn btn-primary" type="submit">
          Use this token
        </button>
      </form>
    </Page>
  );
}

render(
  <AppStateProvider>
    <App />
  </AppStateProvider>,
  document.getElementById('app')!,
);
