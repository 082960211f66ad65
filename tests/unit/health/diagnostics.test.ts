import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAppContext, type AppContext } from '../../../src/main/core/app/context.ts';
import { defaultSettings } from '../../../src/main/core/config/settings.ts';
import { gatherDiagnostics, writeDiagnosticsBundle } from '../../../src/main/core/health/diagnostics.ts';
import { MemorySecretStore } from '../../../src/main/core/secrets/store.ts';
import { finishRun, startRun } from '../../../src/main/core/store/runs.ts';
import { createTestDatabase } from '../../support/pg.ts';

// The diagnostics bundle leaves the machine, so every secret this workstation knows is planted
// where a careless bundle would pick it up — the keychain, environment variables, a password in
// the source URL (whose connection fails, so it lands in a health message), a run's error
// message, log lines with and without a "password=" label — and none may appear in the file,
// in any encoding. The bundle must still say which secrets are set.

const PLANTED = {
  apiKey: 'sk-proj-PLANTED0apiKey0123456789abcdef',
  salt: '9f8e7d6c5b4a39281706f5e4d3c2b1a0ffeeddccbbaa99887766554433221100',
  analyticsPassword: 'an@lytics-PW-planted-77',
  sourcePassword: 'S0urce!Pass/planted#1',
  embeddedPassword: 'embedded-planted-Zq81',
  envOnlyKey: 'sk-envONLYplantedKEY987654321',
  envSalt: 'env-salt-PLANTED-0a1b2c3d4e5f',
};

let dataDir: string;
let context: AppContext;
let env: NodeJS.ProcessEnv;
let text: string;
let bundlePath: string;
let bytes: number;

beforeAll(async () => {
  dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'cogniforce-diag-'));
  const secrets = new MemorySecretStore();
  await secrets.set('openai-api-key', PLANTED.apiKey);
  await secrets.set('salt', PLANTED.salt);
  await secrets.set('analytics-db-password', PLANTED.analyticsPassword);
  await secrets.set('source-db-password', PLANTED.sourcePassword);
  await secrets.set('embedded-db-password', PLANTED.embeddedPassword);
  env = { OPENAI_API_KEY: PLANTED.envOnlyKey, ANALYTICS_SALT: PLANTED.envSalt, PATH: process.env.PATH };

  const settings = defaultSettings();
  settings.analytics = { mode: 'url', url: await createTestDatabase('diag') };
  // Port 1 refuses at once: the health check fails with a message about this URL.
  settings.source.url = `postgresql://reader:${encodeURIComponent(PLANTED.sourcePassword)}@127.0.0.1:1/openwebui`;
  settings.llm.estimator = 'heuristic';
  context = await createAppContext({ settings, dataDir, secrets, env: {} });

  const { db } = await context.analytics();
  const run = await startRun(db, { runDate: '2026-01-05', rangeFrom: '2026-01-05', rangeTo: '2026-01-05', forced: false, trigger: 'manual', host: 'ws-1', appVersion: null, pid: null, estimator: null });
  await finishRun(db, run, {
    status: 'failed',
    counts: { processed: 0, skipped: 0, failed: 1, unchanged: 0 },
    llmRequests: 1,
    llmCostUsd: 0,
    errorMessage: `LLM refused key ${PLANTED.apiKey} (Authorization: Bearer ${PLANTED.envOnlyKey})`,
    errorDetails: { apiKey: PLANTED.apiKey, note: `salt was ${PLANTED.salt}` },
  });

  const logs = path.join(dataDir, 'logs');
  fs.mkdirSync(logs, { recursive: true });
  fs.writeFileSync(
    path.join(logs, 'main.log'),
    [
      `[2026-01-05 10:00:00.000] [info]  (app) connecting with password=${PLANTED.analyticsPassword}`,
      `[2026-01-05 10:00:01.000] [warn]  (db)  login for reader failed; tried ${PLANTED.sourcePassword} and ${encodeURIComponent(PLANTED.sourcePassword)}`,
      `[2026-01-05 10:00:02.000] [info]  (app) salt in use: ${PLANTED.salt}`,
      `[2026-01-05 10:00:03.000] [error] (llm) request with ${PLANTED.envSalt} and ${PLANTED.embeddedPassword} failed`,
      '[2026-01-05 10:00:04.000] [info]  (scheduler) an ordinary line that stays',
      '',
    ].join('\n'),
  );

  const written = await writeDiagnosticsBundle(context, { env, nowMs: Date.parse('2026-01-06T08:00:00Z') });
  bundlePath = written.path;
  bytes = written.bytes;
  text = fs.readFileSync(bundlePath, 'utf8');
}, 120_000);

