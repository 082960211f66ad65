import fs from 'node:fs';
import type { Content, ContentTable, TDocumentDefinitions } from 'pdfmake/interfaces';
import type { AppContext } from '../app/context.ts';
import { daysBetween } from '../time/days.ts';
import { APP_VERSION } from '../version.ts';
import { LIGHT_THEME, type ChartOption, categoriesOption, categoryLabel, trendOption, withAiTimeOption } from '../../../shared/charts/index.ts';
import { renderChartSvg } from './charts-svg.ts';
import { FONT_FAMILY, pdfMaker } from './fonts.ts';
import { methodNotes } from './method-notes.ts';
import { generatedAtText, hoursText, integer, minutesText, moneyText, percentText, usdText } from './pdf-format.ts';
import { buildReportData, type ReportData } from './report-data.ts';
import { money, type TimeBasis } from './figures.ts';
import { ExportCancelledError, type ExportRequest } from './types.ts';

// The PDF report: title, organisation, period and filters, KPI cards, the daily trend with its
// low–high band, time with AI, top users, task categories, models and the method notes.
// A4 portrait; charts are the console's option builders drawn to SVG (charts-svg.ts).

const PAGE_MARGINS: [number, number, number, number] = [40, 48, 40, 48];
/** A4 width (595 pt) minus the side margins. */
const CONTENT_WIDTH = 515;
/** Charts are drawn wider than the page and scaled down, so 12 px chart text prints at ~9 pt. */
const CHART_PIXELS_WIDE = 700;
const MUTED = '#5b6472';
const CARD_FILL = '#f2f4f8';
const RULE = '#d9dde4';

const BASIS_NAME: Record<TimeBasis, string> = { engaged: 'engaged time', active: 'active time' };
const other = (basis: TimeBasis): TimeBasis => (basis === 'engaged' ? 'active' : 'engaged');

/**
 * Print adjustments on top of the console's option, leaving the builders untouched: the legend
 * moves to the right so it cannot cover the y axis name, and the grid keeps room on the right
 * for the last date label (the console can scroll; paper cannot).
 */
function forPrint(option: ChartOption): ChartOption {
  const legend = option.legend && !Array.isArray(option.legend) ? { ...option.legend, left: 'auto', right: 0 } : option.legend;
  const grid = option.grid && !Array.isArray(option.grid) ? { ...option.grid, right: 36 } : option.grid;
  return { ...option, legend, grid };
}

function chart(svgOption: ChartOption, heightPixels: number): Content {
  const svg = renderChartSvg(forPrint(svgOption), { width: CHART_PIXELS_WIDE, height: heightPixels });
  return { svg, width: CONTENT_WIDTH, height: (heightPixels * CONTENT_WIDTH) / CHART_PIXELS_WIDE };
}

function heading(text: string): Content {
  return { text, style: 'h2', margin: [0, 14, 0, 6] };
}

function card(label: string, value: string, sub: string): Content {
  return {
    table: {
      widths: ['*'],
      body: [
        [
          {
            stack: [
              { text: label, fontSize: 8, color: MUTED },
              { text: value, fontSize: 17, bold: true, margin: [0, 3, 0, 2] },
              { text: sub, fontSize: 8, color: MUTED },
            ],
            fillColor: CARD_FILL,
            margin: [8, 7, 8, 7],
          },
        ],
      ],
    },
    layout: 'noBorders',
  };
}

function cards(data: ReportData): Content {
  const s = data.summary;
  const lead = data.basis;
  const saved = (b: TimeBasis): number => (b === 'engaged' ? s.timeSavedEngagedMinutes : s.timeSavedMinutes);
  const avg = (b: TimeBasis): number | null => (b === 'engaged' ? s.avgTimeSavedEngagedPerConversation : s.avgTimeSavedPerConversation);
  const range = data.range[lead];
  const row = (items: Content[]): Content => ({ columns: items, columnGap: 8, margin: [0, 0, 0, 8] });
  return {
    stack: [
      row([
        card(`Time saved (${BASIS_NAME[lead]})`, hoursText(saved(lead)), `range ${hoursText(range.low)} – ${hoursText(range.high)}`),
        card(`Time saved (${BASIS_NAME[other(lead)]})`, hoursText(saved(other(lead))), `range ${hoursText(data.range[other(lead)].low)} – ${hoursText(data.range[other(lead)].high)}`),
        card('Conversations', integer(s.conversations), `${integer(s.messages)} messages · ${integer(s.activeDays)} active days`),
      ]),
      row([
        card('Average saved per conversation', minutesText(avg(lead)), `${minutesText(avg(other(lead)))} on ${BASIS_NAME[other(lead)]}`),
        card(
          'Value of time saved',
          moneyText(money(saved(lead), data.hourlyRate), data.currency),
          `${moneyText(money(saved(other(lead)), data.hourlyRate), data.currency)} on ${BASIS_NAME[other(lead)]} · at ${integer(data.hourlyRate)} ${data.currency}/h`,
        ),
        card(
          'Average confidence',
          percentText(s.avgConfidence),
          `${s.heuristicShare === null ? '–' : percentText(s.heuristicShare * 100)} heuristic · LLM cost ${usdText(s.llmCostUsd)}`,
        ),
      ]),
    ],
  };
}

