// Physical floors: the least work that moves the same bytes. A benchmark's figure divided by
// its floor, both measured in the same run on the same machine, says how much the product adds
// on top of what the database and the wire cost anyway — a ratio that survives a slow or busy
// machine far better than an absolute figure.

import Database from 'better-sqlite3';
import pg from 'pg';

export interface FloorFigures {
  /** What was timed, in one line. */
  what: string;
  rows: number;
  megabytes: number;
  seconds: number;
  rowsPerSecond: number;
}

interface CopyMessage {
  chunk: Buffer;
}

/**
 * `COPY (…) TO STDOUT` over the ordinary pg protocol, every row dropped on arrival. pg has no
 * public COPY OUT API (pg-copy-streams adds one), but it hands any "submittable" the
 * CopyData messages of the active query; that is all a sink needs, so no dependency is added.
 */
class CopyToNowhere {
  rows = 0;
  bytes = 0;
  readonly done: Promise<void>;
  private resolve!: () => void;
  private reject!: (error: Error) => void;

  constructor(private readonly text: string) {
    this.done = new Promise<void>((resolve, reject) => {
      this.resolve = resolve;
      this.reject = reject;
    });
  }

  submit(connection: { query(text: string): void }): void {
    connection.query(this.text);
  }

  handleCopyData(message: CopyMessage): void {
    this.rows += 1;
    this.bytes += message.chunk.length;
  }

  handleCommandComplete(): void {}

  // pg drops the active query when an ErrorResponse arrives, so ReadyForQuery never reaches
  // us after an error: settle here.
  handleError(error: Error): void {
    this.reject(error);
  }

  handleReadyForQuery(): void {
    this.resolve();
  }
}

/** Streams `select` out of PostgreSQL with COPY … TO STDOUT (text or CSV) and throws every byte away. */
export async function copyFloor(url: string, select: string, what: string, format: 'text' | 'csv' = 'text'): Promise<FloorFigures> {
  const client = new pg.Client({ connectionString: url, application_name: 'cogniforce-bench-floor' });
  await client.connect();
  try {
    const sink = new CopyToNowhere(`COPY (${select}) TO STDOUT WITH (FORMAT ${format})`);
    const started = performance.now();
    // pg types query() for its own Query class; a submittable is the documented extension point.
    void client.query(sink as unknown as pg.QueryConfig);
    await sink.done;
    const seconds = (performance.now() - started) / 1000;
    return figures(what, sink.rows, sink.bytes, seconds);
  } finally {
    await client.end();
  }
}

/** Steps a better-sqlite3 statement over every row, touching each value so none is skipped. */
export function sqliteFloor(file: string, select: string, what: string): FloorFigures {
  const db = new Database(file, { readonly: true, fileMustExist: true });
  try {
    const statement = db.prepare(select).raw(true);
    const started = performance.now();
    let rows = 0;
    let bytes = 0;
    for (const row of statement.iterate() as Iterable<unknown[]>) {
      rows += 1;
      for (const value of row) bytes += typeof value === 'string' ? value.length : value === null ? 0 : 8;
    }
    const seconds = (performance.now() - started) / 1000;
    return figures(what, rows, bytes, seconds);
  } finally {
    db.close();
  }
}

function figures(what: string, rows: number, bytes: number, seconds: number): FloorFigures {
  return {
    what,
    rows,
    megabytes: Math.round(bytes / 1e5) / 10,
    seconds: Math.round(seconds * 1000) / 1000,
    rowsPerSecond: Math.round(rows / Math.max(seconds, 1e-9)),
  };
}
