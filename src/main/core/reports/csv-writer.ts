import fs from 'node:fs';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { stringify } from 'csv-stringify';

// Streams records into an RFC 4180 file with csv-stringify: CRLF line ends, fields quoted only
// when they must be, UTF-8 with an optional byte-order mark (Excel on Windows needs it to read
// UTF-8 accents), and spreadsheet formula injection neutralised.

/** A cell as the exporters produce it: text is written as is, null as an empty field. */
export type CsvCell = string | number | boolean | null;
export type CsvRecord = CsvCell[];

export interface CsvWriteOptions {
  /** Column names, units included (e.g. time_saved_engaged_hours). */
  header: readonly string[];
  records: AsyncIterable<CsvRecord> | Iterable<CsvRecord>;
  bom: boolean;
  signal?: AbortSignal;
  /**
   * Called with the number of records written so far (and the bytes the file has received),
   * at most every `progressEvery` records and once at the end.
   */
  onRecords?: (records: number, bytes: number) => void;
  progressEvery?: number;
}

export interface CsvWriteResult {
  rows: number;
  bytes: number;
}

/** The csv-stringify options of the summary and daily exports; the detailed one, written by COPY (copy-csv.ts), matches them byte for byte. */
export function csvOptions(header: readonly string[], bom: boolean) {
  return {
    header: true,
    columns: header.map((name) => ({ key: name, header: name })),
    bom,
    record_delimiter: 'windows',
    // With an explicit record delimiter csv-stringify stops quoting fields that contain a bare
    // \n or \r, which would split a record in two for any reader; RFC 4180 says quote them.
    quote_record_delimiter: true,
    // A cell starting with = + - @, tab or CR (and their full-width forms) is prefixed with '
    // so Excel, LibreOffice and Numbers show it as text instead of running it as a formula.
    // Numbers stay numbers: a JS number such as -1 is not a formula.
    escape_formulas: true,
    cast: { boolean: (value: boolean) => (value ? 'true' : 'false') },
  } as const;
}

async function* counted(
  records: AsyncIterable<CsvRecord> | Iterable<CsvRecord>,
  tally: { n: number },
  every: number,
  onRecords?: (n: number) => void,
): AsyncGenerator<CsvRecord> {
  for await (const record of records) {
    yield record;
    tally.n += 1;
    if (onRecords && tally.n % every === 0) onRecords(tally.n);
  }
  onRecords?.(tally.n);
}

export async function writeCsv(file: string, options: CsvWriteOptions): Promise<CsvWriteResult> {
  const stringifier = stringify(csvOptions(options.header, options.bom));
  const target = fs.createWriteStream(file, { flags: 'wx', highWaterMark: 1 << 16 });
  const tally = { n: 0 };
  // bytesWritten trails the records a little (stream buffers): "written so far", never more.
  const onRecords = options.onRecords ? (n: number) => options.onRecords?.(n, target.bytesWritten) : undefined;
  await pipeline(Readable.from(counted(options.records, tally, options.progressEvery ?? 5_000, onRecords)), stringifier, target, {
    signal: options.signal,
  });
  return { rows: tally.n, bytes: target.bytesWritten };
}
