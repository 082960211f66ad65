// Benchmark: exports over the analytics fixture (bench/fixtures.ts: a million analysed
// conversations over two years, inserted directly, aggregates rebuilt by the store).
//
// As a library (from bench/run.ts): benchExports() runs each export in a child process, so the
// peak RSS printed is the export's own, and measures its reference in the same run:
// - detailed CSV of every row: PostgreSQL writing the same query as CSV itself
//   (COPY (…) TO STDOUT WITH (FORMAT csv)), the bytes dropped — the floor of any CSV export;
// - one-year PDF: the report's queries alone (buildReportData), i.e. what rendering adds.
//
// As a child: node bin/run-ts.mjs bench/exports.ts --kind detailed|pdf --url URL --users FILE --from D --to D --out PATH
// prints one JSON object: rows, seconds, rowsPerSecond, megabytes, peakRssMb (and dataSeconds for the PDF).

import { execFile } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs, promisify } from 'node:util';
import { createAppContext } from '../src/main/core/app/context.ts';
import { defaultSettings } from '../src/main/core/config/settings.ts';
import { DETAILED_COLUMNS } from '../src/main/core/reports/conversation-stream.ts';
import { buildReportData, exportReport, type ExportKind } from '../src/main/core/reports/index.ts';
import { EnvSecretStore } from '../src/main/core/secrets/store.ts';
import { addLocalDays } from '../src/main/core/time/days.ts';
import { BENCH_SALT, ZONE, type AnalyticsFixture } from './fixtures.ts';
import { copyFloor } from './floor.ts';

const exec = promisify(execFile);
export const EXPORT_TARGET = { csvRowsPerSecond: 200_000, csvPeakRssMb: 200, pdfSeconds: 3 } as const;

async function runChild(kind: ExportKind, fixture: AnalyticsFixture, from: string, to: string, out: string): Promise<Record<string, number | null>> {
  const { stdout } = await exec(
    process.execPath,
    ['bin/run-ts.mjs', 'bench/exports.ts', '--kind', kind, '--url', fixture.url, '--users', fixture.usersSource, '--from', from, '--to', to, '--out', out],
    { maxBuffer: 1 << 20 },
  );
  return JSON.parse(stdout.trim().split('\n').pop() ?? '{}') as Record<string, number | null>;
}

export interface ExportBenchFigures {
  detailedCsv: Record<string, unknown>;
  pdf: Record<string, unknown>;
}

export async function benchExports(fixture: AnalyticsFixture, work: string): Promise<ExportBenchFigures> {
  const csv = path.join(work, 'detailed.csv');
  const detailed = await runChild('detailed', fixture, fixture.from, fixture.to, csv);
  fs.rmSync(csv, { force: true });
  // The floor as it always was: the export's cells over the same join and order, names left out.
  const select = `SELECT ${DETAILED_COLUMNS.map((c) => (c.header === 'user' ? 'NULL' : c.sql)).join(', ')}
    FROM conversation_analysis a LEFT JOIN conversation_insights i ON i.conversation_id = a.conversation_id
    WHERE a.analysis_date BETWEEN '${fixture.from}' AND '${fixture.to}' ORDER BY a.analysis_date, a.conversation_id`;
  const floor = await copyFloor(fixture.url, select, 'COPY (the detailed export query) TO STDOUT WITH (FORMAT csv), bytes dropped', 'csv');
  const csvRatio = Math.round(((detailed.seconds ?? 0) / floor.seconds) * 100) / 100;

  const pdfFrom = addLocalDays(fixture.to, -364);
  const pdf = await runChild('pdf', fixture, pdfFrom, fixture.to, path.join(work, 'report.pdf'));
  const { dataSeconds, ...pdfFigures } = pdf;
  return {
    detailedCsv: {
      period: `${fixture.from} … ${fixture.to}`,
      ...detailed,
      reference: floor,
      ratio: csvRatio,
      target: `≥ ${EXPORT_TARGET.csvRowsPerSecond.toLocaleString('en-US')} rows/s, peak RSS ≤ ${EXPORT_TARGET.csvPeakRssMb} MB`,
      pass: (detailed.rowsPerSecond ?? 0) >= EXPORT_TARGET.csvRowsPerSecond && (detailed.peakRssMb ?? Infinity) <= EXPORT_TARGET.csvPeakRssMb,
    },
    pdf: {
      period: `${pdfFrom} … ${fixture.to}`,
      ...pdfFigures,
      reference: { what: "the report's queries alone (buildReportData), same process, after the PDF", seconds: dataSeconds },
      ratio: dataSeconds ? Math.round(((pdf.seconds ?? 0) / dataSeconds) * 10) / 10 : null,
      target: `≤ ${EXPORT_TARGET.pdfSeconds} s`,
      pass: (pdf.seconds ?? Infinity) <= EXPORT_TARGET.pdfSeconds,
    },
  };
}

async function child(): Promise<void> {
  // What the process holds before any work: Node, tsx and the modules loaded (for reading peakRssMb).
  const startRssMb = Math.round(process.memoryUsage().rss / 1_048_576);
  const { values } = parseArgs({
    options: {
      kind: { type: 'string' },
      url: { type: 'string' },
      users: { type: 'string' },
      from: { type: 'string' },
      to: { type: 'string' },
      out: { type: 'string' },
    },
  });
  if (!values.kind || !values.url || !values.users || !values.from || !values.to || !values.out) {
    throw new Error('--kind, --url, --users, --from, --to and --out are required');
  }
  const settings = defaultSettings();
  settings.analytics = { mode: 'url', url: values.url };
  settings.source.url = values.users;
  settings.processing.timezone = ZONE;
  settings.reports.organisationName = 'Példa Kft. – Győr';
  const context = await createAppContext({ settings, dataDir: path.dirname(values.out), secrets: new EnvSecretStore({ ANALYTICS_SALT: BENCH_SALT }), env: {} });
  try {
    await context.analytics();
    const result = await exportReport(context, { kind: values.kind as ExportKind, from: values.from, to: values.to, out: values.out });
    let dataSeconds: number | undefined;
    if (values.kind === 'pdf') {
      const started = performance.now();
      await buildReportData(context, { from: values.from, to: values.to });
      dataSeconds = Math.round((performance.now() - started) / 10) / 100;
    }
    process.stdout.write(
      JSON.stringify({
        rows: result.rows ?? null,
        seconds: result.seconds,
        ...(result.rows !== undefined ? { rowsPerSecond: Math.round(result.rows / result.seconds) } : {}),
        megabytes: Math.round(result.bytes / 1e5) / 10,
        peakRssMb: Math.round(process.resourceUsage().maxRSS / 1024),
      startRssMb,
        ...(dataSeconds !== undefined ? { dataSeconds } : {}),
      }) + '\n',
    );
  } finally {
    await context.close();
  }
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) await child();
