import crypto from 'node:crypto';
import pg from 'pg';
import { inject } from 'vitest';

/** Creates an empty database on the test server and returns its URL. */
export async function createTestDatabase(prefix = 'test'): Promise<string> {
  const admin = inject('pgAdminUrl');
  const name = `${prefix}_${crypto.randomBytes(5).toString('hex')}`.toLowerCase().replace(/[^a-z0-9_]/g, '_');
  const client = new pg.Client({ connectionString: admin });
  await client.connect();
  try {
    await client.query(`CREATE DATABASE "${name}"`);
  } finally {
    await client.end();
  }
  const url = new URL(admin);
  url.pathname = `/${name}`;
  return url.toString();
}

/** The admin URL of the shared test server (database `postgres`). */
export function adminUrl(): string {
  return inject('pgAdminUrl');
}
