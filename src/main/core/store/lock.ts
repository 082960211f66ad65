import os from 'node:os';
import pg from 'pg';
import { explainConnectionError } from './connect.ts';

// One run at a time per analytics database, across processes and workstations (SPEC
// "Concurrency"). A session-level advisory lock on a dedicated connection that stays open for
// the whole run: PostgreSQL releases it when that connection ends, so a crashed process (or a
// workstation that lost its network) frees the lock without anyone cleaning up. Advisory lock
// keys live per database, so different analytics databases on one server do not interfere.

/** Constant key of the run lock (an arbitrary 63-bit number, unique to this application). */
export const RUN_LOCK_KEY = 4_238_179_903_712_466_881n;

export interface RunLockHolder {
  host: string | null;
  /** Epoch seconds the holder's run started (or its lock connection opened). */
  since: number | null;
  pid: number | null;
}

export interface HeldRunLock {
  acquired: true;
  /** Unlocks and closes the dedicated connection. Safe to call more than once. */
  release(): Promise<void>;
  /** Set when the lock connection broke: the lock is gone and the run should stop. */
  readonly lostError: Error | null;
}

export type RunLockResult = HeldRunLock | { acquired: false; holder: RunLockHolder };

function formatSince(since: number | null): string {
  if (since === null) return 'an unknown time';
  const d = new Date(since * 1000);
  const pad = (n: number): string => String(n).padStart(2, '0');
  const offsetMin = -d.getTimezoneOffset();
  const sign = offsetMin >= 0 ? '+' : '-';
  const offset = `${sign}${pad(Math.floor(Math.abs(offsetMin) / 60))}:${pad(Math.abs(offsetMin) % 60)}`;
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${pad(d.getHours())}:${pad(d.getMinutes())} (UTC${offset})`;
}

export class RunLockedError extends Error {
  constructor(readonly holder: RunLockHolder) {
    const who = holder.host ? `${holder.host}${holder.pid !== null ? ` (process ${holder.pid})` : ''}` : 'another workstation';
    super(`A run is already in progress on ${who} since ${formatSince(holder.since)}.`);
    this.name = 'RunLockedError';
  }
}

/** The application name the lock connection announces, so a holder can be identified even before its run row exists. */
function lockApplicationName(): string {
  return `cogniforce-run:${os.hostname()}:${process.pid}`.slice(0, 63);
}

type LockTarget = string | pg.Pool;

interface Lease {
  client: pg.ClientBase;
  /** Ends the connection for good: a session lock must never go back into a pool. */
  close(): Promise<void>;
}

async function openLease(target: LockTarget): Promise<Lease> {
  if (typeof target === 'string') {
    const client = new pg.Client({
      connectionString: target,
      application_name: lockApplicationName(),
      keepAlive: true,
      connectionTimeoutMillis: 10_000,
    });
    try {
      await client.connect();
    } catch (error) {
      throw explainConnectionError(error, target);
    }
    return { client, close: () => client.end() };
  }
  const client = await target.connect();
  await client.query('SELECT set_config($1, $2, false)', ['application_name', lockApplicationName()]);
  return {
    client,
    close: async () => {
      client.release(true);
    },
  };
}

/** Who holds the lock: the 'running' run row, else the lock connection's announced name. */
async function findHolder(client: pg.ClientBase): Promise<RunLockHolder> {
  try {
    const run = await client.query<{ host: string | null; since: Date | null; pid: number | null }>(
      `SELECT host, started_at AS since, pid FROM processing_log WHERE status = 'running' ORDER BY started_at DESC, id DESC LIMIT 1`,
    );
    const row = run.rows[0];
    if (row) return { host: row.host, since: row.since ? row.since.getTime() / 1000 : null, pid: row.pid };
  } catch {
    // Not migrated yet: fall through to pg_stat_activity.
  }
  try {
    const activity = await client.query<{ application_name: string | null; since: Date | null }>(
      `SELECT a.application_name, a.backend_start AS since
         FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid
        WHERE l.locktype = 'advisory' AND l.granted AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database())
          AND l.objsubid = 1 AND ((l.classid::bigint << 32) | l.objid::bigint) = $1::bigint
        LIMIT 1`,
      [RUN_LOCK_KEY.toString()],
    );
    const row = activity.rows[0];
    if (row) {
      const match = /^cogniforce-run:(.*):(\d+)$/.exec(row.application_name ?? '');
      return {
        host: match?.[1] ?? null,
        since: row.since ? row.since.getTime() / 1000 : null,
        pid: match?.[2] ? Number(match[2]) : null,
      };
    }
  } catch {
    // Visibility of other sessions can be restricted; an unknown holder is still a holder.
  }
  return { host: null, since: null, pid: null };
}

/**
 * Tries to take the run lock without waiting. `target` is the analytics URL (a new dedicated
 * connection) or a pg Pool (one of its connections is taken out for the run and closed after).
 */
export async function tryAcquireRunLock(target: LockTarget): Promise<RunLockResult> {
  const lease = await openLease(target);
  let lostError: Error | null = null;
  const onError = (error: Error): void => {
    lostError = error;
  };
  lease.client.on('error', onError);
  let acquired = false;
  try {
    const result = await lease.client.query<{ locked: boolean }>('SELECT pg_try_advisory_lock($1::bigint) AS locked', [RUN_LOCK_KEY.toString()]);
    acquired = result.rows[0]?.locked === true;
    if (!acquired) {
      const holder = await findHolder(lease.client);
      return { acquired: false, holder };
    }
  } catch (error) {
    throw typeof target === 'string' ? explainConnectionError(error, target) : error;
  } finally {
    if (!acquired) {
      lease.client.off('error', onError);
      await lease.close().catch(() => undefined);
    }
  }

  let released = false;
  return {
    acquired: true,
    get lostError() {
      return lostError;
    },
    release: async () => {
      if (released) return;
      released = true;
      try {
        if (!lostError) await lease.client.query('SELECT pg_advisory_unlock($1::bigint)', [RUN_LOCK_KEY.toString()]);
      } catch {
        // Closing the connection below frees the lock anyway.
      } finally {
        lease.client.off('error', onError);
        // Keep a listener: a late socket error after release must not crash the process.
        lease.client.on('error', () => undefined);
        await lease.close().catch(() => undefined);
      }
    },
  };
}
