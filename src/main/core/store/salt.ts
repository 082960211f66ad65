import crypto from 'node:crypto';
import { sql, type Kysely } from 'kysely';
import type { Database } from './schema.ts';

// Several workstations may share one analytics database only if they share the salt; otherwise
// the same person would appear under different hashes. The database keeps a fingerprint of the
// salt (never the salt) and a workstation whose fingerprint differs refuses to write.

export const SALT_FINGERPRINT_KEY = 'salt_fingerprint';

/** A non-reversible, versioned fingerprint of the salt: sha256 hex, first 16 characters. */
export function saltFingerprint(salt: string): string {
  return crypto.createHash('sha256').update(`cogniforce-salt-v1:${salt}`, 'utf8').digest('hex').slice(0, 16);
}

/**
 * Stores the fingerprint if the database has none yet ('stored'), else compares ('match' or
 * 'mismatch'). Race-safe: of two first writers exactly one stores, the other compares.
 */
export async function checkOrStoreSaltFingerprint(db: Kysely<Database>, fingerprint: string): Promise<'stored' | 'match' | 'mismatch'> {
  const inserted = await db
    .insertInto('app_meta')
    .values({ key: SALT_FINGERPRINT_KEY, value: fingerprint })
    .onConflict((oc) => oc.column('key').doNothing())
    .returning('key')
    .executeTakeFirst();
  if (inserted) return 'stored';
  const row = await db.selectFrom('app_meta').select('value').where('key', '=', SALT_FINGERPRINT_KEY).executeTakeFirst();
  return row?.value === fingerprint ? 'match' : 'mismatch';
}

/** The stored fingerprint, or null when no workstation has written yet. */
export async function storedSaltFingerprint(db: Kysely<Database>): Promise<string | null> {
  const row = await db.selectFrom('app_meta').select('value').where('key', '=', SALT_FINGERPRINT_KEY).executeTakeFirst();
  return row?.value ?? null;
}

/**
 * Replaces the stored fingerprint. Only for an admin who deliberately re-keys an empty (or
 * to-be-rebuilt) database: existing hashes would no longer match the new salt.
 */
export async function replaceSaltFingerprint(db: Kysely<Database>, fingerprint: string): Promise<void> {
  await db
    .insertInto('app_meta')
    .values({ key: SALT_FINGERPRINT_KEY, value: fingerprint })
    .onConflict((oc) => oc.column('key').doUpdateSet({ value: sql<string>`excluded.value` }))
    .execute();
}
