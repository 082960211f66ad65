import { lazy, Suspense, useCallback, useEffect, useMemo, useRef } from 'react';
import { AppInfoCtx } from './lib/app-info.ts';
import { href, navigate, useRoute } from './lib/router.ts';
import { subscribe, transportKind } from './api.ts';
import { useApi } from './lib/useApi.ts';
import { ErrorMessage, Loading } from './components/Status.tsx';

// The shell: navigation, the app facts every page needs, first-run setup when nothing is
// configured yet, and pages loaded on demand (charts are only fetched with the dashboard).

const Dashboard = lazy(() => import('./pages/Dashboard.tsx'));
const Conversations = lazy(() => import('./pages/Conversations.tsx'));
const Users = lazy(() => import('./pages/Users.tsx'));
const Reports = lazy(() => import('./pages/Reports.tsx'));
const Runs = lazy(() => import('./pages/Runs.tsx'));
const Schedule = lazy(() => import('./pages/Schedule.tsx'));
const Health = lazy(() => import('./pages/Health.tsx'));
const Settings = lazy(() => import('./pages/Settings.tsx'));
const Setup = lazy(() => import('./pages/Setup.tsx'));

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
  switch (name) {
    case 'conversations':
      return <Conversations />;
    case 'users':
      return <Users />;
    case 'reports':
      return <Reports />;
    case 'runs':
      return <Runs />;
    case 'schedule':
      return <Schedule />;
    case 'health':
      return <Health />;
    case 'settings':
      return <Settings />;
    case 'setup':
      return <Setup />;
    default:
      return <Dashboard />;
  }
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
          <Suspense fallback={<Loading />}>
            <Page name={page} />
          </Suspense>
        </main>
      </div>
    </AppInfoCtx.Provider>
  );
}
