import { createContext, useContext, useSyncExternalStore } from 'react';
import type { AppInfo } from '../../../shared/types.ts';
import { DARK_THEME, LIGHT_THEME, type ChartTheme } from '../../../shared/charts/types.ts';

// App-wide facts (version, setup state, display settings) loaded once and refreshed after
// settings change; and the OS colour scheme for charts, which cannot read CSS variables.

export interface AppInfoContext {
  info: AppInfo;
  refresh: () => void;
}

export const AppInfoCtx = createContext<AppInfoContext | null>(null);

export function useAppInfo(): AppInfoContext {
  const value = useContext(AppInfoCtx);
  if (!value) throw new Error('useAppInfo outside the app shell');
  return value;
}

const darkQuery = typeof window !== 'undefined' ? window.matchMedia('(prefers-color-scheme: dark)') : null;

function subscribeScheme(callback: () => void): () => void {
  darkQuery?.addEventListener('change', callback);
  return () => darkQuery?.removeEventListener('change', callback);
}

export function useChartTheme(): ChartTheme {
  const dark = useSyncExternalStore(subscribeScheme, () => darkQuery?.matches ?? false);
  return dark ? DARK_THEME : LIGHT_THEME;
}
