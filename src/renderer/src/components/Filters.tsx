import { useId } from 'react';
import type { TimeBasis } from '../../../shared/types.ts';
import { useApi } from '../lib/useApi.ts';
import { addDays } from '../lib/format.ts';

// The period and user filters shared by Dashboard and Conversations.

export const PRESETS = [7, 30, 90, 365] as const;

export interface Period {
  from: string;
  to: string;
}

export function presetPeriod(days: number, today: string): Period {
  return { from: addDays(today, -(days - 1)), to: today };
}

/** The period and user a page keeps in its address; the last 30 days when none is given. */
export function periodFromQuery(query: URLSearchParams, today: string): Period & { user: string | undefined } {
  const fallback = presetPeriod(30, today);
  return { from: query.get('from') ?? fallback.from, to: query.get('to') ?? fallback.to, user: query.get('user') ?? undefined };
}

export function PeriodPicker({ period, today, onChange }: { period: Period; today: string; onChange: (p: Period) => void }): React.JSX.Element {
  const id = useId();
  const active = PRESETS.find((d) => period.to === today && period.from === addDays(today, -(d - 1)));
  return (
    <fieldset className="period">
      <legend>Period</legend>
      <div className="segmented" role="group" aria-label="Period presets">
        {PRESETS.map((days) => (
          <button key={days} type="button" aria-pressed={active === days} onClick={() => onChange(presetPeriod(days, today))}>
            {days === 365 ? '1 year' : `${days} days`}
          </button>
        ))}
      </div>
      <label htmlFor={`${id}-from`}>From</label>
      <input id={`${id}-from`} type="date" value={period.from} max={period.to} onChange={(e) => e.target.value && onChange({ ...period, from: e.target.value })} />
      <label htmlFor={`${id}-to`}>To</label>
      <input id={`${id}-to`} type="date" value={period.to} min={period.from} onChange={(e) => e.target.value && onChange({ ...period, to: e.target.value })} />
    </fieldset>
  );
}

export function UserSelect({ value, onChange, label = 'User' }: { value: string | undefined; onChange: (hash: string | undefined) => void; label?: string }): React.JSX.Element {
  const id = useId();
  const users = useApi('users.list', { page: 0, pageSize: 500, sort: 'timeSavedEngaged', direction: 'desc' });
  const rows = users.data?.rows ?? [];
  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      <select id={id} value={value ?? ''} onChange={(e) => onChange(e.target.value || undefined)} disabled={users.loading && !users.data}>
        <option value="">Everyone</option>
        {value && !rows.some((u) => u.userHash === value) && <option value={value}>user {value.slice(0, 8)}</option>}
        {rows.map((u) => (
          <option key={u.userHash} value={u.userHash}>
            {u.label}
          </option>
        ))}
      </select>
    </div>
  );
}

export function basisLabel(basis: TimeBasis): string {
  return basis === 'engaged' ? 'engaged time' : 'active time';
}
