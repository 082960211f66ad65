import type { RunProgress } from '../core/pipeline/run.ts';

const WIDTH = 28;

function duration(seconds: number): string {
  if (seconds < 60) return `${Math.round(seconds)}s`;
  const m = Math.floor(seconds / 60);
  return m < 60 ? `${m}m${String(Math.round(seconds % 60)).padStart(2, '0')}s` : `${Math.floor(m / 60)}h${String(m % 60).padStart(2, '0')}m`;
}

/** A one-line progress bar for a terminal (stderr), redrawn in place. */
export function createProgressPrinter(write: (text: string) => void): (progress: RunProgress | { done: true }) => void {
  let drawn = false;
  return (progress) => {
    if ('done' in progress) {
      if (drawn) write('\n');
      drawn = false;
      return;
    }
    const ratio = progress.candidates ? Math.min(1, progress.scanned / Math.max(1, progress.candidates)) : null;
    const filled = ratio === null ? 0 : Math.round(ratio * WIDTH);
    const bar = ratio === null ? '' : `[${'#'.repeat(filled)}${'-'.repeat(WIDTH - filled)}] ${Math.round(ratio * 100)}% `;
    const eta = progress.etaSeconds !== null ? ` ETA ${duration(progress.etaSeconds)}` : '';
    const line =
      `${bar}${progress.phase}: ${progress.processed} analysed, ${progress.unchanged} unchanged, ` +
      `${progress.skipped} skipped, ${progress.failed} failed (${duration(progress.elapsedSeconds)}${eta})`;
    write(`\r\x1b[2K${line}`);
    drawn = true;
  };
}
