import { useSyncExternalStore } from 'react';

// A small hash router: `#/page/param?key=value`. Works the same from file:// (desktop) and from
// the loopback server, needs no server-side routes, and keeps filters in the address so the
// back button and drill-down links behave.

export interface Route {
  path: string[];
  query: URLSearchParams;
}

function parse(hash: string): Route {
  const raw = hash.replace(/^#\/?/, '');
  const [pathPart = '', queryPart = ''] = raw.split('?', 2);
  return { path: pathPart.split('/').filter(Boolean).map(decodeURIComponent), query: new URLSearchParams(queryPart) };
}

function subscribeHash(callback: () => void): () => void {
  window.addEventListener('hashchange', callback);
  return () => window.removeEventListener('hashchange', callback);
}

export function useRoute(): Route {
  const hash = useSyncExternalStore(subscribeHash, () => window.location.hash);
  return parse(hash);
}

export function href(path: string, query: Record<string, string | number | undefined | null> = {}): string {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query)) if (value !== undefined && value !== null && value !== '') params.set(key, String(value));
  const q = params.toString();
  return `#/${path.replace(/^\//, '')}${q ? `?${q}` : ''}`;
}

export function navigate(path: string, query: Record<string, string | number | undefined | null> = {}): void {
  window.location.hash = href(path, query);
}

/** Replaces the query of the current page without adding a history entry per keystroke. */
export function replaceQuery(path: string, query: Record<string, string | number | undefined | null>): void {
  const next = href(path, query);
  if (next !== window.location.hash) {
    window.history.replaceState(null, '', next);
    window.dispatchEvent(new HashChangeEvent('hashchange'));
  }
}
