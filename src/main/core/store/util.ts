import type { Kysely, Transaction } from 'kysely';

// Small helpers shared by the store modules.

/**
 * Runs `fn` in a transaction, or directly when `db` already is one: the run commits rows and
 * the aggregates they touch in its own transaction, and Kysely cannot nest transactions.
 */
export async function inTransaction<DB, T>(db: Kysely<DB>, fn: (trx: Kysely<DB>) => Promise<T>): Promise<T> {
  if (db.isTransaction) return fn(db);
  return db.transaction().execute((trx: Transaction<DB>) => fn(trx));
}

export function chunk<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  const step = Math.max(1, Math.floor(size));
  for (let i = 0; i < items.length; i += step) out.push(items.slice(i, i + step));
  return out;
}

/** Epoch seconds → Date for a timestamptz parameter (null stays null). */
export function toTimestamp(epochSeconds: number | null | undefined): Date | null {
  if (epochSeconds === null || epochSeconds === undefined || !Number.isFinite(epochSeconds)) return null;
  return new Date(epochSeconds * 1000);
}

/** Date → epoch seconds (with milliseconds as the fraction, as stored). */
export function epochSeconds(date: Date): number {
  return date.getTime() / 1000;
}

export function epochSecondsOrNull(date: Date | null | undefined): number | null {
  return date ? date.getTime() / 1000 : null;
}

const DAY_RE = /^\d{4}-\d{2}-\d{2}$/;

/** Rejects anything but a real 'YYYY-MM-DD' day, with a message a person can act on. */
export function assertDay(value: string, name: string): string {
  if (!DAY_RE.test(value)) throw new RangeError(`${name} must be a day written YYYY-MM-DD, got "${value}".`);
  const [y, m, d] = value.split('-').map(Number) as [number, number, number];
  const date = new Date(Date.UTC(y, m - 1, d));
  if (date.getUTCFullYear() !== y || date.getUTCMonth() !== m - 1 || date.getUTCDate() !== d) {
    throw new RangeError(`${name} is not a calendar day: "${value}".`);
  }
  return value;
}
