// An accessible progress bar: determinate when the total is known, otherwise indeterminate.

export function ProgressBar({ value, max, label }: { value: number; max: number | null; label: string }): React.JSX.Element {
  const ratio = max && max > 0 ? Math.min(1, value / max) : null;
  return (
    <div
      className={`progress${ratio === null ? ' progress-indeterminate' : ''}`}
      role="progressbar"
      aria-label={label}
      aria-valuemin={0}
      aria-valuemax={max ?? undefined}
      aria-valuenow={max ? Math.min(value, max) : undefined}
    >
      <div className="progress-fill" style={{ width: ratio === null ? '30%' : `${Math.round(ratio * 100)}%` }} />
    </div>
  );
}
