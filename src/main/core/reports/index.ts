import fs from 'node:fs';
import path from 'node:path';
import type { AppContext } from '../app/context.ts';
import { isLocalDate } from '../time/days.ts';
import { writeAtomically } from './atomic-file.ts';
import { exportDailyCsv, exportDetailedCsv, exportSummaryCsv, type CsvJob } from './csv.ts';
import { EXPORT_KINDS, ExportError, type ExportKind, type ExportOptions, type ExportProgress, type ExportRequest, type ExportResult } from './types.ts';

// The one entry for exports: the CLI `export`, the console's Reports screen and the scheduler
// all call exportReport, so a file made at 02:00 by the scheduler is the file a person gets
// from the button. No window, no renderer: plain Node.

export * from './types.ts';
export { buildReportData, type ReportData } from './report-data.ts';

const USER_HASH = /^[0-9a-f]{64}$/;

function validate(request: ExportRequest): void {
  if (!EXPORT_KINDS.includes(request.kind)) throw new ExportError(`Unknown export kind "${String(request.kind)}": use ${EXPORT_KINDS.join(', ')}.`);
  for (const [name, value] of [['from', request.from], ['to', request.to]] as const) {
    if (!isLocalDate(value)) throw new ExportError(`The period's ${name} day must be written YYYY-MM-DD, got "${value}".`);
  }
  if (request.from > request.to) throw new ExportError(`The period starts (${request.from}) after it ends (${request.to}).`);
  if (request.userHash && !USER_HASH.test(request.userHash)) {
    throw new ExportError('The user filter must be the 64-character user hash shown in the console (Users page or a CSV user_hash column).');
  }
  if (!request.out) throw new ExportError('No target file was given for the export.');
}

export async function exportReport(context: AppContext, request: ExportRequest, options: ExportOptions = {}): Promise<ExportResult> {
  validate(request);
  const started = performance.now();
  const out = path.resolve(request.out);
  const report = (p: Omit<ExportProgress, 'kind'>): void => options.onProgress?.({ kind: request.kind, ...p });
  const written = await writeAtomically(out, options.signal, async (file) => {
    if (request.kind === 'pdf') {
      report({ phase: 'rendering', rows: 0, total: null, bytes: 0 });
      // Loaded on demand: echarts and pdfmake cost ~60 MB that a CSV export does not need.
      const { writePdfReport } = await import('./pdf.ts');
      return { rows: undefined, ...(await writePdfReport(context, request, file, { signal: options.signal, now: options.now })) };
    }
    const job: CsvJob = { context, request, file, bom: request.bom ?? context.settings.reports.excelBom, signal: options.signal, progress: report };
    const csv = request.kind === 'summary' ? exportSummaryCsv : request.kind === 'daily' ? exportDailyCsv : exportDetailedCsv;
    return csv(job);
  });
  const bytes = (await fs.promises.stat(out)).size;
  report({ phase: 'done', rows: written.rows ?? 0, total: written.rows ?? null, bytes });
  const result: ExportResult = { path: out, bytes, seconds: Math.round((performance.now() - started) / 10) / 100 };
  if (written.rows !== undefined) result.rows = written.rows;
  return result;
}

/** ASCII, lower case, dashes: "Példa Kft. – Győr" → "pelda-kft-gyor". */
function slug(text: string): string {
  return text
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 60);
}

/**
 * A file name that says what is inside, for scheduled exports into a folder:
 * cogniforce-[organisation-]kind-FROM_TO.csv|pdf. Sorting the folder sorts by kind, then period.
 */
export function reportFileName(kind: ExportKind, from: string, to: string, organisation?: string | null): string {
  const org = organisation ? slug(organisation) : '';
  const label = kind === 'pdf' ? 'report' : kind;
  const extension = kind === 'pdf' ? 'pdf' : 'csv';
  return ['cogniforce', org, label, `${from}_${to}`].filter(Boolean).join('-') + `.${extension}`;
}
