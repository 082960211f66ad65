import { performance } from 'node:perf_hooks';
import { Kysely, PostgresDialect, sql } from 'kysely';
import pg from 'pg';
import type { Database } from './schema.ts';

// Connections to the analytics database: any PostgreSQL URL, the embedded server's URL, or one
// derived from a PostgreSQL source (same server, database `cogniforce`). Kept independent of the
// source connection so one failing never takes the other down.

export type AnalyticsDb = Kysely<Database>;

export const DEFAULT_ANALYTICS_DATABASE = 'cogniforce';
const APPLICATION_NAME = 'cogniforce-analytics';

const OID = { int8: 20, numeric: 1700, date: 1082 } as const;

export class AnalyticsConnectionError extends Error {
  constructor(
    message: string,
    readonly code: string | null,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'AnalyticsConnectionError';
  }
}

/** Parses int8 (counts, sums, bigserial ids) to a number, refusing values a double would round. */
function parseInt8(value: string): number {
  const n = Number(value);
  if (!Number.isSafeInteger(n)) throw new RangeError(`Integer ${value} is too large to represent exactly.`);
  return n;
}

/**
 * Type parsers for the analytics pool only (passed per client, not set globally on pg.types,
 * so the source reader keeps pg's defaults). DATE stays the raw 'YYYY-MM-DD' string: turning
 * it into a JS Date would shift it by the process's UTC offset. numeric becomes a double: these
 * are money with 6 decimals and averages, well within double precision.
 */
const analyticsTypes: pg.CustomTypesConfig = {
  getTypeParser: ((oid: number, format?: 'text' | 'binary') => {
    if (format !== 'binary') {
      if (oid === OID.int8) return parseInt8;
      if (oid === OID.numeric) return (value: string) => Number.parseFloat(value);
      if (oid === OID.date) return (value: string) => value;
    }
    return pg.types.getTypeParser(oid, format);
  }) as pg.CustomTypesConfig['getTypeParser'],
};

interface ParsedTarget {
  user: string;
  password: string;
  host: string;
  port: string;
  database: string;
}

