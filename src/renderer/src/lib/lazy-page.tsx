import { useEffect, useReducer, useState, type ComponentType } from 'react';

// Pages loaded on demand, without Suspense: React 19 keeps a Suspense fallback on screen for up
// to 300 ms before revealing what replaced it, so the first page's calls for its data went out
// that much later than its code had arrived. Here the shell shows its own "Loading" until the
// module is there and renders the page in the next update; it also fetches the address's page
// ahead, alongside its first call.

type PageModule = { default: ComponentType };

export interface LazyPage {
  /** The component once its module has arrived, else null. */
  loaded(): ComponentType | null;
  /** Fetches the module (once; again after a failure). */
  load(): Promise<ComponentType>;
}

export function lazyPage(importModule: () => Promise<PageModule>): LazyPage {
  let component: ComponentType | null = null;
  let pending: Promise<ComponentType> | null = null;
  return {
    loaded: () => component,
    load: () =>
      (pending ??= importModule().then(
        (module) => (component = module.default),
        (error: unknown) => {
          // A chunk that failed (the server went away) is fetched again on the next try.
          pending = null;
          throw error;
        },
      )),
  };
}

export interface PageState {
  Component: ComponentType | null;
  failed: boolean;
  retry: () => void;
}

/** The page's component when its module is there; fetches it when not. */
export function usePage(page: LazyPage): PageState {
  // One counter: bumped when the module arrives (to render it) or on retry (to fetch again).
  const [updates, update] = useReducer((n: number) => n + 1, 0);
  // Which page failed at which update: a retry (the next update) clears it without a setState here.
  const [failure, setFailure] = useState<{ page: LazyPage; at: number } | null>(null);
  const Component = page.loaded();
  useEffect(() => {
    // The rendered value, not page.loaded(): the module may have arrived since this render
    // (the shell fetches it ahead), and then only an update shows it.
    if (Component) return;
    let current = true;
    page.load().then(
      () => current && update(),
      () => current && setFailure({ page, at: updates }),
    );
    return () => {
      current = false;
    };
  }, [page, updates, Component]);
  return { Component, failed: failure?.page === page && failure.at === updates && !Component, retry: update };
}
