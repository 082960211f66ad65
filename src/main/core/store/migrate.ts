import { Migrator, sql, type Kysely, type MigrationProvider, type Migration } from 'kysely';
import { migrations as bundledMigrations } from '../../../../migrations/index.ts';

// Brings the analytics database to the latest schema. Runs on every start and from the `migrate`
// command, possibly from several processes or workstations at once.

/**
 * Held for the whole migration, including the creation of Kysely's own bookkeeping tables,
 * which Kysely does before taking its lock (two processes racing there would otherwise depend on
 * its catch-and-recheck). A different key from Kysely's own lock and from the run lock.
 */
const MIGRATE_LOCK_KEY = 5_182_007_411_926_334_017n;

export class MigrationError extends Error {
  constructor(
    message: string,
    readonly migrationName: string | null,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'MigrationError';
  }
}

function providerFor(record: Record<string, Migration>): MigrationProvider {
  return { getMigrations: async () => record };
}

/**
 * Applies every pending migration and returns the names applied (empty when up to date).
 * `record` is for tests; the app always uses the bundled set.
 */
export async function migrateToLatest<DB>(
  db: Kysely<DB>,
  record: Record<string, Migration> = bundledMigrations,
): Promise<{ applied: string[] }> {
  // One pooled connection holds a session advisory lock and runs the migrator itself, so the
  // lock covers everything and works even with a pool of size 1.
  return db.connection().execute(async (conn) => {
    await sql`SELECT pg_advisory_lock(${sql.lit(MIGRATE_LOCK_KEY)})`.execute(conn);
    try {
      const migrator = new Migrator({ db: conn, provider: providerFor(record) });
      const { error, results } = await migrator.migrateToLatest();
      const applied = (results ?? []).filter((r) => r.status === 'Success').map((r) => r.migrationName);
      if (error !== undefined) {
        const failed = results?.find((r) => r.status === 'Error')?.migrationName ?? null;
        const reason = error instanceof Error ? error.message : String(error);
        throw new MigrationError(
          failed
            ? `Updating the analytics database failed in migration ${failed}: ${reason}. No change was kept (all pending migrations run in one transaction); fix the cause and start again.`
            : `Updating the analytics database failed: ${reason}.`,
          failed,
          { cause: error },
        );
      }
      return { applied };
    } finally {
      // If the connection died the lock died with it; do not mask the original error.
      await sql`SELECT pg_advisory_unlock(${sql.lit(MIGRATE_LOCK_KEY)})`.execute(conn).catch(() => undefined);
    }
  });
}

/** Names of applied migrations, oldest first (for health and diagnostics). */
export async function appliedMigrations<DB>(db: Kysely<DB>): Promise<string[]> {
  const migrator = new Migrator({ db, provider: providerFor(bundledMigrations) });
  const all = await migrator.getMigrations();
  return all.filter((m) => m.executedAt !== undefined).map((m) => m.name);
}

/** Names of bundled migrations that this database has not applied yet. */
export async function pendingMigrations<DB>(db: Kysely<DB>): Promise<string[]> {
  const migrator = new Migrator({ db, provider: providerFor(bundledMigrations) });
  const all = await migrator.getMigrations();
  return all.filter((m) => m.executedAt === undefined).map((m) => m.name);
}