function table(headers: string[], rows: Content[][], widths: Array<string | number>, numericFrom: number): ContentTable {
  const head = headers.map((h, i) => ({ text: h, bold: true, fontSize: 8, color: MUTED, alignment: i >= numericFrom ? ('right' as const) : ('left' as const) }));
  return {
    table: { headerRows: 1, widths, body: [head, ...rows], dontBreakRows: true },
    layout: {
      hLineWidth: (i: number) => (i === 1 ? 0.8 : 0.4),
      vLineWidth: () => 0,
      hLineColor: () => RULE,
      paddingTop: () => 3,
      paddingBottom: () => 3,
    },
    fontSize: 9,
  };
}

const right = (text: string, bold = false): Content => ({ text, alignment: 'right', bold });

function topUsersSection(data: ReportData): Content[] {
  if (data.user) return [];
  const lead = data.basis;
  const pick = (u: { timeSavedEngagedMinutes: number; timeSavedActiveMinutes: number }, b: TimeBasis): number =>
    b === 'engaged' ? u.timeSavedEngagedMinutes : u.timeSavedActiveMinutes;
  const out: Content[] = [heading(`Top users by time saved (${BASIS_NAME[lead]})`)];
  if (data.topUsers.length === 0) {
    out.push({ text: 'No user had an analysed conversation in this period.', color: MUTED, fontSize: 9 });
    return out;
  }
  out.push(
    table(
      ['#', 'User', 'Conversations', `Saved, ${BASIS_NAME[lead]}`, `Saved, ${BASIS_NAME[other(lead)]}`],
      data.topUsers.map((u, i) => [
        { text: String(i + 1), color: MUTED },
        { text: u.label },
        right(integer(u.conversations)),
        right(hoursText(pick(u, lead)), true),
        right(hoursText(pick(u, other(lead)))),
      ]),
      [14, '*', 62, 78, 78],
      2,
    ),
  );
  if (data.namesUnavailable) out.push({ text: data.namesUnavailable, fontSize: 8, color: MUTED, italics: true, margin: [0, 4, 0, 0] });
  // At most TOP_USERS_IN_REPORT rows: keep the heading and the table on one page.
  return [{ stack: out, unbreakable: true }];
}

function categoriesSection(data: ReportData): Content[] {
  const out: Content[] = [heading('Task categories')];
  if (data.categories.length === 0) return [...out, { text: 'No conversations in this period.', color: MUTED, fontSize: 9 }];
  const shown = data.categories.slice(0, 12);
  const lead = data.basis;
  const pick = (c: { timeSavedEngagedMinutes: number; timeSavedActiveMinutes: number }, b: TimeBasis): number =>
    b === 'engaged' ? c.timeSavedEngagedMinutes : c.timeSavedActiveMinutes;
  out.push(
    chart(categoriesOption(shown, LIGHT_THEME), 24 * shown.length + 30),
    table(
      ['Category', 'Conversations', `Saved, ${BASIS_NAME[lead]}`, `Saved, ${BASIS_NAME[other(lead)]}`],
      data.categories.map((c) => [{ text: categoryLabel(c.category) }, right(integer(c.conversations)), right(hoursText(pick(c, lead)), true), right(hoursText(pick(c, other(lead))))]),
      ['*', 70, 90, 90],
      1,
    ),
  );
  return out;
}

function modelsSection(data: ReportData): Content[] {
  if (data.models.length === 0) return [];
  return [
    heading('Models that answered'),
    table(
      ['Model', 'Conversations', 'Answers'],
      data.models.slice(0, 15).map((m) => [{ text: m.model }, right(integer(m.conversations)), right(integer(m.messages))]),
      ['*', 80, 80],
      1,
    ),
  ];
}

