import { useCallback, useEffect, useRef, useState } from 'react';
import type { Channel } from '../../../shared/channels.ts';
import type { ArgsIn, Result } from '../../../shared/contract.ts';
import { call, messageOf } from '../api.ts';

// Loads a channel's data whenever its arguments change; stale answers (from an older set of
// arguments) are dropped, so quick filter changes never show the wrong figures. While new
// data loads the previous data stays visible (dimmed by the page), which avoids flicker.

export interface Loaded<T> {
  data: T | null;
  error: string | null;
  loading: boolean;
  reload: () => void;
}

interface State<T> {
  /** Which request (arguments + reload count) the data or error belongs to. */
  stamp: string | null;
  data: T | null;
  error: string | null;
}

export function useApi<C extends Channel>(channel: C, args: ArgsIn<C> | null): Loaded<Result<C>> {
  const [state, setState] = useState<State<Result<C>>>({ stamp: null, data: null, error: null });
  const [tick, setTick] = useState(0);
  const key = args === null ? null : JSON.stringify(args);
  const stamp = key === null ? null : `${channel}:${key}#${tick}`;
  const latest = useRef<string | null>(null);

  useEffect(() => {
    if (key === null || stamp === null) return;
    latest.current = stamp;
    const parsed = JSON.parse(key) as ArgsIn<C>;
    (call as (c: C, a: ArgsIn<C>) => Promise<Result<C>>)(channel, parsed).then(
      (data) => {
        if (latest.current === stamp) setState({ stamp, data, error: null });
      },
      (error: unknown) => {
        if (latest.current === stamp) setState((s) => ({ stamp, data: s.data, error: messageOf(error) }));
      },
    );
  }, [channel, key, stamp]);

  const reload = useCallback(() => setTick((t) => t + 1), []);
  const current = state.stamp === stamp;
  return { data: state.data, error: current ? state.error : null, loading: stamp !== null && !current, reload };
}
