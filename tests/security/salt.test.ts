import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { sql, type Kysely } from 'kysely';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { createAppContext } from '../../src/main/core/app/context.ts';
import { defaultSettings } from '../../src/main/core/config/settings.ts';
import { closeRuntime, createHandlers, createRuntime, dispatch, type ConsoleRuntime } from '../../src/main/core/handlers.ts';
import { EnvSecretStore, MemorySecretStore, type SecretStore } from '../../src/main/core/secrets/store.ts';
import { openAnalyticsDb } from '../../src/main/core/store/connect.ts';
import { hashUserId } from '../../src/main/core/store/hash.ts';
import { SALT_FINGERPRINT_KEY, saltFingerprint } from '../../src/main/core/store/salt.ts';
import type { Database } from '../../src/main/core/store/schema.ts';
import type { Handlers } from '../../src/shared/contract.ts';
import type { JobState, SaltExportDto, SaltImportDto, SaltStatusDto, SecretsStatus } from '../../src/shared/types.ts';
import { createOpenWebUiSource, FIXTURE_USERS, type SourceFixture } from '../support/openwebui-fixture.ts';
import { createTestDatabase } from '../support/pg.ts';
import { realisticChats } from '../support/realistic-chats.ts';

// The salt: made when first needed and kept in the keychain only; the analytics database keeps a
// fingerprint of it; a second workstation with another salt refuses to write (and says what to
// do), and writes the same hashes once it has imported the first one's salt through Settings →
// Privacy (export to a private file, import from it, each only when confirmed).

const FROM = '2026-01-07';
const TO = '2026-01-08';
const TABLES = ['conversation_analysis', 'conversation_insights', 'daily_aggregates', 'user_engagement', 'processing_log', 'app_meta'] as const;

let analyticsUrl: string;
let source: SourceFixture;
let db: Kysely<Database>;
const opened: Workstation[] = [];
const scratch: string[] = [];

interface Workstation {
  runtime: ConsoleRuntime;
  handlers: Handlers;
  secrets: SecretStore;
  call(channel: keyof Handlers, args?: unknown): Promise<unknown>;
  run(force?: boolean): Promise<JobState>;
}

async function workstation(secrets: SecretStore): Promise<Workstation> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'cogniforce-salt-ws-'));
  scratch.push(dataDir);
  const settings = defaultSettings();
  settings.analytics = { mode: 'url', url: analyticsUrl };
  settings.source.url = source.url;
  settings.llm.estimator = 'heuristic';
  const context = await createAppContext({ settings: structuredClone(settings), dataDir, secrets, env: {} });
  const runtime = createRuntime(context, { env: {}, persisted: structuredClone(settings), writeFile: false, log: { error: () => undefined } });
  const handlers = createHandlers(runtime);
  const ws: Workstation = {
    runtime,
    handlers,
    secrets,
    async call(channel, args = {}) {
      const result = await dispatch(runtime, handlers, channel, args);
      if (!result.ok) throw new Error(`${channel}: ${result.error.code}: ${result.error.message}`);
      return result.data;
    },
    async run(force = false) {
      const job = (await ws.call('runs.start', { from: FROM, to: TO, kind: 'backfill', force })) as JobState;
      return runtime.jobs.waitFor(job.id);
    },
  };
  opened.push(ws);
  return ws;
}

/** Conversations a finished run job processed (the job union also carries exports). */
function processedBy(job: JobState): number {
  const result: unknown = job.result;
  return result && typeof result === 'object' && 'processed' in result && typeof result.processed === 'number' ? result.processed : 0;
}

async function counts(): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  for (const table of TABLES) {
    const row = await sql<{ n: string }>`SELECT count(*) AS n FROM ${sql.table(table)}`.execute(db);
    out[table] = Number(row.rows[0]!.n);
  }
  return out;
}

async function storedFingerprint(): Promise<string | undefined> {
  return (await db.selectFrom('app_meta').select('value').where('key', '=', SALT_FINGERPRINT_KEY).executeTakeFirst())?.value ?? undefined;
}

beforeAll(async () => {
  analyticsUrl = await createTestDatabase('salt_ws');
  source = await createOpenWebUiSource({ dialect: 'sqlite', generation: '0.11', users: FIXTURE_USERS, chats: realisticChats(9, 3) });
  db = openAnalyticsDb(analyticsUrl);
});

afterAll(async () => {
  for (const ws of opened) await closeRuntime(ws.runtime).catch(() => undefined);
  await db?.destroy();
  await source?.cleanup();
  for (const dir of scratch) fs.rmSync(dir, { recursive: true, force: true });
});