function notesSection(data: ReportData, idleThresholdMinutes: number): Content[] {
  const out: Content[] = [{ text: 'How to read these numbers', style: 'h1', pageBreak: 'before', margin: [0, 0, 0, 4] }];
  for (const section of methodNotes({ idleThresholdMinutes, heuristicShare: data.summary.heuristicShare })) {
    out.push(heading(section.title));
    for (const p of section.paragraphs) out.push({ text: p, fontSize: 9.5, lineHeight: 1.25, margin: [0, 0, 0, 6], alignment: 'justify' });
  }
  return out;
}

export interface PdfDocumentInput {
  data: ReportData;
  generatedAt: Date;
  idleThresholdMinutes: number;
}

/** The pdfmake document for a report: a pure function of the data and the generated-at time. */
export function reportDocument({ data, generatedAt, idleThresholdMinutes }: PdfDocumentInput): TDocumentDefinitions {
  const days = daysBetween(data.from, data.to).length;
  const scope = data.user ? `User: ${data.user.label}` : 'All users';
  const generated = generatedAtText(generatedAt, data.timezone);
  const title = 'Time saved with AI';
  return {
    pageSize: 'A4',
    pageMargins: PAGE_MARGINS,
    info: {
      title: `${title}${data.organisation ? ` — ${data.organisation}` : ''}, ${data.from} – ${data.to}`,
      author: data.organisation || 'Cogniforce Analytics',
      creator: 'Cogniforce Analytics',
      producer: 'Cogniforce Analytics (pdfmake)',
      // Fixed to the generated-at time so two renders of the same data differ only there.
      creationDate: generatedAt,
    },
    defaultStyle: { font: FONT_FAMILY, fontSize: 10, color: '#1d2330' },
    styles: {
      h1: { fontSize: 20, bold: true },
      h2: { fontSize: 12, bold: true },
    },
    footer: (page, pages) => ({
      margin: [40, 16, 40, 0],
      columns: [
        { text: `Cogniforce Analytics ${APP_VERSION} · generated ${generated}`, fontSize: 7.5, color: MUTED },
        { text: `Page ${page} of ${pages}`, fontSize: 7.5, color: MUTED, alignment: 'right', width: 80 },
      ],
    }),
    content: [
      { text: title, style: 'h1' },
      ...(data.organisation ? [{ text: data.organisation, fontSize: 13, margin: [0, 2, 0, 0] } as Content] : []),
      {
        text: [
          { text: 'Period ', color: MUTED },
          { text: `${data.from} – ${data.to}`, bold: true },
          { text: ` (${days} ${days === 1 ? 'day' : 'days'})   ·   ${scope}   ·   leading with ${BASIS_NAME[data.basis]}`, color: MUTED },
        ],
        fontSize: 9.5,
        margin: [0, 6, 0, 12],
      },
      cards(data),
      {
        stack: [
          heading(`Daily time saved (${BASIS_NAME[data.basis]}), with the low–high range of the estimates`),
          chart(trendOption(data.trend, data.basis, LIGHT_THEME), 250),
        ],
        unbreakable: true,
      },
      {
        stack: [heading('Time with AI per day: active, idle and engaged'), chart(withAiTimeOption(data.trend, LIGHT_THEME), 230)],
        unbreakable: true,
      },
      ...topUsersSection(data),
      ...categoriesSection(data),
      ...modelsSection(data),
      ...notesSection(data, idleThresholdMinutes),
    ],
  };
}

export async function writePdfReport(
  context: AppContext,
  request: Pick<ExportRequest, 'from' | 'to' | 'userHash'>,
  file: string,
  options: { signal?: AbortSignal; now?: () => Date } = {},
): Promise<{ bytes: number }> {
  const data = await buildReportData(context, request);
  if (options.signal?.aborted) throw new ExportCancelledError();
  const doc = reportDocument({ data, generatedAt: options.now?.() ?? new Date(), idleThresholdMinutes: context.settings.processing.idleThresholdMinutes });
  const buffer = await pdfMaker().createPdf(doc).getBuffer();
  if (options.signal?.aborted) throw new ExportCancelledError();
  await fs.promises.writeFile(file, buffer, { flag: 'wx' });
  return { bytes: buffer.length };
}
