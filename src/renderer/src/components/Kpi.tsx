// A dashboard card: one figure, what it is, and (optionally) the figure on the other basis.

export function Kpi({ label, value, detail, testId }: { label: string; value: string; detail?: React.ReactNode; testId?: string }): React.JSX.Element {
  return (
    <div className="kpi" data-testid={testId}>
      <div className="kpi-label">{label}</div>
      <div className="kpi-value">{value}</div>
      {detail && <div className="kpi-detail">{detail}</div>}
    </div>
  );
}
