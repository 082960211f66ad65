import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parse } from 'csv-parse/sync';
import { describe, expect, test } from 'vitest';
import { writeCsv } from '../../../src/main/core/reports/csv-writer.ts';

// The writer's contract in isolation: RFC 4180, formula neutralisation, BOM, counts.

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cf-csv-'));
let n = 0;
const file = (): string => path.join(dir, `f${n++}.csv`);

describe('writeCsv', () => {
  test('quotes only what needs quoting, doubles quotes, ends records with CRLF', async () => {
    const f = file();
    const result = await writeCsv(f, { header: ['a', 'b_minutes'], records: [['plain', 1], ['with, comma', 2], ['with "quote"', 3], ['line\nbreak', null]], bom: false });
    expect(result.rows).toBe(4);
    const text = fs.readFileSync(f, 'utf8');
    expect(text).toBe('a,b_minutes\r\nplain,1\r\n"with, comma",2\r\n"with ""quote""",3\r\n"line\nbreak",\r\n');
    expect(result.bytes).toBe(Buffer.byteLength(text));
  });

  test('neutralises every formula prefix; negative numbers stay numbers', async () => {
    const f = file();
    const hostile = ['=1+1', '+1', '-1', '@SUM(A1)', '\tx', '\rx', '＝1', '＋1', '－1', '＠x'];
    await writeCsv(f, { header: ['cell', 'number'], records: hostile.map((h) => [h, -5]), bom: false });
    const rows = parse(fs.readFileSync(f), { columns: true }) as Array<{ cell: string; number: string }>;
    expect(rows.map((r) => r.cell)).toEqual(hostile.map((h) => `'${h}`));
    expect(new Set(rows.map((r) => r.number))).toEqual(new Set(['-5']));
  });

  test('BOM only when asked; booleans as true/false; Hungarian text in UTF-8', async () => {
    const withBom = file();
    const without = file();
    const records = [['Győr – ő ű', true], ['Szabó Éva', false]];
    await writeCsv(withBom, { header: ['name', 'flag'], records, bom: true });
    await writeCsv(without, { header: ['name', 'flag'], records, bom: false });
    expect([...fs.readFileSync(withBom).subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    expect(fs.readFileSync(without, 'utf8')).toBe('name,flag\r\nGyőr – ő ű,true\r\nSzabó Éva,false\r\n');
  });

  test('progress is reported in steps and at the end', async () => {
    const seen: number[] = [];
    const records = Array.from({ length: 25 }, (_, i) => [String(i)]);
    await writeCsv(file(), { header: ['i'], records, bom: false, progressEvery: 10, onRecords: (k) => seen.push(k) });
    expect(seen).toEqual([10, 20, 25]);
  });

  test('progress carries the bytes the file has received, never more than it holds', async () => {
    const f = file();
    const seen: Array<[number, number]> = [];
    const records = Array.from({ length: 30_000 }, (_, i) => [`row ${i}`, i]);
    await writeCsv(f, { header: ['text', 'n'], records, bom: false, progressEvery: 10_000, onRecords: (k, bytes) => seen.push([k, bytes]) });
    expect(seen.map(([k]) => k)).toEqual([10_000, 20_000, 30_000, 30_000]);
    const bytes = seen.map(([, b]) => b);
    expect(bytes[1]).toBeGreaterThan(0);
    for (let i = 1; i < bytes.length; i++) expect(bytes[i]).toBeGreaterThanOrEqual(bytes[i - 1]!);
    expect(bytes.at(-1)).toBeLessThanOrEqual(fs.statSync(f).size);
  });

  test('an aborted signal stops the write', async () => {
    const controller = new AbortController();
    controller.abort();
    await expect(writeCsv(file(), { header: ['i'], records: [['1']], bom: false, signal: controller.signal })).rejects.toThrow(/abort/i);
  });
});
