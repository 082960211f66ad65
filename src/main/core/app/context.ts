import crypto from 'node:crypto';
import type { Kysely } from 'kysely';
import { ConfigError, loadConfig } from '../config/load.ts';
import type { Settings } from '../config/settings.ts';
import { openSecretStore, type SecretStore } from '../secrets/store.ts';
import { openSource } from '../source/open.ts';
import { parseSourceUrl } from '../source/url.ts';
import type { SourceReader } from '../source/types.ts';
import { startEmbeddedPostgres, type EmbeddedServer } from '../store/embedded.ts';
import { deriveAnalyticsUrl, ensureDatabaseExists, explainConnectionError, openAnalyticsDb } from '../store/connect.ts';
import { migrateToLatest } from '../store/migrate.ts';
import type { Database } from '../store/schema.ts';
import type { Estimator } from '../llm/types.ts';
import { createEstimator } from '../llm/select.ts';

// Wires configuration, secrets, the analytics database, the source and the estimator. The CLI,
// the Electron layer and the `serve` transport all start from here, so they behave alike.

export interface AnalyticsHandle {
  db: Kysely<Database>;
  url: string;
  mode: Settings['analytics']['mode'];
  embedded: EmbeddedServer | null;
}

export interface AppContext {
  dataDir: string;
  settings: Settings;
  secrets: SecretStore;
  /** Opens (once) and migrates the analytics database. */
  analytics(): Promise<AnalyticsHandle>;
  /** Opens a new reader over the Open WebUI database; the caller closes it. */
  openSource(): Promise<SourceReader>;
  createEstimator(): Promise<Estimator>;
  /** The HMAC salt; generated and kept in the keychain on first use. */
  salt(): Promise<string>;
  close(): Promise<void>;
}

export interface ContextOptions {
  env?: NodeJS.ProcessEnv;
  secrets?: SecretStore;
  /** Overrides applied after the settings file and the environment. */
  settings?: Settings;
  dataDir?: string;
  onLog?: (line: string) => void;
}

export async function createAppContext(options: ContextOptions = {}): Promise<AppContext> {
  const env = options.env ?? process.env;
  const loaded = options.settings && options.dataDir ? { dataDir: options.dataDir, settings: options.settings } : loadConfig(env);
  const settings = options.settings ?? loaded.settings;
  const dataDir = options.dataDir ?? loaded.dataDir;
  const secrets = options.secrets ?? (await openSecretStore(env));
  let analytics: Promise<AnalyticsHandle> | null = null;

  const context: AppContext = {
    dataDir,
    settings,
    secrets,
    analytics() {
      // A failed open is forgotten, so the next call tries again (the server may be up by then).
      analytics ??= openAnalytics(settings, secrets, dataDir, options.onLog).catch((error: unknown) => {
        analytics = null;
        throw error;
      });
      return analytics;
    },
    async openSource() {
      const url = settings.source.url;
      if (!url) {
        throw new ConfigError('No Open WebUI database is configured: set DATABASE_URL (postgresql://… or sqlite:///path/webui.db) or connect one in Settings.');
      }
      return openSource(await withSecretPassword(url, secrets, 'source-db-password'), { schema: settings.source.schema });
    },
    createEstimator: () => createEstimator(settings, secrets),
    async salt() {
      const existing = await secrets.get('salt');
      if (existing) return existing;
      if (!secrets.status().available) {
        throw new ConfigError(`No salt for hashing user ids. ${secrets.status().message}`);
      }
      const generated = crypto.randomBytes(32).toString('hex');
      await secrets.set('salt', generated);
      return generated;
    },
    async close() {
      if (!analytics) return;
      const handle = await analytics.catch(() => null);
      analytics = null;
      if (!handle) return;
      await handle.db.destroy();
      await handle.embedded?.stop();
    },
  };
  return context;
}

async function openAnalytics(settings: Settings, secrets: SecretStore, dataDir: string, onLog?: (line: string) => void): Promise<AnalyticsHandle> {
  const { mode } = settings.analytics;
  let url: string;
  let embedded: EmbeddedServer | null = null;
  if (mode === 'url') {
    if (!settings.analytics.url) throw new ConfigError('Analytics database mode is "url" but no URL is set (COGNIFORCE_DATABASE_URL).');
    url = await withSecretPassword(settings.analytics.url, secrets, 'analytics-db-password');
  } else if (mode === 'derived') {
    const source = settings.source.url ? parseSourceUrl(settings.source.url) : null;
    if (source?.dialect !== 'postgres') {
      throw new ConfigError('A derived analytics database needs a PostgreSQL Open WebUI database; choose the embedded database or give a URL.');
    }
    url = deriveAnalyticsUrl(await withSecretPassword(source.connectionString, secrets, 'source-db-password'));
    await ensureDatabaseExists(url);
  } else {
    const password = await embeddedPassword(secrets);
    embedded = await startEmbeddedPostgres({ dataDir, password, onLog });
    url = embedded.url('cogniforce');
    await ensureDatabaseExists(url);
  }
  const db = openAnalyticsDb(url);
  try {
    await migrateToLatest(db);
  } catch (error) {
    await db.destroy();
    await embedded?.stop();
    // The first query happens here: a bare "connect ECONNREFUSED 127.0.0.1:5432" would not
    // say which database (source or analytics) is down nor what to check.
    throw explainConnectionError(error, url);
  }
  return { db, url, mode, embedded };
}

async function embeddedPassword(secrets: SecretStore): Promise<string> {
  const existing = await secrets.get('embedded-db-password');
  if (existing) return existing;
  if (!secrets.status().available) {
    throw new ConfigError(
      `The embedded analytics database keeps its password in the OS keychain, which is not available. ${secrets.status().message} ` +
        'Alternatively set COGNIFORCE_DATABASE_URL to an existing PostgreSQL database.',
    );
  }
  const generated = crypto.randomBytes(24).toString('base64url');
  await secrets.set('embedded-db-password', generated);
  return generated;
}

/** Puts a keychain-held password into a URL that has none, so passwords never sit in settings. */
async function withSecretPassword(url: string, secrets: SecretStore, key: 'source-db-password' | 'analytics-db-password'): Promise<string> {
  if (!/^postgres(ql)?(\+\w+)?:\/\//.test(url)) return url;
  const parsed = new URL(url.replace(/^postgres(ql)?\+\w+:/, 'postgresql:'));
  if (parsed.password || !parsed.username) return url;
  const password = await secrets.get(key);
  if (!password) return url;
  parsed.password = password;
  return parsed.toString();
}
