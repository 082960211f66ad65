import { describe, expect, test } from 'vitest';
import { reportFileName } from '../../../src/main/core/reports/index.ts';
import { temporaryPathFor } from '../../../src/main/core/reports/atomic-file.ts';
import path from 'node:path';

describe('reportFileName', () => {
  test('names the kind and the period, with the extension of the format', () => {
    expect(reportFileName('detailed', '2026-01-01', '2026-01-31')).toBe('cogniforce-detailed-2026-01-01_2026-01-31.csv');
    expect(reportFileName('summary', '2026-01-01', '2026-01-31')).toBe('cogniforce-summary-2026-01-01_2026-01-31.csv');
    expect(reportFileName('daily', '2026-01-01', '2026-01-31')).toBe('cogniforce-daily-2026-01-01_2026-01-31.csv');
    expect(reportFileName('pdf', '2026-01-01', '2026-01-31')).toBe('cogniforce-report-2026-01-01_2026-01-31.pdf');
  });

  test('the organisation becomes a safe ASCII slug', () => {
    expect(reportFileName('pdf', '2026-01-01', '2026-12-31', 'Példa Kft. – Győr')).toBe('cogniforce-pelda-kft-gyor-report-2026-01-01_2026-12-31.pdf');
    expect(reportFileName('summary', '2026-01-01', '2026-01-01', '../../etc/passwd')).toBe('cogniforce-etc-passwd-summary-2026-01-01_2026-01-01.csv');
    expect(reportFileName('summary', '2026-01-01', '2026-01-01', '  ')).toBe('cogniforce-summary-2026-01-01_2026-01-01.csv');
  });
});

describe('temporary file', () => {
  test('lives hidden beside the target so the final rename stays on one file system', () => {
    const temp = temporaryPathFor('/data/out/report.csv');
    expect(path.dirname(temp)).toBe('/data/out');
    expect(path.basename(temp)).toMatch(/^\.report\.csv\.\d+\.[0-9a-f]{8}\.partial$/);
  });
});
