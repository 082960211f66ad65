import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { build } from 'vite';
import { createAppContext } from '../../src/main/core/app/context.ts';
import { defaultSettings } from '../../src/main/core/config/settings.ts';
import { writeSettingsFile } from '../../src/main/core/config/load.ts';
import { writeDemoDatabase } from '../../src/main/core/demo/dataset.ts';
import { MemorySecretStore } from '../../src/main/core/secrets/store.ts';
import { startEmbeddedPostgres, type EmbeddedServer } from '../../src/main/core/store/embedded.ts';
import { startServer } from '../../src/main/server/serve.ts';
import { startFakeOpenAI } from '../support/fake-openai-server.ts';
import { E2E_ENV } from './env.ts';

// Starts what the console talks to, then the console itself (in this runner process):
// - two embedded PostgreSQL servers: the analytics database, and an Open WebUI PostgreSQL
//   database holding the demo dataset (a separate server, so a test can stop it alone);
// - the OpenAI-compatible test server with a little latency, so progress is visible;
// - `serve` over a fresh, unconfigured data folder: the first spec goes through setup.
// Connection details reach the test workers as environment variables.

export const DEMO = { seed: 11, users: 8, days: 30 } as const;

async function createDatabase(adminUrl: string, name: string): Promise<string> {
  const client = new pg.Client({ connectionString: adminUrl });
  await client.connect();
  try {
    await client.query(`CREATE DATABASE "${name}"`);
  } finally {
    await client.end();
  }
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return url.toString();
}

export default async function globalSetup(): Promise<() => Promise<void>> {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'cogniforce-e2e-'));
  const servers: EmbeddedServer[] = [];
  const closers: Array<() => Promise<unknown>> = [];
  const teardown = async (): Promise<void> => {
    for (const close of closers.reverse()) await close().catch(() => undefined);
    // A server a test already stopped never reports its exit again: do not wait for it forever.
    for (const server of servers.reverse()) await Promise.race([server.stop().catch(() => undefined), new Promise((r) => setTimeout(r, 5_000))]);
    fs.rmSync(root, { recursive: true, force: true });
  };
  try {
    await build({ configFile: path.resolve('vite.renderer.config.ts'), logLevel: 'warn' });

    const analytics = await startEmbeddedPostgres({ dataDir: path.join(root, 'analytics'), password: 'e2e-analytics-pw' });
    servers.push(analytics);
    const source = await startEmbeddedPostgres({ dataDir: path.join(root, 'source'), password: 'e2e-source-pw' });
    servers.push(source);
    const analyticsUrl = await createDatabase(analytics.url('postgres'), 'cogniforce_e2e');
    const sourceUrl = await createDatabase(source.url('postgres'), 'openwebui');
    await writeDemoDatabase(sourceUrl, { ...DEMO, now: Date.now(), timezone: 'Europe/Budapest' });

    const llm = await startFakeOpenAI({ latencyMs: 60 });
    closers.push(() => llm.close());

    // A fresh data folder whose settings only raise the LLM limits for the fake server;
    // source, analytics database and estimator are left for the setup screens.
    const home = path.join(root, 'home');
    const settings = defaultSettings();
    settings.llm.requestsPerMinute = 60_000;
    settings.llm.concurrency = 16;
    writeSettingsFile(home, settings);
    const env = { COGNIFORCE_HOME: home };
    const context = await createAppContext({ env, secrets: new MemorySecretStore() });
    const consoleServer = await startServer(context, { rendererDir: path.resolve('out/renderer'), runtime: { env } });
    closers.push(() => consoleServer.close());

    process.env[E2E_ENV.url] = consoleServer.url;
    process.env[E2E_ENV.origin] = `http://127.0.0.1:${consoleServer.port}`;
    process.env[E2E_ENV.token] = consoleServer.token;
    process.env[E2E_ENV.analyticsUrl] = analyticsUrl;
    process.env[E2E_ENV.sourceUrl] = sourceUrl;
    process.env[E2E_ENV.sourceCluster] = source.dataDir;
    process.env[E2E_ENV.llmUrl] = llm.url;
    process.env[E2E_ENV.home] = home;
  } catch (error) {
    await teardown();
    throw error;
  }
  return teardown;
}
