import { execFileSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import zlib from 'node:zlib';
import fc from 'fast-check';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { createAppContext } from '../../src/main/core/app/context.ts';
import { configureLogging, disableLogging, getLogger } from '../../src/main/core/log/index.ts';
import { EXPORT_KINDS } from '../../src/main/core/reports/index.ts';
import { KeyringSecretStore, MemorySecretStore, openSecretStore, SECRET_KEYS, type SecretKey, type SecretStore } from '../../src/main/core/secrets/store.ts';
import type { OpenWebUiUserRecord } from '../../src/main/core/source/openwebui-writer.ts';
import { startServer, type RunningServer } from '../../src/main/server/serve.ts';
import type { DiagnosticsResultDto, ExportJobState, JobState, SaltExportDto, SaltImportDto, SettingsView } from '../../src/shared/types.ts';
import { startFakeOpenAI, type FakeOpenAI } from '../support/fake-openai-server.ts';
import { createOpenWebUiSource, T0 } from '../support/openwebui-fixture.ts';
import { adminUrl } from '../support/pg.ts';
import { realisticChats } from '../support/realistic-chats.ts';
import { ConsoleRecorder } from './support/http-recorder.ts';
import { base64Cores, describeHits, LeakScanner, listFiles, type PlantedSecret } from './support/leak-scanner.ts';

// No secret at rest or in transit where it does not belong. Distinctive secrets are planted
// (OpenAI key, analytics and source database passwords typed into URLs, salt, embedded database
// password); the console is set up the way the first-run screens do it — over the `serve`
// transport, through the handler registry — runs a backfill against the OpenAI-compatible test
// server (which only answers to the planted key), exports every report kind, writes a
// diagnostics bundle, exports and re-imports the salt, and is read through every read channel.
// Then everything it left behind is scanned: the user-data folder (settings, logs, exports,
// diagnostics, the embedded cluster's files), the PDFs' text and inflated streams, every row of
// both analytics databases, and every byte the browser received (responses and the event
// stream). The keychain (and the salt file written on purpose) is the only place the secrets may be.

const hex = (bytes: number): string => crypto.randomBytes(bytes).toString('hex');

const SECRETS = {
  openai: `sk-proj-LeakCanary${hex(16)}`,
  // Characters that must be percent-encoded inside a URL, so the URL-encoded form differs.
  analyticsPassword: `An@lytics/Pw+${hex(10)}`,
  sourcePassword: `S0urce#Pw&${hex(10)}`,
  salt: `salt-canary-${hex(16)}`,
  embeddedPassword: `Emb3dded-canary-${hex(10)}`,
};

const PLANTED: PlantedSecret[] = [
  { name: 'OpenAI key', value: SECRETS.openai },
  { name: 'analytics DB password', value: SECRETS.analyticsPassword },
  { name: 'source DB password', value: SECRETS.sourcePassword },
  { name: 'salt', value: SECRETS.salt },
  { name: 'embedded DB password', value: SECRETS.embeddedPassword },
];

// People: the analytics database stores only salted hashes, never ids, names or e-mails.
const USERS: OpenWebUiUserRecord[] = ['eva', 'peter', 'emma'].map((first) => ({
  id: crypto.randomUUID(),
  name: `Canary ${first} ${hex(4)}`,
  email: `${first}.canary.${hex(4)}@example.org`,
  role: 'user',
  timezone: 'Europe/Budapest',
  createdAt: T0 - 86_400,
}));
const PII: PlantedSecret[] = USERS.flatMap((u) => [
  { name: `user id of ${u.name}`, value: u.id },
  { name: `name of ${u.name}`, value: u.name },
  { name: `e-mail of ${u.name}`, value: u.email },
]);

const FROM = '2026-01-07';
const TO = '2026-01-08';
const requireKeychain = process.env.CI === 'true' || process.env.COGNIFORCE_TEST_KEYRING === '1';
const service = `cogniforce-leak-${hex(4)}`;

let keychain: SecretStore;
let usesOsKeychain = false;
let home: string;
let exportDir: string;
let rendererDir: string;
let llm: FakeOpenAI;
let server: RunningServer;
let recorder: ConsoleRecorder;
let sourceUrl: string;
let analyticsUrl: string;
let analyticsAdminUrl: string;
let embeddedUrl: string;
let diagnosticsFile: string;
const cleanups: Array<() => Promise<unknown>> = [];

async function admin<T>(database: string | null, work: (client: pg.Client) => Promise<T>): Promise<T> {
  const url = new URL(adminUrl());
  if (database) url.pathname = `/${database}`;
  const client = new pg.Client({ connectionString: url.toString() });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

function userUrl(base: string, user: string, password: string, database: string): string {
  const u = new URL(base);
  return `postgresql://${user}:${encodeURIComponent(password)}@${u.host}/${database}`;
}

/** Conversations a finished run job processed (the job union also carries exports). */
function processedBy(job: JobState): number {
  const result: unknown = job.result;
  return result && typeof result === 'object' && 'processed' in result && typeof result.processed === 'number' ? result.processed : 0;
}

async function waitForJob(job: JobState): Promise<JobState> {
  const done = await server.runtime.jobs.waitFor(job.id);
  // What the console shows afterwards, recorded like every other answer.
  await recorder.data('jobs.current');
  return done;
}

/** Every channel a screen reads, with the rows it would open. */
async function readEverything(): Promise<void> {
  const period = { from: FROM, to: TO };
  await recorder.data('app.info');
  await recorder.data('settings.get');
  await recorder.data('secrets.status');
  await recorder.data('dashboard.summary', period);
  await recorder.data('dashboard.trend', period);
  await recorder.data('dashboard.topUsers', { ...period, limit: 100 });
  await recorder.data('dashboard.categories', period);
  await recorder.data('dashboard.models', period);
  const users = await recorder.data<{ rows: Array<{ userHash: string }> }>('users.list', { pageSize: 500 });
  for (const u of users.rows.slice(0, 2)) await recorder.data('dashboard.summary', { ...period, user: u.userHash });
  const list = await recorder.data<{ rows: Array<{ conversationId: string }> }>('conversations.list', { ...period, pageSize: 500 });
  expect(list.rows.length).toBeGreaterThan(0);
  for (const row of list.rows) await recorder.data('conversations.get', { conversationId: row.conversationId });
  await recorder.data('conversations.skips', { pageSize: 500 });
  await recorder.data('conversations.failures', { pageSize: 500 });
  await recorder.data('runs.list', { pageSize: 500 });
  await recorder.data('runs.defaultRange');
  await recorder.data('jobs.current');
  await recorder.data('jobs.current', { lane: 'export' });
  await recorder.data('health.check');
  await recorder.data('schedule.get');
  await recorder.data('schedule.preview', { cron: '0 0 * * *' });
  await recorder.data('salt.status');
  for (const kind of EXPORT_KINDS) await recorder.data('reports.defaultTarget', { ...period, kind });
  await recorder.data('logs.tail', { lines: 2000 });
  await recorder.data('logs.tail', { lines: 2000, level: 'debug', search: 'postgres' });
}

/** Every report kind through the Reports screen's channel; relative names land in <data>/exports. */
async function exportAll(phase: string): Promise<void> {
  for (const kind of EXPORT_KINDS) {
    const job = await recorder.data<ExportJobState>('reports.export', { from: FROM, to: TO, kind, path: `${phase}-${kind}` });
    const done = await server.runtime.jobs.waitFor(job.id);
    expect(done.status, JSON.stringify(done.error)).toBe('completed');
    await recorder.data('jobs.current', { lane: 'export' });
  }
}

/** What a reader of the PDF sees (pdftotext) and every compressed stream inside it, inflated. */
function pdfContents(file: string): Buffer[] {
  return [Buffer.from(execFileSync('pdftotext', ['-enc', 'UTF-8', file, '-'])), ...inflatedStreams(fs.readFileSync(file))];
}

function inflatedStreams(bytes: Buffer): Buffer[] {
  const parts: Buffer[] = [];
  let at = 0;
  for (;;) {
    const start = bytes.indexOf('stream', at, 'latin1');
    if (start < 0) break;
    const bodyStart = start + 'stream'.length + (bytes[start + 6] === 0x0d ? 2 : 1);
    const end = bytes.indexOf('endstream', bodyStart, 'latin1');
    if (end < 0) break;
    try {
      parts.push(zlib.inflateSync(bytes.subarray(bodyStart, end)));
    } catch {
      // not a Flate stream (or an image): its raw bytes are scanned with the file itself
    }
    at = end + 'endstream'.length;
  }
  return parts;
}

beforeAll(async () => {
  // The real OS keychain when there is one (scripts/with-keyring.sh); otherwise, outside CI, an
  // in-memory store, so the scan still runs in a developer shell.
  const opened = await openSecretStore({}, service);
  usesOsKeychain = opened.status().available;
  if (!usesOsKeychain && requireKeychain) throw new Error(`An OS keychain is required here but none is reachable: ${opened.status().message}`);
  keychain = usesOsKeychain ? opened : new MemorySecretStore();
  cleanups.push(async () => {
    if (usesOsKeychain) for (const key of SECRET_KEYS) await new KeyringSecretStore(service).delete(key).catch(() => undefined);
  });

  home = fs.mkdtempSync(path.join(os.tmpdir(), 'cogniforce-leak-home-'));
  exportDir = fs.mkdtempSync(path.join(os.tmpdir(), 'cogniforce-leak-exports-'));
  rendererDir = fs.mkdtempSync(path.join(os.tmpdir(), 'cogniforce-leak-renderer-'));
  fs.writeFileSync(path.join(rendererDir, 'index.html'), '<!doctype html><title>console</title>');
  cleanups.push(async () => {
    for (const dir of [home, exportDir, rendererDir]) fs.rmSync(dir, { recursive: true, force: true });
  });
  configureLogging({ dir: path.join(home, 'logs'), level: 'debug' });

  // The OpenAI-compatible server answers only to the planted key: a successful run proves it was used.
  llm = await startFakeOpenAI({ apiKey: SECRETS.openai, latencyMs: 2 });
  cleanups.push(() => llm.close());

  // Open WebUI in PostgreSQL, read through a role whose password is planted.
  const chats = realisticChats(40, 7).map((c, i) => ({ ...c, userId: USERS[i % USERS.length]!.id }));
  const source = await createOpenWebUiSource({ dialect: 'postgres', generation: '0.11', users: USERS, chats });
  const sourceDb = new URL(source.url).pathname.slice(1);
  const sourceRole = `leak_src_${hex(4)}`;
  await admin(sourceDb, async (c) => {
    await c.query(`CREATE ROLE ${sourceRole} LOGIN PASSWORD ${pg.escapeLiteral(SECRETS.sourcePassword)}`);
    await c.query(`GRANT SELECT ON ALL TABLES IN SCHEMA public TO ${sourceRole}`);
  });
  sourceUrl = userUrl(source.url, sourceRole, SECRETS.sourcePassword, sourceDb);

  // The analytics database on a server of its own role, password planted too.
  const analyticsRole = `leak_an_${hex(4)}`;
  await admin(null, async (c) => {
    await c.query(`CREATE ROLE ${analyticsRole} LOGIN PASSWORD ${pg.escapeLiteral(SECRETS.analyticsPassword)}`);
    await c.query(`CREATE DATABASE ${analyticsRole} OWNER ${analyticsRole}`);
  });
  analyticsUrl = userUrl(adminUrl(), analyticsRole, SECRETS.analyticsPassword, analyticsRole);
  analyticsAdminUrl = (() => {
    const u = new URL(adminUrl());
    u.pathname = `/${analyticsRole}`;
    return u.toString();
  })();

  // The salt as an admin imports it from another workstation, and the embedded database's
  // password as the app keeps it: both only ever in the keychain.
  await keychain.set('salt', SECRETS.salt);
  await keychain.set('embedded-db-password', SECRETS.embeddedPassword);

  const env = { COGNIFORCE_HOME: home };
  const context = await createAppContext({ env, secrets: keychain, onLog: (line) => getLogger('db').debug(line) });
  expect(context.dataDir).toBe(home);
  server = await startServer(context, {
    rendererDir,
    runtime: { env, log: { error: (message, error) => getLogger('server').error(message, error) } },
  });
  cleanups.push(() => server.close());
  recorder = new ConsoleRecorder(server.port, server.token);
  await recorder.startEvents();
}, 180_000);

afterAll(async () => {
  recorder?.stopEvents();
  disableLogging();
  for (const close of cleanups.reverse()) await close().catch(() => undefined);
});

describe('no secret where it does not belong', () => {
  const scanner = new LeakScanner(PLANTED);
  const pii = new LeakScanner(PII);
  const figures: Record<string, number> = {};

  test('setup, backfill, exports, every read channel; then nothing but the keychain holds a secret', { timeout: 300_000 }, async () => {
    // ---- first-run setup, as the screens do it -------------------------------------------------
    await recorder.get('/');
    await recorder.data('app.info');
    await recorder.data('settings.get');
    await recorder.data('secrets.status');
    const tested = await recorder.data<{ ok: boolean; message: string }>('setup.testSource', { url: sourceUrl });
    expect(tested, tested.message).toMatchObject({ ok: true });
    await recorder.data('settings.update', { patch: { source: { url: sourceUrl } } });
    await recorder.data('secrets.set', { key: 'openai-api-key', value: SECRETS.openai });
    await recorder.data('settings.update', { patch: { llm: { estimator: 'llm', baseUrl: llm.url, requestsPerMinute: 6000, concurrency: 4, maxRetries: 1 } } });
    expect(await recorder.data('setup.testLlm')).toMatchObject({ ok: true });
    expect(await recorder.data('setup.testAnalytics', { mode: 'url', url: analyticsUrl })).toMatchObject({ ok: true });
    const saved = await recorder.data<SettingsView>('settings.update', { patch: { analytics: { mode: 'url', url: analyticsUrl } } });
    expect(saved.settings.analytics.mode).toBe('url');
    await recorder.data('setup.migrate');
    expect(await recorder.data('setup.testAnalytics')).toMatchObject({ ok: true });
    expect(await recorder.data('app.info')).toMatchObject({ setup: { complete: true } });

    // Failures whose driver messages could carry a URL: a wrong port, a missing database.
    const refusedPort = sourceUrl.replace(/:(\d+)\//, ':9/');
    expect(await recorder.data('setup.testSource', { url: refusedPort })).toMatchObject({ ok: false });
    expect(await recorder.data('setup.testSource', { url: sourceUrl.replace(/\/[^/]+$/, '/no_such_db') })).toMatchObject({ ok: false });
    expect(await recorder.data('setup.testAnalytics', { mode: 'url', url: analyticsUrl.replace(/:(\d+)\//, ':9/') })).toMatchObject({ ok: false });
    expect(await recorder.data('setup.testAnalytics', { mode: 'url', url: analyticsUrl.replace('Pw%2B', 'Pw-') })).toMatchObject({ ok: false });
    expect(await recorder.call('settings.update', { patch: { analytics: { mode: 'url', url: 'not a url' } }, extra: SECRETS.openai })).toMatchObject({ ok: false });

    // ---- a backfill that uses the key ---------------------------------------------------------
    const started = await recorder.data<JobState>('runs.start', { from: FROM, to: TO, kind: 'backfill' });
    const finished = await waitForJob(started);
    expect(finished.status, JSON.stringify(finished.error)).toBe('completed');
    expect(processedBy(finished)).toBeGreaterThan(0);
    const chatCalls = llm.requests.filter((r) => r.index >= 0);
    expect(chatCalls.length).toBeGreaterThan(0);
    for (const r of chatCalls) expect(r.authorization).toBe(`Bearer ${SECRETS.openai}`);
    await readEverything();
    await exportAll('url');

    // Careless callers: the log hook must mask what they pass.
    getLogger('db').error('connect failed', { url: analyticsUrl, password: SECRETS.analyticsPassword, headers: { Authorization: `Bearer ${SECRETS.openai}` } });
    getLogger('llm').warn(`request with key ${SECRETS.openai} failed; DATABASE_URL=${sourceUrl}`);
    getLogger('app').info('secrets', { salt: SECRETS.salt, embeddedPassword: SECRETS.embeddedPassword, apiKey: SECRETS.openai });
    getLogger('app').error(new Error(`cannot open ${sourceUrl}`));

    // ---- the embedded database ----------------------------------------------------------------
    await recorder.data('settings.update', { patch: { analytics: { mode: 'embedded' } } });
    await recorder.data('setup.migrate');
    expect(await recorder.data('setup.testAnalytics')).toMatchObject({ ok: true });
    const again = await waitForJob(await recorder.data<JobState>('runs.start', { from: FROM, to: TO, kind: 'backfill', force: true }));
    expect(again.status, JSON.stringify(again.error)).toBe('completed');
    await readEverything();
    await exportAll('embedded');

    // ---- support and privacy screens ----------------------------------------------------------
    const bundle = await recorder.data<DiagnosticsResultDto>('health.diagnostics');
    expect(bundle).toMatchObject({ saved: true });
    expect(bundle.path!.startsWith(home)).toBe(true);
    expect(fs.statSync(bundle.path!).size).toBeGreaterThan(1000);
    diagnosticsFile = bundle.path!;
    // The salt file is written on purpose, outside the user-data folder; the answer carries a fingerprint only.
    const saltFile = path.join(exportDir, 'cogniforce-salt.txt');
    const exported = await recorder.data<SaltExportDto>('salt.export', { path: saltFile, confirm: true });
    expect(exported).toMatchObject({ saved: true, path: saltFile });
    expect(fs.readFileSync(saltFile, 'utf8')).toContain(SECRETS.salt);
    expect(fs.statSync(saltFile).mode & 0o777).toBe(0o600);
    const reimported = await recorder.data<SaltImportDto>('salt.import', { path: saltFile, confirm: true });
    expect(reimported.changed).toBe(false);
    expect(await recorder.data<SaltImportDto>('salt.import', { salt: SECRETS.salt, confirm: true })).toMatchObject({ changed: false });
    expect(await recorder.call('salt.import', { salt: `${SECRETS.salt}-other`, confirm: true })).toMatchObject({ ok: false });
    expect(await recorder.call('salt.export', { path: saltFile, confirm: true })).toMatchObject({ ok: false });
    fs.rmSync(saltFile);
    const handle = await server.runtime.contexts.analytics();
    expect(handle.embedded).not.toBeNull();
    embeddedUrl = handle.url;
    expect(decodeURIComponent(new URL(embeddedUrl).password)).toBe(SECRETS.embeddedPassword);

    // ---- where the secrets are: the keychain, one entry each ------------------------------------
    const expected: Record<SecretKey, string> = {
      'openai-api-key': SECRETS.openai,
      'source-db-password': SECRETS.sourcePassword,
      'analytics-db-password': SECRETS.analyticsPassword,
      salt: SECRETS.salt,
      'embedded-db-password': SECRETS.embeddedPassword,
    };
    const reader = usesOsKeychain ? new KeyringSecretStore(service) : keychain;
    for (const [key, value] of Object.entries(expected) as Array<[SecretKey, string]>) expect(await reader.get(key), key).toBe(value);
    const settingsFile = JSON.parse(fs.readFileSync(path.join(home, 'settings.json'), 'utf8')) as { source: { url: string }; analytics: { mode: string; url?: string } };
    expect(settingsFile.source.url).toBe(sourceUrl.replace(`:${encodeURIComponent(SECRETS.sourcePassword)}@`, '@'));
    expect(settingsFile.analytics).toEqual({ mode: 'embedded' });

    // ---- the databases, row by row --------------------------------------------------------------
    let mark = { ...scanner.tally };
    /** What the scan read since the last mark, for the report. */
    const section = (name: string): void => {
      const t = scanner.tally;
      figures[`${name}Files`] = t.files - mark.files;
      figures[`${name}Bytes`] = t.bytes - mark.bytes;
      if (t.rows > mark.rows) figures[`${name}Rows`] = t.rows - mark.rows;
      if (t.responses > mark.responses) figures[`${name}Responses`] = t.responses - mark.responses;
      mark = { ...t };
    };
    const dumps = [await scanner.scanDatabase('analytics (url)', analyticsAdminUrl), await scanner.scanDatabase('analytics (embedded)', embeddedUrl)];
    for (const d of dumps) expect(d.rows).toBeGreaterThan(10);
    const piiDumps = [await pii.scanDatabase('analytics (url)', analyticsAdminUrl), await pii.scanDatabase('analytics (embedded)', embeddedUrl)];
    figures.dbTables = dumps.reduce((n, d) => n + d.tables, 0);
    section('db');
    expect(piiDumps.flatMap((d) => d.hits)).toEqual([]);

    await server.close();
    recorder.stopEvents();
    disableLogging();

    // ---- files: the user-data folder (settings, logs, embedded cluster) and the exports ------------
    const homeFiles = listFiles(home);
    expect(homeFiles.some((f) => f.endsWith('settings.json'))).toBe(true);
    expect(homeFiles.some((f) => f.endsWith('main.log'))).toBe(true);
    expect(homeFiles.some((f) => f.includes(`${path.sep}pgdata${path.sep}`))).toBe(true);
    const log = fs.readFileSync(path.join(home, 'logs', 'main.log'), 'utf8');
    expect(log).toContain('[REDACTED]');
    scanner.scanTree(home);
    section('userData');
    // Exports show "Name (email)" on purpose (resolved live from the source); nothing else may.
    pii.scanTree(home, (file) => file.startsWith(path.join(home, 'exports') + path.sep));
    expect(listFiles(exportDir)).toEqual([]);
    const exportFiles = listFiles(path.join(home, 'exports'));
    expect(exportFiles).toHaveLength(2 * EXPORT_KINDS.length);
    // The bundle support staff receive: JSON with health, settings, runs and the newest log lines.
    const diagnostics = JSON.parse(fs.readFileSync(diagnosticsFile, 'utf8')) as Record<string, unknown>;
    expect(Object.keys(diagnostics).length).toBeGreaterThan(3);
    expect(fs.readFileSync(diagnosticsFile, 'utf8')).toMatch(/main\.log|\[(info|debug)\]/);
    for (const file of exportFiles) {
      scanner.scanFile(file);
      if (file.endsWith('.pdf')) for (const [i, part] of pdfContents(file).entries()) scanner.scanBytes(`${file} (text/stream ${i})`, part);
    }

    section('exports');

    // ---- every byte the browser received ----------------------------------------------------------
    for (const r of recorder.responses) scanner.scanResponse(r.label, r.body);
    const events = recorder.eventStream();
    expect(events.toString('utf8')).toContain('event: jobs.update');
    scanner.scanResponse('GET /api/events (whole stream)', events);
    section('http');

    Object.assign(figures, { eventStreamBytes: events.length, needles: scanner.needles.length, totalBytes: scanner.tally.bytes });
    console.log(`leak scan: ${JSON.stringify({ keychain: usesOsKeychain ? 'os-keychain' : 'memory', ...figures, hits: scanner.hits.length, piiHits: pii.hits.length })}`);
    fs.mkdirSync('test-results', { recursive: true });
    fs.writeFileSync('test-results/security-leak-scan.json', JSON.stringify({ keychain: usesOsKeychain ? 'os-keychain' : 'memory', ...figures, hits: scanner.hits, piiHits: pii.hits }, null, 2));
    expect(describeHits(scanner.hits)).toBe('');
    expect(describeHits(pii.hits)).toBe('');
  });

  // ---- the scanner can fail: each channel of the scan finds a secret planted in it ------------------

  test('control: a secret planted in the user-data folder, in any simple encoding, is found', () => {
    const control = new LeakScanner(PLANTED);
    const dir = path.join(home, 'control');
    fs.mkdirSync(dir, { recursive: true });
    const basic = Buffer.from(`reader:${SECRETS.sourcePassword}`).toString('base64');
    fs.writeFileSync(path.join(dir, 'basic-auth.txt'), `Authorization: Basic ${basic}\n`);
    fs.writeFileSync(path.join(dir, 'url.txt'), `postgresql://cf:${encodeURIComponent(SECRETS.analyticsPassword)}@db/x`);
    fs.mkdirSync(path.join(dir, 'deep', 'er'), { recursive: true });
    fs.writeFileSync(path.join(dir, 'deep', 'er', 'plain.json'), JSON.stringify({ note: SECRETS.salt }));
    fs.writeFileSync(path.join(dir, 'utf16.txt'), Buffer.from(`key ${SECRETS.openai}`, 'utf16le'));
    const hits = control.scanTree(home);
    const found = new Set(hits.map((h) => `${h.secret}/${h.encoding.replace(/@\d$/, '')}/${path.basename(h.where)}`));
    expect(found).toContain('source DB password/base64/basic-auth.txt');
    expect(found).toContain('analytics DB password/url-encoded/url.txt');
    expect(found).toContain('salt/plain/plain.json');
    expect(found).toContain('OpenAI key/utf16le/utf16.txt');
    expect(hits.every((h) => h.where.startsWith(dir))).toBe(true);
  });

  test('control: a secret in a database row is found', async () => {
    const control = new LeakScanner(PLANTED);
    await admin(new URL(analyticsAdminUrl).pathname.slice(1), async (c) => {
      await c.query('CREATE TABLE leak_control (id int, payload jsonb)');
      await c.query('INSERT INTO leak_control VALUES (1, $1)', [JSON.stringify({ deep: { value: `x${SECRETS.embeddedPassword}y` } })]);
    });
    const { hits } = await control.scanDatabase('control', analyticsAdminUrl);
    expect(hits.map((h) => `${h.secret} ${h.where}`)).toEqual(['embedded DB password control:public.leak_control']);
  });

  test('control: a secret in a response body or a compressed PDF stream is found', () => {
    const control = new LeakScanner(PLANTED);
    expect(control.scanResponse('POST x', Buffer.from(JSON.stringify({ ok: true, data: { url: `https://h/?k=${encodeURIComponent(SECRETS.openai)}` } })))).toHaveLength(1);
    const pdf = path.join(exportDir, 'control.pdf');
    const stream = zlib.deflateSync(Buffer.from(`BT (${SECRETS.salt}) Tj ET`));
    fs.writeFileSync(pdf, Buffer.concat([Buffer.from('%PDF-1.4\n1 0 obj << /Filter /FlateDecode >>\nstream\n'), stream, Buffer.from('\nendstream\nendobj\n%%EOF\n')]));
    expect(control.scanFile(pdf)).toEqual([]);
    expect(inflatedStreams(fs.readFileSync(pdf)).flatMap((p) => control.scanBytes('pdf stream', p))).toHaveLength(1);
  });

  test('control: base64 of a secret is found at any alignment inside a longer blob', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 8 }), fc.uint8Array({ maxLength: 8 }), fc.constantFrom(...PLANTED), (before, after, secret) => {
        const blob = Buffer.concat([before, Buffer.from(secret.value), after]).toString('base64');
        const cores = base64Cores(secret.value);
        expect(cores.some((core) => blob.includes(core))).toBe(true);
      }),
      { numRuns: 300 },
    );
  });
});
