import { openPostgresSource, type PostgresReaderOptions } from './postgres.ts';
import { openSqliteSource, type SqliteReaderOptions } from './sqlite.ts';
import type { SourceReader } from './types.ts';
import { parseDatabaseUrl } from './url.ts';

export interface OpenSourceOptions {
  /** Open WebUI's DATABASE_SCHEMA (PostgreSQL only). */
  schema?: string | null;
  /** Base folder for relative sqlite:/// paths (default: the process's cwd). */
  cwd?: string;
  batchSize?: number;
  sqlite?: Omit<SqliteReaderOptions, 'batchSize'>;
  postgres?: Omit<PostgresReaderOptions, 'batchSize'>;
}

/**
 * Opens a read-only reader over the Open WebUI database named by a DATABASE_URL (any form Open
 * WebUI accepts) or a path to webui.db. Connects and checks the tables before resolving, so a
 * wrong URL fails here with a message a person can act on (never containing the password).
 */
export async function openSource(urlOrPath: string, options: OpenSourceOptions = {}): Promise<SourceReader> {
  const target = parseDatabaseUrl(urlOrPath, { schema: options.schema, cwd: options.cwd });
  if (target.dialect === 'sqlite') {
    return openSqliteSource(target.path, { ...options.sqlite, batchSize: options.batchSize });
  }
  return openPostgresSource(target, { ...options.postgres, batchSize: options.batchSize });
}
