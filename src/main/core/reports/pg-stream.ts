import pg from 'pg';
import Cursor from 'pg-cursor';
import { explainConnectionError } from '../store/connect.ts';

// Large exports read through a server-side cursor on a connection of their own: one consistent
// snapshot, a bounded batch in memory at a time, and the Kysely pool left free for the console.

/** A text cell as PostgreSQL formatted it; null for SQL NULL. */
export type TextRow = Array<string | null>;

function connectionString(url: string): string {
  return url.trim().replace(/^postgres(?:ql)?(?:\+[a-z0-9_]+)?:\/\//i, 'postgresql://');
}

export async function connectExportClient(url: string): Promise<pg.Client> {
  const client = new pg.Client({ connectionString: connectionString(url), application_name: 'cogniforce-analytics-export', connectionTimeoutMillis: 10_000 });
  // A dropped connection surfaces as a failed read; without a listener it would crash the process.
  client.on('error', () => undefined);
  try {
    await client.connect();
  } catch (error) {
    await client.end().catch(() => undefined);
    throw explainConnectionError(error, url);
  }
  return client;
}

/**
 * Rows of `query` as arrays, `batchSize` at a time. Stopping early (cancel, error downstream)
 * closes the cursor and the connection through the generator's finally.
 */
export async function* streamTextRows(url: string, query: string, params: unknown[], batchSize = 5_000): AsyncGenerator<TextRow> {
  const client = await connectExportClient(url);
  try {
    const cursor = client.query(new Cursor<TextRow>(query, params, { rowMode: 'array' }));
    // One batch ahead: the server fetches and formats the next batch while Node writes this one
    // (on two cores this is the difference between taking turns and working at the same time).
    let next = cursor.read(batchSize);
    try {
      for (;;) {
        const rows = await next;
        if (rows.length === 0) return;
        next = cursor.read(batchSize);
        yield* rows;
      }
    } finally {
      // A read may still be in flight when the consumer stops early; settle it before closing.
      await next.catch(() => undefined);
      await cursor.close().catch(() => undefined);
    }
  } finally {
    await client.end().catch(() => undefined);
  }
}