function parseTarget(url: string): ParsedTarget {
  let parsed: URL;
  try {
    parsed = new URL(normaliseScheme(url));
  } catch {
    throw new AnalyticsConnectionError(
      'The analytics database URL is not a valid URL. Expected postgresql://user:password@host:5432/database.',
      'invalid_url',
    );
  }
  if (parsed.protocol !== 'postgresql:') {
    throw new AnalyticsConnectionError(
      `The analytics database must be PostgreSQL (postgresql://…), not ${parsed.protocol.replace(/:$/, '')}.`,
      'invalid_url',
    );
  }
  return {
    user: decodeURIComponent(parsed.username),
    password: decodeURIComponent(parsed.password),
    host: parsed.hostname || 'localhost',
    port: parsed.port || '5432',
    database: decodeURIComponent(parsed.pathname.replace(/^\//, '')) || decodeURIComponent(parsed.username) || 'postgres',
  };
}

/** `postgres://`, `postgresql+psycopg2://` (Open WebUI / SQLAlchemy forms) → `postgresql://`. */
function normaliseScheme(url: string): string {
  return url.trim().replace(/^postgres(?:ql)?(?:\+[a-z0-9_]+)?:\/\//i, 'postgresql://');
}

/** `user@host:port/db` for messages and logs: never the password. */
export function describeDatabaseUrl(url: string): string {
  try {
    const t = parseTarget(url);
    return `${t.user ? `${t.user}@` : ''}${t.host}:${t.port}/${t.database}`;
  } catch {
    return '(invalid URL)';
  }
}

const URL_CREDENTIALS = /(\/\/[^:/@\s]*:)[^@\s]*@/g;

/** Removes every spelling of the URL's password from a message. */
export function scrubPassword(message: string, url: string): string {
  const spellings: string[] = [];
  try {
    const encoded = new URL(normaliseScheme(url)).password;
    spellings.push(encoded, decodeURIComponent(encoded));
  } catch {
    // Unparsable URL or malformed escapes: only the generic pattern below applies.
  }
  let out = message;
  // Longest first, so a spelling that contains another is not half-replaced.
  for (const secret of spellings.filter(Boolean).sort((a, b) => b.length - a.length)) out = out.split(secret).join('***');
  return out.replace(URL_CREDENTIALS, '$1***@');
}

function pgCode(error: unknown): string | null {
  if (typeof error === 'object' && error !== null && 'code' in error && typeof error.code === 'string') return error.code;
  return null;
}

function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** A readable, password-free explanation of a failure to reach the analytics database. */
export function explainConnectionError(error: unknown, url: string): AnalyticsConnectionError {
  if (error instanceof AnalyticsConnectionError) return error;
  const where = describeDatabaseUrl(url);
  const code = pgCode(error);
  const detail = scrubPassword(errorText(error), url);
  let hint: string;
  switch (code) {
    case 'ECONNREFUSED':
      hint = 'Nothing is listening there: is the server running and the host/port right?';
      break;
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      hint = 'The host name could not be resolved.';
      break;
    case 'ETIMEDOUT':
      hint = 'The server did not answer in time (network, firewall or VPN?).';
      break;
    case '28P01':
    case '28000':
      hint = 'The user name or password was refused; check the credentials in Settings or the keychain.';
      break;
    case '3D000':
      hint = 'The database does not exist.';
      break;
    case '42501':
      hint = 'The user lacks the required privilege.';
      break;
    default:
      hint = '';
  }
  return new AnalyticsConnectionError(
    `Could not use the analytics database at ${where}: ${detail}${hint ? `. ${hint}` : ''}`,
    code,
    { cause: error },
  );
}

function poolConfig(url: string, max: number): pg.PoolConfig {
  parseTarget(url); // validates, with a readable message, before pg sees it
  return {
    connectionString: normaliseScheme(url),
    max,
    application_name: APPLICATION_NAME,
    // Fail in bounded time when the server is unreachable, so health checks and runs report it.
    connectionTimeoutMillis: 10_000,
    idleTimeoutMillis: 30_000,
    keepAlive: true,
    types: analyticsTypes,
  };
}

/**
 * A Kysely instance over a pg Pool for the analytics database. Connecting is lazy: errors
 * surface on the first query (use pingAnalytics to test the connection).
 */
export function openAnalyticsDb(url: string, opts: { max?: number } = {}): AnalyticsDb {
  const pool = new pg.Pool(poolConfig(url, opts.max ?? 10));
  // An idle client losing its connection emits 'error' on the pool; without a listener that
  // would crash the process. The pool drops the client and the next query reconnects or fails.
  pool.on('error', () => undefined);
  return new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
}

/** Round-trip time of a trivial query in milliseconds; throws a readable error when unreachable. */
export async function pingAnalytics<DB>(db: Kysely<DB>, url?: string): Promise<number> {
  const started = performance.now();
  try {
    await sql`SELECT 1`.execute(db);
  } catch (error) {
    throw url ? explainConnectionError(error, url) : new AnalyticsConnectionError(`The analytics database did not answer: ${errorText(error)}`, pgCode(error), { cause: error });
  }
  return Math.round((performance.now() - started) * 100) / 100;
}

/**
 * The analytics URL on the same server as a PostgreSQL source: same credentials, host, port
 * and parameters, database `cogniforce`. Accepts Open WebUI's DATABASE_URL spellings.
 */
export function deriveAnalyticsUrl(sourcePgUrl: string, database: string = DEFAULT_ANALYTICS_DATABASE): string {
  const trimmed = sourcePgUrl.trim();
  if (/^sqlite/i.test(trimmed)) {
    throw new AnalyticsConnectionError(
      'The source is SQLite, so there is no server to put the analytics database on. Use the embedded analytics database or set COGNIFORCE_DATABASE_URL.',
      'invalid_url',
    );
  }
  parseTarget(trimmed);
  const url = new URL(normaliseScheme(trimmed));
  url.pathname = `/${encodeURIComponent(database)}`;
  return url.toString();
}

function withDatabase(url: string, database: string): string {
  const parsed = new URL(normaliseScheme(url));
  parsed.pathname = `/${encodeURIComponent(database)}`;
  return parsed.toString();
}

function quoteIdent(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}

async function withClient<T>(url: string, fn: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url, application_name: APPLICATION_NAME, connectionTimeoutMillis: 10_000 });
  // A connection dropped while we hold it would otherwise be an unhandled 'error' event.
  client.on('error', () => undefined);
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end().catch(() => undefined);
  }
}

/**
 * Creates the URL's database when it does not exist, via the server's maintenance database.
 * Safe when several processes race: losing the race to CREATE DATABASE counts as "exists".
 */
export async function ensureDatabaseExists(url: string): Promise<'created' | 'exists'> {
  const target = parseTarget(url);
  try {
    await withClient(normaliseScheme(url), async () => undefined);
    return 'exists';
  } catch (error) {
    if (pgCode(error) !== '3D000') throw explainConnectionError(error, url);
  }

  let lastError: unknown;
  for (const maintenance of ['postgres', 'template1']) {
    try {
      return await withClient(withDatabase(url, maintenance), async (client) => {
        const found = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [target.database]);
        if (found.rowCount) return 'exists' as const;
        try {
          await client.query(`CREATE DATABASE ${quoteIdent(target.database)}`);
          return 'created' as const;
        } catch (error) {
          // 42P04 duplicate_database; 23505 when two CREATEs collide on pg_database's index.
          const code = pgCode(error);
          if (code === '42P04' || code === '23505') return 'exists' as const;
          if (code === '42501') {
            throw new AnalyticsConnectionError(
              `The analytics database "${target.database}" does not exist on ${target.host}:${target.port} and user "${target.user}" may not create it. Create it (CREATE DATABASE ${quoteIdent(target.database)}) or grant CREATEDB, or set COGNIFORCE_DATABASE_URL to an existing database.`,
              code,
              { cause: error },
            );
          }
          throw error;
        }
      });
    } catch (error) {
      if (error instanceof AnalyticsConnectionError) throw error;
      lastError = error;
      // The maintenance database itself may be missing or closed to us: try the next one.
      if (pgCode(error) === '3D000' || pgCode(error) === '42501') continue;
      break;
    }
  }
  throw explainConnectionError(lastError, url);
}
