import type { HealthReport } from '../core/health/checks.ts';
import type { RunResult } from '../core/pipeline/run.ts';
import type { StatsResult } from '../core/app/operations.ts';

const hours = (minutes: number): string => `${(minutes / 60).toFixed(1)} h`;

export function formatRunResult(result: RunResult): string {
  const lines = [
    `Run #${result.runId} ${result.status} for ${result.from === result.to ? result.from : `${result.from} … ${result.to}`} in ${result.durationSeconds.toFixed(1)} s`,
    `  analysed ${result.processed}, unchanged ${result.unchanged}, skipped ${result.skipped}, failed ${result.failed}` +
      (result.deferred > 0 ? `, left for the next run ${result.deferred}` : ''),
    `  LLM requests ${result.llmRequests}, cost $${result.llmCostUsd.toFixed(4)}`,
  ];
  if (result.resumed.length > 0) lines.push(`  resumed interrupted run(s): ${result.resumed.map((r) => `#${r.runId}`).join(', ')}`);
  if (result.errorMessage) lines.push(`  ${result.errorMessage}`);
  return lines.join('\n');
}

export function formatStats(result: StatsResult, intro?: string): string {
  const t = result.totals;
  const leadEngaged = result.timeBasis === 'engaged';
  const money = (v: number): string => `${v.toLocaleString('en-US', { maximumFractionDigits: 0 })} ${result.currency}`;
  const lines = [
    ...(intro ? [intro, ''] : []),
    `Period ${result.from} … ${result.to}`,
    `  conversations           ${t.conversations}`,
    `  time with AI (engaged)  ${hours(t.engagedMinutes)}${leadEngaged ? '   ← basis' : ''}`,
    `  time with AI (active)   ${hours(t.activeMinutes)}${leadEngaged ? '' : '   ← basis'}`,
    `  manual estimate         ${hours(t.manualMinutes)} (range ${hours(t.manualMinutesLow)} – ${hours(t.manualMinutesHigh)})`,
    `  time saved (engaged)    ${hours(t.timeSavedEngagedMinutes)}  ≈ ${money(result.value.engaged)}`,
    `  time saved (active)     ${hours(t.timeSavedMinutes)}  ≈ ${money(result.value.active)}`,
    `  average confidence      ${t.avgConfidence === null ? '–' : `${Math.round(t.avgConfidence)} / 100`}`,
    `  heuristic estimates     ${t.heuristicShare === null ? '–' : `${Math.round(t.heuristicShare * 100)} %`}`,
    `  LLM cost                $${t.llmCostUsd.toFixed(4)}`,
    'Time saved is an estimate: read it as a range summed over many conversations (see docs/method.md).',
  ];
  return lines.join('\n');
}

export function formatHealth(report: HealthReport): string {
  const mark = { healthy: 'ok  ', degraded: 'WARN', unhealthy: 'FAIL' } as const;
  return [
    `Overall: ${report.overall}`,
    ...report.checks.map((c) => `  ${mark[c.level]} ${c.name.padEnd(13)} ${c.message}${c.latencyMs !== undefined ? ` (${c.latencyMs} ms)` : ''}`),
    `  versions: app ${report.versions.app}, node ${report.versions.node}, processing ${report.versions.processing}`,
    `  time zone ${report.timezone}, idle threshold ${report.idleThresholdMinutes} min`,
  ].join('\n');
}
