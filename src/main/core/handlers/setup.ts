import type { Settings } from '../config/settings.ts';
import type { SecretKey, SecretStore } from '../secrets/store.ts';
import { createAppContext } from '../app/context.ts';
import { checkLlmReachable } from '../llm/openai.ts';
import { deriveAnalyticsUrl, describeDatabaseUrl, openAnalyticsDb, pingAnalytics } from '../store/connect.ts';
import { migrateToLatest } from '../store/migrate.ts';
import { parseSourceUrl, redactDatabaseUrl } from '../source/url.ts';
import { today } from '../time/days.ts';
import { APP_VERSION } from '../version.ts';
import type { Args, Handlers } from '../../../shared/contract.ts';
import { EDITABLE_SECRETS, type ConnectionTestResult, type SecretsStatus, type SettingsDto, type SettingsView } from '../../../shared/types.ts';
import { HandlerError, toPublicError } from './errors.ts';
import { busyState, type ConsoleRuntime } from './runtime.ts';

// First-run setup and Settings: settings, secrets (set and "is it set", never read back),
// connection tests, migrations, and the native file dialog where the platform has one.

// The contract's settings type and the core's must agree; this fails to compile when they drift.
const toDto = (settings: Settings): SettingsDto => settings;
const fromDto = (settings: SettingsDto): Settings => settings;
void fromDto;

type SetupChannels =
  | 'app.info'
  | 'settings.get'
  | 'settings.update'
  | 'secrets.status'
  | 'secrets.set'
  | 'secrets.delete'
  | 'setup.testSource'
  | 'setup.testAnalytics'
  | 'setup.testLlm'
  | 'setup.migrate'
  | 'dialog.pickSqliteFile';

const POSTGRES_SCHEME = /^postgres(?:ql)?(?:\+[a-z0-9_]+)?:\/\//i;