describe('salt', () => {
  let saltA: string;
  let saltFile: string;

  test('made on first use, kept in the keychain, never returned; the database keeps only its fingerprint', async () => {
    const keychain = new MemorySecretStore();
    const a = await workstation(keychain);
    expect(((await a.call('secrets.status')) as SecretsStatus).isSet.salt).toBe(false);
    const job = await a.run();
    expect(job.status, JSON.stringify(job.error)).toBe('completed');
    saltA = (await keychain.get('salt'))!;
    expect(saltA).toMatch(/^[0-9a-f]{64}$/);
    const status = (await a.call('secrets.status')) as SecretsStatus;
    expect(status.isSet.salt).toBe(true);
    expect(JSON.stringify(status)).not.toContain(saltA);

    expect(await storedFingerprint()).toBe(saltFingerprint(saltA));
    expect(saltFingerprint(saltA)).not.toContain(saltA.slice(0, 16));
    const hashes = await db.selectFrom('conversation_analysis').select('user_id_hash').distinct().execute();
    expect(hashes.map((h) => h.user_id_hash).sort()).toEqual(
      [...new Set(realisticChats(9, 3).map((c) => c.userId))].map((id) => hashUserId(saltA, id)).sort(),
    );
    // Not the salt, not a raw user id, anywhere in the database.
    for (const table of TABLES) {
      const dump = JSON.stringify((await sql`SELECT * FROM ${sql.table(table)}`.execute(db)).rows);
      expect(dump, table).not.toContain(saltA);
      for (const user of FIXTURE_USERS) expect(dump, table).not.toContain(`"${user.id}"`);
    }
  });

  test('a workstation with another salt refuses to write, and the message says what to do', async () => {
    const before = await counts();
    const b = await workstation(new MemorySecretStore());
    await b.secrets.set('salt', 'a-different-salt-of-another-workstation');
    const job = await b.run(true);
    expect(job.status).toBe('failed');
    expect(job.error?.code).toBe('salt_mismatch');
    expect(job.error?.message).toMatch(/different salt/);
    expect(job.error?.message).toMatch(/Import the salt used by the other workstations/);
    expect(job.error?.message).toMatch(/or point this workstation at its own analytics database/);
    // Nothing written: no run row, no analysis, no aggregate; the fingerprint stays the first one's.
    expect(await counts()).toEqual(before);
    expect(await storedFingerprint()).toBe(saltFingerprint(saltA));
    // What the Runs page shows.
    const current = (await b.call('jobs.current')) as { recent: JobState[] };
    expect(current.recent[0]).toMatchObject({ status: 'failed', error: { code: 'salt_mismatch' } });
  });

  test('export and import need confirmation, go through a private file and never answer with the salt', async () => {
    const a = opened[0]!;
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cogniforce-salt-file-'));
    scratch.push(dir);
    saltFile = path.join(dir, 'salt.txt');
    for (const args of [{ path: saltFile }, { path: saltFile, confirm: false }, { path: saltFile, confirm: 'yes' }]) {
      const refused = await dispatch(a.runtime, a.handlers, 'salt.export', args);
      expect(refused).toMatchObject({ ok: false, error: { code: 'validation', message: expect.stringMatching(/confirm/) } });
    }
    expect(fs.existsSync(saltFile)).toBe(false);
    const exported = (await a.call('salt.export', { path: saltFile, confirm: true })) as SaltExportDto;
    expect(exported).toEqual({ saved: true, path: saltFile, fingerprint: saltFingerprint(saltA) });
    expect(fs.statSync(saltFile).mode & 0o777).toBe(0o600);
    const text = fs.readFileSync(saltFile, 'utf8');
    expect(text.split('\n')).toContain(saltA);
    expect(text).toMatch(/THIS IS A SECRET/);
    expect(JSON.stringify(exported)).not.toContain(saltA);
    // A typed path never replaces a file.
    expect(await dispatch(a.runtime, a.handlers, 'salt.export', { path: saltFile, confirm: true })).toMatchObject({ ok: false, error: { message: expect.stringMatching(/already exists/) } });
    const b = await workstation(new MemorySecretStore());
    expect(await dispatch(b.runtime, b.handlers, 'salt.import', { path: saltFile })).toMatchObject({ ok: false, error: { code: 'validation' } });
    expect(await b.secrets.get('salt')).toBeNull();
  });

  test('a workstation that imported the first salt writes the same hashes, nothing twice', async () => {
    const before = await counts();
    const hashesBefore = (await db.selectFrom('conversation_analysis').select(['conversation_id', 'user_id_hash']).orderBy('conversation_id').execute());
    const b = await workstation(new MemorySecretStore());
    const waiting = (await b.call('salt.status')) as SaltStatusDto;
    expect(waiting).toMatchObject({ set: false, database: { fingerprint: saltFingerprint(saltA), hasData: true } });
    expect(waiting.database.message).toMatch(/import that salt/);
    const imported = (await b.call('salt.import', { path: saltFile, confirm: true })) as SaltImportDto;
    expect(imported).toMatchObject({ changed: true, status: { set: true, fingerprint: saltFingerprint(saltA), database: { matches: true } } });
    expect(JSON.stringify(imported)).not.toContain(saltA);
    expect(await b.secrets.get('salt')).toBe(saltA);
    const job = await b.run(true);
    expect(job.status, JSON.stringify(job.error)).toBe('completed');
    expect(processedBy(job)).toBeGreaterThan(0);
    const after = await counts();
    expect(after.conversation_analysis).toBe(before.conversation_analysis);
    expect(after.processing_log).toBe(before.processing_log! + 1);
    expect(await db.selectFrom('conversation_analysis').select(['conversation_id', 'user_id_hash']).orderBy('conversation_id').execute()).toEqual(hashesBefore);
  });

  test('a headless workstation shares the salt through ANALYTICS_SALT; without it and without a keychain it refuses with the way out', async () => {
    const missing = await workstation(new EnvSecretStore({}));
    const refused = await missing.run(true);
    expect(refused.status).toBe('failed');
    expect(refused.error?.code).toBe('config');
    expect(refused.error?.message).toMatch(/No salt for hashing user ids/);
    expect(refused.error?.message).toMatch(/ANALYTICS_SALT/);

    const headless = await workstation(new EnvSecretStore({ ANALYTICS_SALT: saltA }));
    const job = await headless.run(true);
    expect(job.status, JSON.stringify(job.error)).toBe('completed');

    const wrong = await workstation(new EnvSecretStore({ ANALYTICS_SALT: `${saltA}-typo` }));
    expect(await wrong.run(true)).toMatchObject({ status: 'failed', error: { code: 'salt_mismatch' } });
  });
});
