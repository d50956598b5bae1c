import { adminApi } from './admin.ts';
import type { ListenerName, Listeners } from './types.ts';

/**
 * Which listener served this page, and where the others are. Synqly pages call the Synqly API and
 * so live on the Synqly listener; Connxio pages on the Connxio listener; the twin's own pages
 * (tenants, journals, faults, clock) on any. Links to another listener's pages are absolute URLs
 * on this page's host name with that listener's port.
 */

let known: Listeners | undefined;

export async function loadListeners(): Promise<Listeners> {
  known = await adminApi.listeners();
  return known;
}

export function listeners(): Listeners | undefined {
  return known;
}

export function currentListener(): ListenerName | undefined {
  return known?.current;
}

/** The origin of a listener as this browser reaches it, or undefined when the twin does not report it. */
export function originOf(name: ListenerName): string | undefined {
  if (known?.current === name) return location.origin;
  const entry = known?.listeners.find((l) => l.name === name);
  if (!entry) return undefined;
  const bound = new URL(entry.url);
  // a twin bound to 0.0.0.0 or reached under another host name: same host as this page, that port
  return `${location.protocol}//${location.hostname}${bound.port ? `:${bound.port}` : ''}`;
}

/** A dashboard path (starting with /__ui) on the given listener: relative when it is this one. */
export function hrefOn(name: ListenerName | undefined, path: string): string {
  if (!name || known?.current === name || !known) return path;
  const origin = originOf(name);
  return origin ? origin + path : path;
}

export const LISTENER_LABEL: Record<ListenerName, string> = {
  synqly: 'Synqly listener',
  connxio: 'Connxio listener',
  custom: 'Connxio Custom API listener',
};