/** Splits the password out of a PostgreSQL URL so it can go to the keychain, not the settings file. */
export function splitPassword(url: string): { url: string; password: string | null } {
  const scheme = POSTGRES_SCHEME.exec(url);
  if (!scheme) return { url, password: null };
  const start = scheme[0].length;
  const queryAt = url.slice(start).search(/[?#]/);
  const end = queryAt >= 0 ? start + queryAt : url.length;
  const at = url.lastIndexOf('@', end - 1);
  if (at < start) return { url, password: null };
  const userInfo = url.slice(start, at);
  const colon = userInfo.indexOf(':');
  if (colon < 0) return { url, password: null };
  const raw = userInfo.slice(colon + 1);
  let password = raw;
  try {
    password = decodeURIComponent(raw);
  } catch {
    // keep it literal: an unencoded '%' is a valid character in a typed password
  }
  return { url: `${url.slice(0, start)}${userInfo.slice(0, colon)}${url.slice(at)}`, password: password === '' ? null : password };
}

/** Puts a keychain-held password into a PostgreSQL URL that names a user but no password. */
async function fillPassword(url: string, secrets: SecretStore, key: SecretKey): Promise<string> {
  if (!POSTGRES_SCHEME.test(url)) return url;
  const parsed = new URL(url.replace(POSTGRES_SCHEME, 'postgresql://'));
  if (parsed.password || !parsed.username) return url;
  const password = await secrets.get(key);
  if (!password) return url;
  parsed.password = password;
  return parsed.toString();
}

async function secretsStatus(secrets: SecretStore): Promise<SecretsStatus> {
  const entries = await Promise.all([...EDITABLE_SECRETS, 'salt' as const].map(async (key) => [key, await secrets.has(key).catch(() => false)] as const));
  return { keychain: secrets.status(), isSet: Object.fromEntries(entries) as SecretsStatus['isSet'] };
}

function assign<T extends object>(target: T, patch: Partial<Record<keyof T, unknown>> | undefined): void {
  if (!patch) return;
  for (const [key, value] of Object.entries(patch)) {
    if (value === undefined) continue;
    if (value === null) delete (target as Record<string, unknown>)[key];
    else (target as Record<string, unknown>)[key] = value;
  }
}

type PatchOut = Args<'settings.update'>['patch'];

function applyPatch(settings: Settings, patch: PatchOut): void {
  assign(settings.source, patch.source);
  if (patch.analytics) {
    assign(settings.analytics, patch.analytics);
    // Only the "url" mode keeps a URL; leaving it behind would confuse the next reader.
    if (settings.analytics.mode !== 'url' && patch.analytics.url === undefined) delete settings.analytics.url;
  }
  assign(settings.llm, patch.llm);
  assign(settings.processing, patch.processing);
  assign(settings.value, patch.value);
  assign(settings.schedule, patch.schedule);
  assign(settings.reports, patch.reports);
}

function failed(error: unknown): ConnectionTestResult {
  return { ok: false, message: toPublicError(error).message, latencyMs: null, details: {} };
}

export function setupHandlers(rt: ConsoleRuntime): Pick<Handlers, SetupChannels> {
  const ctx = () => rt.contexts.current();

  const view = (): SettingsView => ({
    settings: toDto(structuredClone(ctx().settings)),
    overriddenByEnv: rt.contexts.overriddenByEnv(),
    settingsFile: rt.contexts.settingsFile(),
  });

  /** Moves a typed password into the keychain before the URL is persisted. */
  async function keepPassword(url: string | null | undefined, key: SecretKey): Promise<string | null | undefined> {
    if (!url) return url;
    const { url: bare, password } = splitPassword(url);
    if (password === null) return url;
    const secrets = ctx().secrets;
    if (!secrets.status().available) {
      throw new HandlerError(
        'keychain',
        `The password in this URL cannot be kept safely: ${secrets.status().message} Remove it from the URL here and provide the full URL in an environment variable instead.`,
      );
    }
    await secrets.set(key, password);
    return bare;
  }

  return {
    async 'app.info'() {
      const c = ctx();
      const s = c.settings;
      const hasKey = await c.secrets.has('openai-api-key').catch(() => false);
      const estimatorConfigured = s.llm.estimator === 'heuristic' || hasKey || Boolean(s.llm.baseUrl);
      const sourceConfigured = Boolean(s.source.url);
      return {
        version: APP_VERSION,
        dataDir: c.dataDir,
        capabilities: {
          nativeDialogs: Boolean(rt.platform.pickSqliteFile),
          saveDialog: Boolean(rt.platform.pickSaveFile),
          showInFolder: Boolean(rt.platform.showInFolder),
        },
        setup: { sourceConfigured, estimatorConfigured, analyticsMode: s.analytics.mode, complete: sourceConfigured && estimatorConfigured },
        display: {
          timeBasis: s.processing.timeBasis,
          currency: s.value.currency,
          hourlyRate: s.value.hourlyRate,
          timezone: s.processing.timezone,
          today: today(s.processing.timezone, rt.now()),
        },
      };
    },

    async 'settings.get'() {
      return view();
    },

    async 'settings.update'({ patch }) {
      const sourceUrl = await keepPassword(patch.source?.url, 'source-db-password');
      const analyticsUrl = await keepPassword(patch.analytics?.url, 'analytics-db-password');
      const cleaned: PatchOut = {
        ...patch,
        ...(patch.source ? { source: { ...patch.source, url: sourceUrl } } : {}),
        ...(patch.analytics ? { analytics: { ...patch.analytics, url: analyticsUrl } } : {}),
      };
      await rt.contexts.update((settings) => applyPatch(settings, cleaned), busyState(rt));
      if (patch.source) rt.users.invalidate();
      return view();
    },

    async 'secrets.status'() {
      return secretsStatus(ctx().secrets);
    },

    async 'secrets.set'({ key, value }) {
      await ctx().secrets.set(key, value);
      if (key === 'source-db-password') rt.users.invalidate();
      return secretsStatus(ctx().secrets);
    },

    async 'secrets.delete'({ key }) {
      await ctx().secrets.delete(key);
      return secretsStatus(ctx().secrets);
    },

    async 'setup.testSource'({ url }) {
      const live = ctx();
      const settings = structuredClone(live.settings);
      if (url) settings.source.url = url;
      if (!settings.source.url) return { ok: false, message: 'Enter the Open WebUI database first: a PostgreSQL URL or the path to webui.db.', latencyMs: null, details: {} };
      try {
        parseSourceUrl(settings.source.url);
        const probe = await createAppContext({ settings, dataDir: live.dataDir, secrets: live.secrets, env: {} });
        const source = await probe.openSource();
        try {
          const latencyMs = await source.ping();
          const info = await source.info();
          return {
            ok: true,
            latencyMs,
            message: `Connected to the Open WebUI ${info.dialect === 'sqlite' ? 'SQLite file' : 'PostgreSQL database'}: ${info.chatCount} chats, ${info.userCount} users.`,
            details: {
              dialect: info.dialect,
              location: info.location ?? redactDatabaseUrl(settings.source.url),
              chats: info.chatCount,
              users: info.userCount,
              schemaRevision: info.schemaRevision,
              chatMessageTable: info.hasChatMessageTable,
            },
          };
        } finally {
          await source.close().catch(() => undefined);
        }
      } catch (error) {
        return failed(error);
      }
    },

    async 'setup.testAnalytics'(args) {
      const live = ctx();
      const current = live.settings.analytics;
      const mode = args.mode ?? current.mode;
      const url = args.url ?? (mode === 'url' ? current.url : undefined);
      const isCurrent = mode === current.mode && (mode !== 'url' || url === current.url);
      try {
        if (isCurrent) {
          const handle = await rt.contexts.analytics();
          const latencyMs = await pingAnalytics(handle.db, handle.url);
          const where = handle.embedded ? `the embedded PostgreSQL on 127.0.0.1:${handle.embedded.port}` : describeDatabaseUrl(handle.url);
          return { ok: true, latencyMs, message: `Connected to ${where}; the schema is up to date.`, details: { mode, location: where } };
        }
        if (mode === 'embedded') {
          return { ok: true, latencyMs: null, message: 'The embedded database needs no connection details: it starts with the app once this choice is saved.', details: { mode } };
        }
        let target: string;
        if (mode === 'url') {
          if (!url) return { ok: false, latencyMs: null, message: 'Enter the analytics database URL (postgresql://user@host:5432/database).', details: { mode } };
          target = await fillPassword(url, live.secrets, 'analytics-db-password');
        } else {
          const sourceUrl = live.settings.source.url;
          const source = sourceUrl ? parseSourceUrl(sourceUrl) : null;
          if (source?.dialect !== 'postgres') {
            return { ok: false, latencyMs: null, message: 'A database on the source server needs a PostgreSQL Open WebUI database; choose the embedded database or a URL.', details: { mode } };
          }
          target = deriveAnalyticsUrl(await fillPassword(source.connectionString, live.secrets, 'source-db-password'));
        }
        const db = openAnalyticsDb(target, { max: 1 });
        try {
          const latencyMs = await pingAnalytics(db, target);
          return { ok: true, latencyMs, message: `Connected to ${describeDatabaseUrl(target)}.`, details: { mode, location: describeDatabaseUrl(target) } };
        } catch (error) {
          if (mode === 'derived' && /does not exist/.test(toPublicError(error).message)) {
            return { ok: true, latencyMs: null, message: `The server answers; the database ${describeDatabaseUrl(target)} will be created when it is first used.`, details: { mode } };
          }
          throw error;
        } finally {
          await db.destroy().catch(() => undefined);
        }
      } catch (error) {
        return failed(error);
      }
    },

    async 'setup.testLlm'(args): Promise<ConnectionTestResult> {
      const live = ctx();
      const estimator = args.estimator ?? live.settings.llm.estimator;
      if (estimator === 'heuristic') {
        return { ok: true, latencyMs: null, message: 'The offline heuristic estimator needs no connection.', details: { estimator: 'heuristic' } };
      }
      const apiKey = (await live.secrets.get('openai-api-key')) ?? undefined;
      const baseUrl = args.baseUrl ?? live.settings.llm.baseUrl;
      const model = args.model ?? live.settings.llm.model;
      if (!apiKey && !baseUrl) {
        return { ok: false, latencyMs: null, message: 'Set the API key (or the base URL of a local OpenAI-compatible server) first.', details: {} };
      }
      const result = await checkLlmReachable({ apiKey, baseUrl, model });
      return {
        ok: result.ok,
        latencyMs: result.latencyMs,
        message: result.message,
        details: { model, modelAvailable: result.modelAvailable ?? null, modelsListed: result.models?.length ?? null },
      };
    },

    async 'setup.migrate'() {
      const handle = await rt.contexts.analytics();
      const { applied } = await migrateToLatest(handle.db);
      const where = handle.embedded ? 'the embedded analytics database' : describeDatabaseUrl(handle.url);
      return {
        applied,
        message: applied.length > 0 ? `Applied ${applied.length} migration(s) to ${where}.` : `The schema of ${where} is up to date.`,
      };
    },

    async 'dialog.pickSqliteFile'() {
      if (!rt.platform.pickSqliteFile) {
        throw new HandlerError('unavailable', 'Choosing a file needs the desktop app. In the browser, type the path to webui.db instead (for example /var/lib/open-webui/data/webui.db).');
      }
      return { path: await rt.platform.pickSqliteFile() };
    },
  };
}