afterAll(async () => {
  await context?.close();
  if (dataDir) fs.rmSync(dataDir, { recursive: true, force: true });
});

describe('diagnostics bundle', () => {
  it('is one JSON file in the diagnostics folder, readable by its owner only', () => {
    expect(bundlePath).toBe(path.join(dataDir, 'diagnostics', 'cogniforce-diagnostics-20260106-080000Z.json'));
    expect(Buffer.byteLength(text)).toBe(bytes);
    expect(() => JSON.parse(text)).not.toThrow();
    if (process.platform !== 'win32') expect(fs.statSync(bundlePath).mode & 0o777).toBe(0o600);
  });

  it('contains none of the planted secrets, in any encoding', () => {
    for (const [name, value] of Object.entries(PLANTED)) {
      for (const form of new Set([value, encodeURIComponent(value), JSON.stringify(value).slice(1, -1)])) {
        expect(text.includes(form), `${name} (${form}) leaked`).toBe(false);
      }
    }
    // Fragments long enough to matter do not survive either (the salt's halves).
    expect(text).not.toContain(PLANTED.salt.slice(0, 32));
    expect(text).not.toContain(PLANTED.salt.slice(32));
  });

  it('still says what support needs: checks, runs, settings, which secrets are set, log lines', () => {
    const bundle = JSON.parse(text) as {
      health: { checks: Array<{ name: string; level: string; message: string }> };
      recentRuns: Array<{ status: string; errorMessage: string }>;
      settings: { source: { url: string }; processing: { timezone: string } };
      secrets: Array<{ name: string; state: string }>;
      environment: Array<{ name: string; state: string }>;
      salt: { set: boolean; fingerprint: string };
      logs: { lines: string[] };
    };
    const source = bundle.health.checks.find((c) => c.name === 'source-db');
    expect(source?.level).toBe('degraded');
    expect(bundle.health.checks.find((c) => c.name === 'analytics-db')?.level).toBe('healthy');
    expect(bundle.recentRuns[0]).toMatchObject({ status: 'failed' });
    expect(bundle.recentRuns[0]?.errorMessage).toContain('LLM refused key [REDACTED]');
    expect(bundle.settings.source.url).toMatch(/^postgresql:\/\/reader(:\*+|:\[REDACTED\])?@127\.0\.0\.1:1\/openwebui$/);
    expect(bundle.settings.processing.timezone).toBe('Europe/Budapest');
    expect(bundle.secrets).toEqual(
      expect.arrayContaining([
        { name: 'openai-api-key', state: 'set' },
        { name: 'salt', state: 'set' },
        { name: 'source-db-password', state: 'set' },
      ]),
    );
    expect(bundle.environment).toContainEqual({ name: 'OPENAI_API_KEY', state: 'set' });
    expect(bundle.environment).toContainEqual({ name: 'DATABASE_URL', state: 'not set' });
    expect(bundle.salt.set).toBe(true);
    expect(bundle.salt.fingerprint).toMatch(/^[0-9a-f]{16}$/);
    expect(bundle.logs.lines).toHaveLength(5);
    expect(bundle.logs.lines[0]).toBe('[2026-01-05 10:00:00.000] [info] (app) connecting with password=[REDACTED]');
    expect(bundle.logs.lines[4]).toContain('an ordinary line that stays');
  });

  it('gathers without writing and takes at most the requested log lines', async () => {
    const gathered = (await gatherDiagnostics(context, { env, logLines: 2 })) as { logs: { lines: string[] } };
    expect(gathered.logs.lines).toHaveLength(2);
    expect(fs.readdirSync(path.join(dataDir, 'diagnostics'))).toHaveLength(1);
  });
});
