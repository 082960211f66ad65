import { useCallback, useEffect, useMemo, useRef } from 'react';
import { AppInfoCtx } from './lib/app-info.ts';
import { href, navigate, useRoute } from './lib/router.ts';
import { subscribe, transportKind } from './api.ts';
import { lazyPage, usePage, type LazyPage } from './lib/lazy-page.tsx';
import { useApi } from './lib/useApi.ts';
import { ErrorMessage, Loading } from './components/Status.tsx';

// The shell: navigation, the app facts every page needs, first-run setup when nothing is
// configured yet, and pages loaded on demand (charts are only fetched with the dashboard).

const PAGES: Record<string, LazyPage> = {
  dashboard: lazyPage(() => import('./pages/Dashboard.tsx')),
  conversations: lazyPage(() => import('./pages/Conversations.tsx')),
  users: lazyPage(() => import('./pages/Users.tsx')),
  reports: lazyPage(() => import('./pages/Reports.tsx')),
  runs: lazyPage(() => import('./pages/Runs.tsx')),
  schedule: lazyPage(() => import('./pages/Schedule.tsx')),
  health: lazyPage(() => import('./pages/Health.tsx')),
  settings: lazyPage(() => import('./pages/Settings.tsx')),
  setup: lazyPage(() => import('./pages/Setup.tsx')),
};

const NAV = [
  { path: 'dashboard', label: 'Dashboard' },
  { path: 'conversations', label: 'Conversations' },
  { path: 'users', label: 'Users' },
  { path: 'reports', label: 'Reports' },
  { path: 'runs', label: 'Runs' },
  { path: 'schedule', label: 'Schedule' },
  { path: 'health', label: 'Health' },
  { path: 'settings', label: 'Settings' },
] as const;

const TITLES: Record<string, string> = {
  dashboard: 'Dashboard',
  conversations: 'Conversations',
  users: 'Users',
  reports: 'Reports',
  runs: 'Runs',
  schedule: 'Schedule',
  health: 'Health',
  settings: 'Settings',
  setup: 'Set up',
};

function Page({ name }: { name: string }): React.JSX.Element {
  const { Component, failed, retry } = usePage(PAGES[name] ?? PAGES.dashboard!);
  if (Component) return <Component />;
  if (failed) return <ErrorMessage message="This page could not be loaded. Check that the console is still running, then try again." onRetry={retry} />;
  return <Loading />;
}

export default function App(): React.JSX.Element {
  const info = useApi('app.info', {});
  const route = useRoute();
  const mainRef = useRef<HTMLElement>(null);
  const refresh = info.reload;
  const context = useMemo(() => (info.data ? { info: info.data, refresh } : null), [info.data, refresh]);

  // Health and Settings must stay reachable when setup is incomplete (support staff, offline).
  const requested = route.path[0] ?? 'dashboard';
  const needsSetup = info.data !== null && !info.data.setup.complete;
  const page = needsSetup && !['health', 'settings', 'setup'].includes(requested) ? 'setup' : requested in TITLES ? requested : 'dashboard';

  useEffect(() => {
    document.title = `${TITLES[page] ?? 'Dashboard'} · Cogniforce Analytics`;
  }, [page]);

  // The page's code is fetched while the app facts are (before them, the address's own page).
  useEffect(() => {
    PAGES[page]?.load().catch(() => undefined);
  }, [page]);

  // The desktop menu, tray and notifications open a page (only the desktop sends it; in the
  // browser a subscription would open an event stream for nothing).
  useEffect(() => (transportKind === 'ipc' ? subscribe('app.navigate', ({ page: target }) => navigate(target)) : undefined), []);

  const skip = useCallback((event: React.MouseEvent) => {
    event.preventDefault();
    mainRef.current?.focus();
  }, []);

  if (!info.data) {
    return (
      <main className="boot">
        <h1>Cogniforce Analytics</h1>
        {info.error ? <ErrorMessage message={info.error} onRetry={info.reload} /> : <Loading label="Starting the console…" />}
      </main>
    );
  }

  return (
    <AppInfoCtx.Provider value={context}>
      <a className="skip-link" href="#main" onClick={skip}>
        Skip to content
      </a>
      <div className="shell">
        <header className="sidebar">
          <div className="brand">
            <span className="brand-mark" aria-hidden="true">
              ◆
            </span>
            <span>Cogniforce Analytics</span>
          </div>
          <nav aria-label="Main">
            <ul>
              {NAV.map((item) => (
                <li key={item.path}>
                  <a href={href(item.path)} aria-current={page === item.path ? 'page' : undefined}>
                    {item.label}
                  </a>
                </li>
              ))}
            </ul>
          </nav>
          <p className="sidebar-foot">
            v{info.data.version} · {info.data.display.timezone}
          </p>
        </header>
        <main id="main" ref={mainRef} tabIndex={-1}>
          <Page name={page} />
        </main>
      </div>
    </AppInfoCtx.Provider>
  );
}
