import path from 'node:path';
import { describe, expect, test } from 'vitest';
import { describePostgresTarget, parseDatabaseUrl, redactDatabaseUrl } from '../../../src/main/core/source/url.ts';
import { postgresClientConfig } from '../../../src/main/core/source/postgres.ts';

const cwd = '/srv/openwebui';

describe('parseDatabaseUrl', () => {
  test.each([
    ['postgresql://u:p@db:5432/webui', 'postgresql://u:p@db:5432/webui'],
    ['postgres://u:p@db/webui', 'postgresql://u:p@db/webui'],
    ['postgresql+psycopg2://u:p@db:5432/webui?sslmode=require', 'postgresql://u:p@db:5432/webui?sslmode=require'],
    ['postgresql+psycopg://u:p@db/webui?sslmode=verify-full&sslrootcert=/etc/ca.pem', 'postgresql://u:p@db/webui?sslmode=verify-full&sslrootcert=/etc/ca.pem'],
    ['  POSTGRESQL://u@db/webui  ', 'postgresql://u@db/webui'],
  ])('%s is PostgreSQL', (input, connectionString) => {
    expect(parseDatabaseUrl(input, { cwd })).toEqual({ dialect: 'postgres', connectionString });
  });

  test('DATABASE_SCHEMA is carried for PostgreSQL', () => {
    expect(parseDatabaseUrl('postgresql://u@db/webui', { schema: 'openwebui' })).toMatchObject({ schema: 'openwebui' });
    expect(parseDatabaseUrl('postgresql://u@db/webui', { schema: '  ' })).not.toHaveProperty('schema');
  });

  test.each([
    ['sqlite:///data/webui.db', path.resolve(cwd, 'data/webui.db')],
    ['sqlite:////app/backend/data/webui.db', '/app/backend/data/webui.db'],
    ['sqlite+aiosqlite:////app/backend/data/webui.db', '/app/backend/data/webui.db'],
    ['sqlite+aiosqlite:///webui.db?timeout=30', path.resolve(cwd, 'webui.db')],
    ['sqlite:///my%20data/webui.db', path.resolve(cwd, 'my data/webui.db')],
    ['/var/lib/open-webui/webui.db', '/var/lib/open-webui/webui.db'],
    ['backup/webui.db', path.resolve(cwd, 'backup/webui.db')],
    ['file:///tmp/webui.db', '/tmp/webui.db'],
  ])('%s is the SQLite file %s', (input, file) => {
    expect(parseDatabaseUrl(input, { cwd })).toEqual({ dialect: 'sqlite', path: file });
  });

  test('sqlcipher is refused with an actionable message', () => {
    expect(() => parseDatabaseUrl('sqlite+sqlcipher:///data/webui.db')).toThrow(/not supported.*decrypted copy/s);
  });

  test('other schemes and empty values are refused', () => {
    expect(() => parseDatabaseUrl('mysql://u:p@db/webui')).toThrow(/Unsupported database URL scheme "mysql"/);
    expect(() => parseDatabaseUrl('')).toThrow(/empty/);
    expect(() => parseDatabaseUrl('sqlite:///:memory:')).toThrow(/names no file/);
  });
});

describe('redactDatabaseUrl', () => {
  test.each([
    ['postgresql://owui:s3cr3t@db:5432/webui', 'postgresql://owui:***@db:5432/webui'],
    ['postgresql+psycopg2://owui:p%40ss%2Fw0rd@db/webui?sslmode=require', 'postgresql+psycopg2://owui:***@db/webui?sslmode=require'],
    ['postgresql://owui:pa/ss@word@db/webui', 'postgresql://owui:***@db/webui'],
    ['postgresql://db/webui?user=x&password=hunter2&sslmode=require', 'postgresql://db/webui?user=x&password=***&sslmode=require'],
    ['postgresql://owui@db/webui', 'postgresql://owui@db/webui'],
    ['sqlite:////data/webui.db', 'sqlite:////data/webui.db'],
  ])('%s → %s', (input, output) => {
    expect(redactDatabaseUrl(input)).toBe(output);
  });

  test('host, port and database for messages', () => {
    expect(describePostgresTarget('postgresql://u:secret@db.internal:6543/webui?sslmode=require')).toBe('db.internal:6543/webui');
    expect(describePostgresTarget('postgresql://u@db/webui')).toBe('db:5432/webui');
  });
});

describe('postgresClientConfig', () => {
  test('sessions are read-only even when the URL brings its own options', () => {
    const plain = postgresClientConfig({ connectionString: 'postgresql://u:p@db/webui?sslmode=require' });
    expect(plain.options).toBe('-c default_transaction_read_only=on');
    expect(plain.connectionString).toBe('postgresql://u:p@db/webui?sslmode=require');
    const custom = postgresClientConfig({ connectionString: 'postgresql://u:p@db/webui?options=-c%20default_transaction_read_only%3Doff&sslmode=disable' });
    expect(custom.connectionString).toBe('postgresql://u:p@db/webui?sslmode=disable');
    expect(custom.options).toBe('-c default_transaction_read_only=off -c default_transaction_read_only=on');
  });
});
