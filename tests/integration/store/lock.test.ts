import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import type { AnalyticsDb } from '../../../src/main/core/store/connect.ts';
import { RunLockedError, tryAcquireRunLock, type RunLockResult } from '../../../src/main/core/store/lock.ts';
import { markInterruptedRuns, runningRun, startRun } from '../../../src/main/core/store/runs.ts';
import { migratedDb } from './helpers.ts';

let db: AnalyticsDb;
let url: string;
const held: RunLockResult[] = [];

beforeEach(async () => {
  ({ db, url } = await migratedDb('lock'));
});
afterEach(async () => {
  await Promise.all(held.splice(0).map((l) => (l.acquired ? l.release() : undefined)));
});

async function acquire(target: string | pg.Pool = url): Promise<RunLockResult> {
  const result = await tryAcquireRunLock(target);
  held.push(result);
  return result;
}

const HOLDER = path.join(path.dirname(fileURLToPath(import.meta.url)), 'lock-holder.ts');

function startHolder(dbUrl: string): Promise<ChildProcess> {
  const child = spawn(process.execPath, ['--import', 'tsx', HOLDER, dbUrl], { stdio: ['ignore', 'pipe', 'pipe'] });
  return new Promise((resolve, reject) => {
    let out = '';
    let err = '';
    child.stdout!.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      if (out.includes('acquired')) resolve(child);
    });
    child.stderr!.on('data', (chunk: Buffer) => (err += chunk.toString()));
    child.once('exit', (code) => reject(new Error(`lock holder exited with ${code}: ${out}${err}`)));
  });
}

describe('run lock', () => {
  test('of two concurrent acquirers exactly one gets the lock; after release the other can', async () => {
    const results = await Promise.all([acquire(), acquire(), acquire()]);
    expect(results.filter((r) => r.acquired)).toHaveLength(1);
    const winner = results.find((r) => r.acquired);
    if (!winner?.acquired) throw new Error('unreachable');
    await winner.release();
    await winner.release(); // idempotent
    expect((await acquire()).acquired).toBe(true);
  });

  test('the loser learns who holds it from the running run row', async () => {
    const lock = await acquire();
    expect(lock.acquired).toBe(true);
    await startRun(db, {
      runDate: '2025-03-10',
      rangeFrom: '2025-03-10',
      rangeTo: '2025-03-10',
      forced: false,
      trigger: 'schedule',
      host: 'ws-finance-07',
      appVersion: '0.1.0',
      pid: 4242,
      estimator: 'llm:gpt-4o-mini',
    });
    const second = await acquire();
    expect(second.acquired).toBe(false);
    if (second.acquired) return;
    expect(second.holder).toMatchObject({ host: 'ws-finance-07', pid: 4242 });
    expect(Math.abs(second.holder.since! - Date.now() / 1000)).toBeLessThan(60);
    const error = new RunLockedError(second.holder);
    expect(error.message).toMatch(/^A run is already in progress on ws-finance-07 \(process 4242\) since \d{4}-\d{2}-\d{2} \d{2}:\d{2} \(UTC[+-]\d{2}:\d{2}\)\.$/);
  });

  test('before the run row exists the holder is identified from its lock connection', async () => {
    const lock = await acquire();
    expect(lock.acquired).toBe(true);
    const second = await acquire();
    if (second.acquired) throw new Error('expected the lock to be busy');
    expect(second.holder.pid).toBe(process.pid);
    expect(second.holder.host).toBeTruthy();
    expect(second.holder.since).not.toBeNull();
  });

  test('a crashed holder (process killed) frees the lock; its run is then marked interrupted', async () => {
    const child = await startHolder(url);
    try {
      const busy = await acquire();
      if (busy.acquired) throw new Error('expected the lock to be busy');
      expect(busy.holder).toMatchObject({ host: 'crashy-host', pid: child.pid });
    } finally {
      child.kill('SIGKILL');
    }
    await new Promise((resolve) => child.once('exit', resolve));
    // The server notices the dead socket at once (same machine); allow a moment regardless.
    let lock: RunLockResult = await acquire();
    for (let i = 0; i < 50 && !lock.acquired; i++) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      lock = await acquire();
    }
    expect(lock.acquired).toBe(true);
    expect((await runningRun(db))?.host).toBe('crashy-host');
    const interrupted = await markInterruptedRuns(db);
    expect(interrupted).toHaveLength(1);
    expect(interrupted[0]).toMatchObject({ status: 'interrupted', rangeFrom: '2025-03-08', rangeTo: '2025-03-10', host: 'crashy-host' });
    expect(await runningRun(db)).toBeNull();
  });

  test('a lock connection killed by the server frees the lock and reports it lost', async () => {
    const lock = await acquire();
    if (!lock.acquired) throw new Error('expected the lock');
    const admin = new pg.Client({ connectionString: url });
    await admin.connect();
    try {
      await admin.query(`SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name LIKE 'cogniforce-run:%' AND pid <> pg_backend_pid()`);
    } finally {
      await admin.end();
    }
    for (let i = 0; i < 50 && !lock.lostError; i++) await new Promise((resolve) => setTimeout(resolve, 50));
    expect(lock.lostError).toBeInstanceOf(Error);
    expect((await acquire()).acquired).toBe(true);
    await lock.release(); // must not throw on a dead connection
  });

  test('works from a pool too, without returning the locked session to it', async () => {
    const pool = new pg.Pool({ connectionString: url, max: 2 });
    try {
      const lock = await acquire(pool);
      expect(lock.acquired).toBe(true);
      expect((await acquire()).acquired).toBe(false);
      if (lock.acquired) await lock.release();
      expect(pool.totalCount).toBe(0);
      expect((await acquire()).acquired).toBe(true);
    } finally {
      await pool.end();
    }
  });

  test('locks of different analytics databases are independent', async () => {
    const other = await migratedDb('lock_other');
    expect((await acquire()).acquired).toBe(true);
    expect((await acquire(other.url)).acquired).toBe(true);
  });

  test('an unreachable server gives a readable error without the password', async () => {
    const bad = new URL(url);
    bad.port = '1';
    bad.password = 's3cret-pw';
    const error = await tryAcquireRunLock(bad.toString()).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(Error);
    expect((error as Error).message).toMatch(/Could not use the analytics database at postgres@127\.0\.0\.1:1\//);
    expect((error as Error).message).not.toContain('s3cret-pw');
  });
});
