import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

// Open WebUI's DATABASE_URL comes in SQLAlchemy forms (`postgresql+psycopg2://`, `sqlite:///`,
// `sqlite+aiosqlite:///` …). We accept exactly what Open WebUI accepts so an admin can paste
// the value from its environment unchanged.

export type SourceTarget =
  | { dialect: 'postgres'; connectionString: string; schema?: string }
  | { dialect: 'sqlite'; path: string };

export interface ParseOptions {
  /** Open WebUI's `DATABASE_SCHEMA` (PostgreSQL only). */
  schema?: string | null;
  /** Base for `sqlite:///relative.db`; defaults to `process.cwd()`. */
  cwd?: string;
}

const SCHEME_RE = /^([a-z][a-z0-9+.-]*):\/\//i;

export function parseDatabaseUrl(input: string, options: ParseOptions = {}): SourceTarget {
  const raw = input.trim();
  if (raw === '') throw new Error('The Open WebUI database location is empty: set DATABASE_URL or choose the webui.db file.');
  const cwd = options.cwd ?? process.cwd();
  const match = SCHEME_RE.exec(raw);
  // Windows drive letters ("C://…") are not schemes; a plain path is a webui.db file.
  if (!match || /^[a-z]$/i.test(match[1]!)) return { dialect: 'sqlite', path: path.resolve(cwd, raw) };

  const scheme = match[1]!.toLowerCase();
  const [base, driver] = scheme.split('+', 2) as [string, string | undefined];
  const rest = raw.slice(match[0].length);

  if (base === 'postgres' || base === 'postgresql') {
    const schema = options.schema?.trim();
    return {
      dialect: 'postgres',
      connectionString: `postgresql://${rest}`,
      ...(schema ? { schema } : {}),
    };
  }
  if (base === 'sqlite') {
    if (driver === 'sqlcipher') {
      throw new Error(
        'Encrypted SQLite databases (sqlite+sqlcipher) are not supported: the console reads plain SQLite only. ' +
          'Export a decrypted copy with the sqlcipher tool (ATTACH … KEY \'\'; SELECT sqlcipher_export(…)) and point the console at that file, or move Open WebUI to PostgreSQL.',
      );
    }
    if (driver !== undefined && driver !== 'aiosqlite' && driver !== 'pysqlite') {
      throw new Error(`Unsupported SQLite driver "sqlite+${driver}" in the Open WebUI database URL; use sqlite:///path/to/webui.db.`);
    }
    return { dialect: 'sqlite', path: sqlitePath(rest, cwd) };
  }
  if (base === 'file') {
    try {
      return { dialect: 'sqlite', path: fileURLToPath(raw.replace(/[?#].*$/, '')) };
    } catch {
      throw new Error(`"${raw}" is not a usable file URL; give the path to webui.db instead.`);
    }
  }
  throw new Error(
    `Unsupported database URL scheme "${scheme}": Open WebUI stores its data in SQLite (sqlite:///path/webui.db) or PostgreSQL (postgresql://user:password@host:5432/db).`,
  );
}

/**
 * SQLAlchemy's sqlite URL is `sqlite:///<path>`: after `sqlite://` comes an empty host and a
 * slash, so `sqlite:///data/webui.db` is relative and `sqlite:////data/webui.db` is absolute.
 */
function sqlitePath(afterScheme: string, cwd: string): string {
  let p = afterScheme;
  const q = p.search(/[?#]/);
  if (q >= 0) p = p.slice(0, q);
  if (!p.startsWith('/')) {
    // sqlite://host/path has no meaning for a file; treat "localhost/" like the empty host.
    const slash = p.indexOf('/');
    p = slash >= 0 ? p.slice(slash) : '';
  }
  p = p.slice(1); // the separator after the (empty) host
  if (p === '' || p === ':memory:') {
    throw new Error('The SQLite URL names no file: use sqlite:///relative/webui.db or sqlite:////absolute/path/webui.db.');
  }
  if (/%[0-9a-f]{2}/i.test(p) && !fs.existsSync(path.resolve(cwd, p))) {
    try {
      p = decodeURIComponent(p);
    } catch {
      // keep the literal path; the open step reports a missing file
    }
  }
  return path.resolve(cwd, p);
}

/** The URL with its password (and any `password=` parameter) replaced by `***`, for logs and the UI. */
export function redactDatabaseUrl(input: string): string {
  const match = SCHEME_RE.exec(input);
  let out = input;
  if (match) {
    const start = match[0].length;
    // The last '@' before the query string ends the user info, even when an unencoded
    // password contains '/' or '@'; over-redacting is better than leaking.
    const queryAt = input.slice(start).search(/[?#]/);
    const end = queryAt >= 0 ? start + queryAt : input.length;
    const at = input.lastIndexOf('@', end - 1);
    if (at >= start) {
      const userInfo = input.slice(start, at);
      const colon = userInfo.indexOf(':');
      if (colon >= 0) out = `${input.slice(0, start)}${userInfo.slice(0, colon)}:***${input.slice(at)}`;
    }
  }
  return out.replace(/([?&](?:password|sslpassword)=)[^&#]*/gi, '$1***');
}

/** `host:port` of a PostgreSQL connection string, for error messages (never the password). */
export function describePostgresTarget(connectionString: string): string {
  try {
    const url = new URL(connectionString);
    const hostParam = url.searchParams.get('host');
    const host = url.hostname || hostParam || 'localhost';
    const port = url.port || url.searchParams.get('port') || '5432';
    const db = decodeURIComponent(url.pathname.replace(/^\//, '')) || '(default database)';
    return `${host}:${port}/${db}`;
  } catch {
    return redactDatabaseUrl(connectionString);
  }
}

/** Alias used by the app context: the same parser under the name the wiring expects. */
export const parseSourceUrl = parseDatabaseUrl;
