import { execFile } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { exportReport } from '../../../src/main/core/reports/index.ts';
import { summaryStats } from '../../../src/main/core/store/queries.ts';
import { createReportFixture, FROM, hashOf, TO, type ReportFixture } from './fixture.ts';

// The PDF is checked the way a reader sees it: its text through pdftotext (poppler) and its
// pages rendered through pdftoppm. The PNGs stay in test-results/reports/ to be looked at.

const exec = promisify(execFile);
const ARTIFACTS = path.resolve('test-results/reports');
const GENERATED_AT = new Date('2026-02-01T07:30:00Z');

let fx: ReportFixture;
beforeAll(async () => {
  fx = await createReportFixture();
  fs.mkdirSync(ARTIFACTS, { recursive: true });
});
afterAll(async () => {
  await fx?.close();
});

async function pdfText(file: string): Promise<string> {
  const { stdout } = await exec('pdftotext', ['-layout', '-enc', 'UTF-8', file, '-']);
  return stdout;
}

async function renderPages(file: string, prefix: string): Promise<string[]> {
  for (const old of fs.readdirSync(ARTIFACTS).filter((f) => f.startsWith(`${prefix}-`) && f.endsWith('.png'))) fs.rmSync(path.join(ARTIFACTS, old));
  await exec('pdftoppm', ['-png', '-r', '80', file, path.join(ARTIFACTS, prefix)]);
  return fs.readdirSync(ARTIFACTS).filter((f) => f.startsWith(`${prefix}-`) && f.endsWith('.png')).sort();
}

const hours1 = (minutes: number): string => `${(minutes / 60).toLocaleString('en-GB', { minimumFractionDigits: 1, maximumFractionDigits: 1 })} h`;

describe('PDF report', () => {
  test('title, organisation with Hungarian accents, period, figures, names, method notes and page numbers', async () => {
    const context = await fx.context({ organisation: 'Példa Kft. – Győr' });
    const target = path.join(fx.dir, 'report.pdf');
    const result = await exportReport(context, { kind: 'pdf', from: FROM, to: TO, out: target }, { now: () => GENERATED_AT });
    expect(result.rows).toBeUndefined();
    expect(result.bytes).toBeGreaterThan(10_000);
    fs.copyFileSync(target, path.join(ARTIFACTS, 'report.pdf'));
    const text = await pdfText(target);
    fs.writeFileSync(path.join(ARTIFACTS, 'report.txt'), text);
    const stats = await summaryStats(fx.harness.db, { from: FROM, to: TO });

    expect(text).toContain('Time saved with AI');
    expect(text).toContain('Példa Kft. – Győr');
    expect(text).toContain(`${FROM} – ${TO}`);
    expect(text).toContain('(4 days)');
    expect(text).toContain('Szabó Éva (eva.szabo@example.hu)');
    expect(text).toContain(hours1(stats.timeSavedEngagedMinutes));
    expect(text).toContain(hours1(stats.timeSavedMinutes));
    expect(text).toMatch(new RegExp(`Conversations\\s[\\s\\S]*?\\b${stats.conversations}\\b`));
    expect(text).toContain('Time saved (engaged time)');
    expect(text).toContain('Time saved (active time)');
    // Method notes (SPEC §10); paragraphs wrap, so compare with whitespace collapsed.
    const flat = text.replace(/\s+/g, ' ');
    expect(flat).toContain('How to read these numbers');
    expect(text).toContain('0.44 (Spearman)');
    expect(flat).toContain('soft upper bound');
    expect(flat).toContain('$72 per hour');
    expect(flat).toContain('What is excluded');
    expect(flat).toContain('Engaged time (recommended)');
    // Generated-at in the configured zone, and page numbers.
    expect(text).toContain('generated 2026-02-01 08:30 (Europe/Budapest)');
    const pages = Number(/Page 1 of (\d+)/.exec(text)?.[1]);
    expect(pages).toBeGreaterThanOrEqual(2);
    expect(text).toContain(`Page ${pages} of ${pages}`);

    const pngs = await renderPages(target, 'report');
    expect(pngs).toHaveLength(pages);
    for (const png of pngs) expect(fs.statSync(path.join(ARTIFACTS, png)).size).toBeGreaterThan(5_000);
  });

  test('fonts are embedded', async () => {
    const context = await fx.context();
    const target = path.join(fx.dir, 'fonts.pdf');
    await exportReport(context, { kind: 'pdf', from: FROM, to: TO, out: target });
    const { stdout } = await exec('pdffonts', [target]);
    const rows = stdout.split('\n').slice(2).filter(Boolean);
    expect(rows.length).toBeGreaterThan(0);
    for (const row of rows) expect(row).toMatch(/Roboto.*\byes\b/);
  });

  test('deterministic apart from the generated-at time', async () => {
    const context = await fx.context({ organisation: 'Példa Kft. – Győr' });
    const a = path.join(fx.dir, 'a.pdf');
    const b = path.join(fx.dir, 'b.pdf');
    await exportReport(context, { kind: 'pdf', from: FROM, to: TO, out: a }, { now: () => GENERATED_AT });
    await exportReport(context, { kind: 'pdf', from: FROM, to: TO, out: b }, { now: () => GENERATED_AT });
    expect(fs.readFileSync(a).equals(fs.readFileSync(b))).toBe(true);
  });

  test('one user, active time leading, names unavailable: hashes and the reason', async () => {
    const context = await fx.context({ basis: 'active', sourceUrl: `sqlite:///${path.join(fx.dir, 'missing', 'webui.db')}` });
    const target = path.join(fx.dir, 'one-user.pdf');
    const eva = hashOf('u-eva');
    await exportReport(context, { kind: 'pdf', from: FROM, to: TO, userHash: eva, out: target }, { now: () => GENERATED_AT });
    const text = await pdfText(target);
    expect(text).toContain(`User: user ${eva.slice(0, 8)}`);
    expect(text).toContain('leading with active time');
    expect(text).not.toContain('Top users');
    const all = await fx.context({ sourceUrl: `sqlite:///${path.join(fx.dir, 'missing', 'webui.db')}` });
    await exportReport(all, { kind: 'pdf', from: FROM, to: TO, out: path.join(fx.dir, 'hashes.pdf') });
    const hashesText = await pdfText(path.join(fx.dir, 'hashes.pdf'));
    expect(hashesText).toContain(`user ${eva.slice(0, 8)}`);
    expect(hashesText).toMatch(/Names are shown as short hashes/);
    await renderPages(target, 'one-user');
  });

  test('an empty period still renders a complete report', async () => {
    const context = await fx.context();
    const target = path.join(fx.dir, 'empty.pdf');
    await exportReport(context, { kind: 'pdf', from: '2025-03-01', to: '2025-03-31', out: target });
    const text = await pdfText(target);
    expect(text).toContain('2025-03-01 – 2025-03-31');
    expect(text).toContain('No user had an analysed conversation in this period.');
    await renderPages(target, 'empty');
  });
});
