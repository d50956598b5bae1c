import { createContext, type ComponentChildren } from 'preact';
import { useCallback, useContext, useEffect, useState } from 'preact/hooks';
import { adminApi } from './api/admin.ts';
import { loadListeners } from './api/listeners.ts';
import type { Listeners, Tenant, Vendor } from './api/types.ts';

/** App-wide state: the listeners, the tenants, and which organization/company the pages show. */

export interface AppState {
  listeners: Listeners | undefined;
  tenants: Tenant[];
  loaded: boolean;
  error: unknown;
  reloadTenants: () => Promise<void>;
  selected: (vendor: Vendor) => Tenant | undefined;
  select: (vendor: Vendor, name: string) => void;
}

const Ctx = createContext<AppState | undefined>(undefined);

const SELECTED = (vendor: Vendor) => `apitwin.selected.${vendor}`;

export function AppStateProvider(props: { children: ComponentChildren }) {
  const [listeners, setListeners] = useState<Listeners | undefined>(undefined);
  const [tenants, setTenants] = useState<Tenant[]>([]);
  const [loaded, setLoaded] = useState(false);
  const [error, setError] = useState<unknown>(undefined);
  const [selection, setSelection] = useState<Record<Vendor, string | null>>({
    synqly: sessionStorage.getItem(SELECTED('synqly')),
    connxio: sessionStorage.getItem(SELECTED('connxio')),
  });

  const reloadTenants = useCallback(async () => {
    try {
      const [l, t] = await Promise.all([loadListeners(), adminApi.tenants()]);
      setListeners(l);
      setTenants(t);
      setError(undefined);
    } catch (err) {
      setError(err);
    } finally {
      setLoaded(true);
    }
  }, []);

  useEffect(() => {
    void reloadTenants();
  }, [reloadTenants]);

  const selected = useCallback(
    (vendor: Vendor) => {
      const ofVendor = tenants.filter((t) => t.vendor === vendor);
      return ofVendor.find((t) => t.name === selection[vendor]) ?? ofVendor[0];
    },
    [tenants, selection],
  );

  const select = useCallback((vendor: Vendor, name: string) => {
    sessionStorage.setItem(SELECTED(vendor), name);
    setSelection((s) => (s[vendor] === name ? s : { ...s, [vendor]: name }));
  }, []);

  return <Ctx.Provider value={{ listeners, tenants, loaded, error, reloadTenants, selected, select }}>{props.children}</Ctx.Provider>;
}

export function useAppState(): AppState {
  const state = useContext(Ctx);
  if (!state) throw new Error('useAppState outside AppStateProvider');
  return state;
}
