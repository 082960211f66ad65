import fs from 'node:fs';
import { Transform, type TransformCallback } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type pg from 'pg';
import { to as copyTo } from 'pg-copy-streams';
import type { CsvWriteOptions, CsvWriteResult } from './csv-writer.ts';

// A CSV written by PostgreSQL itself (COPY … TO STDOUT WITH (FORMAT csv)) and passed to the file
// as bytes: for a million rows this runs at the speed of the server (≈ 4 × the rows/s of
// formatting every cell in Node, bench/exports.ts). The bytes equal what csv-writer.ts writes
// for the same cells (tests/integration/reports/copy-csv.test.ts):
//   - cells go through pg_temp.csv_cell: '' becomes NULL (csv-stringify writes an empty string
//     unquoted, COPY would write ""), and a cell starting with - = + @ tab CR or their full-width
//     forms gets a leading apostrophe (csv-stringify's escape_formulas for text cells);
//   - quoting is the same rule on both sides (a quote, comma, CR or LF in the cell), quotes doubled;
//   - COPY ends records with LF, the file with CRLF: CsvRecordEnds adds the CR to every LF
//     outside a quoted cell, so a line break inside a cell stays as it was.

const CSV_CELL_FUNCTION = `
  CREATE FUNCTION pg_temp.csv_cell(value text) RETURNS text LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    -- PARALLEL SAFE, or no part of the export's query may run in parallel workers (the join and
    -- sort of a million rows: 6.3 s alone, 5.4 s with two workers, EXPLAIN ANALYZE).
    -- The first character's code: 0 for '' (text holds no NUL), then - = + @ tab CR and the
    -- full-width = + - @. Integer comparisons keep a million rows of cells cheap.
    SELECT CASE
      WHEN ascii(value) = 0 THEN NULL
      WHEN ascii(value) IN (45, 61, 43, 64, 9, 13, 65309, 65291, 65293, 65312) THEN '''' || value
      ELSE value
    END
  $$`;

/** Prepares `client`'s session for csvCell() and for dates as cells: call once before the COPY. */
export async function prepareCsvSession(client: pg.Client): Promise<void> {
  await client.query(CSV_CELL_FUNCTION);
  // Dates and timestamps are written by their own output functions, which follow DateStyle:
  // ISO whatever the server's or the role's default.
  await client.query(`SET DateStyle = 'ISO, YMD'`);
}

/** The SQL of one CSV cell from a text expression. */
export function csvCell(expression: string): string {
  return `pg_temp.csv_cell(${expression})`;
}

const QUOTE = 0x22;
const LF = 0x0a;
const CR_LF = Buffer.from('\r\n');

/**
 * Turns COPY's LF record ends into CRLF (LF inside a quoted cell untouched) and counts the
 * records, calling `onRecords` each time the count passes a multiple of `reportEvery`.
 */
export class CsvRecordEnds extends Transform {
  records = 0;
  private quoted = false;

  constructor(
    private readonly onRecords?: (records: number) => void,
    private readonly reportEvery = 5_000,
  ) {
    super();
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, done: TransformCallback): void {
    const parts: Buffer[] = [];
    let start = 0;
    let at = 0;
    const before = this.records;
    // Outside quotes a quote opens a cell and an LF ends a record; inside, only the next quote
    // matters (a doubled quote closes and reopens, leaving the state as it was). The next quote
    // is looked up once per quote, so a chunk without quotes is one scan for LFs.
    let nextQuote = chunk.indexOf(QUOTE);
    for (;;) {
      if (this.quoted) {
        if (nextQuote === -1) break;
        this.quoted = false;
        at = nextQuote + 1;
        nextQuote = chunk.indexOf(QUOTE, at);
        continue;
      }
      const lf = chunk.indexOf(LF, at);
      if (nextQuote !== -1 && (lf === -1 || nextQuote < lf)) {
        this.quoted = true;
        at = nextQuote + 1;
        nextQuote = chunk.indexOf(QUOTE, at);
        continue;
      }
      if (lf === -1) break;
      parts.push(chunk.subarray(start, lf), CR_LF);
      this.records += 1;
      start = lf + 1;
      at = start;
    }
    parts.push(chunk.subarray(start));
    if (this.onRecords && Math.floor(this.records / this.reportEvery) > Math.floor(before / this.reportEvery)) this.onRecords(this.records);
    done(null, parts.length === 1 ? chunk : Buffer.concat(parts));
  }
}

/** As for writeCsv: header, BOM, cancel, and progress at most every `progressEvery` records and once at the end. */
export type CopyCsvOptions = Omit<CsvWriteOptions, 'records'>;

/**
 * Writes the header, then the rows of `select` as COPY formats them, to a new file (`wx`). The
 * header names are plain identifiers, so they need no quoting.
 */
export async function copyCsvToFile(client: pg.Client, select: string, file: string, options: CopyCsvOptions): Promise<CsvWriteResult> {
  const target = fs.createWriteStream(file, { flags: 'wx', highWaterMark: 1 << 20 });
  target.write(`${options.bom ? '\uFEFF' : ''}${options.header.join(',')}\r\n`);
  const records = new CsvRecordEnds(options.onRecords ? (n) => options.onRecords?.(n, target.bytesWritten) : undefined, options.progressEvery);
  const rows = client.query(copyTo(`COPY (${select}) TO STDOUT WITH (FORMAT csv)`));
  await pipeline(rows, records, target, { signal: options.signal });
  options.onRecords?.(records.records, target.bytesWritten);
  return { rows: records.records, bytes: target.bytesWritten };
}
