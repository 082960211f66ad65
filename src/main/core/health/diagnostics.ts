import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { AppContext } from '../app/context.ts';
import { saltState } from '../app/salt-transfer.ts';
import { REDACTED, redactValue } from '../log/redact.ts';
import { logsDir } from '../log/index.ts';
import { tailLogs } from '../log/tail.ts';
import { PROCESSING_VERSION } from '../pipeline/version.ts';
import type { SchedulerStatus } from '../scheduler/scheduler.ts';
import { knownSecretValues, secretScrubber } from '../secrets/known-values.ts';
import { SECRET_KEYS } from '../secrets/store.ts';
import { redactDatabaseUrl } from '../source/url.ts';
import { listRuns } from '../store/runs.ts';
import { APP_VERSION } from '../version.ts';
import { checkHealth } from './checks.ts';

// The diagnostics bundle support staff send on: one JSON file with the health report, versions,
// the settings (connection passwords removed), which secrets are set (never their values),
// recent runs and the newest log lines. Every string in it goes through the log redaction and
// is scrubbed for the secret values this process knows, so a password that slipped into an
// error message or a log line stays on the machine. The caller gets the path and the size only.

export const DIAGNOSTICS_FORMAT = 'cogniforce-diagnostics/1';
export const DIAGNOSTICS_LOG_LINES = 500;
const RECENT_RUNS = 20;

export interface DiagnosticsOptions {
  nowMs?: number;
  /** The file to write; default <data folder>/diagnostics/cogniforce-diagnostics-<time>.json. */
  file?: string;
  /** The scheduler of this process, when one runs here. */
  scheduler?: SchedulerStatus | null;
  /** Environment whose secret variables are scrubbed too (default process.env). */
  env?: NodeJS.ProcessEnv;
  logLines?: number;
}

export interface DiagnosticsResult {
  path: string;
  bytes: number;
}

/** Variables that configure the app; the bundle says which are set, never their values. */
const ENV_VARIABLES = [
  'DATABASE_URL',
  'DATABASE_SCHEMA',
  'COGNIFORCE_DATABASE_URL',
  'COGNIFORCE_HOME',
  'OPENAI_API_KEY',
  'OPENAI_BASE_URL',
  'ANALYTICS_OPENAI_MODEL',
  'ANALYTICS_ESTIMATOR',
  'ANALYTICS_SALT',
  'TZ',
  'ANALYTICS_IDLE_THRESHOLD',
  'ANALYTICS_MAX_CONVERSATIONS',
  'ANALYTICS_LLM_RPM',
  'COGNIFORCE_EMBEDDED_DB_PASSWORD',
];

export function diagnosticsFolder(dataDir: string): string {
  return path.join(dataDir, 'diagnostics');
}

/** The log folder the console reads: the configured one, else the one in the data folder. */
export function logsFolderFor(dataDir: string): string {
  return logsDir({ COGNIFORCE_HOME: dataDir });
}

export function defaultDiagnosticsFile(dataDir: string, nowMs: number): string {
  const stamp = new Date(nowMs).toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z').replace('T', '-');
  return path.join(diagnosticsFolder(dataDir), `cogniforce-diagnostics-${stamp}.json`);
}

function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** A section that could not be gathered says why instead of failing the bundle. */
async function section<T>(work: () => Promise<T>): Promise<T | { unavailable: string }> {
  try {
    return await work();
  } catch (error) {
    return { unavailable: errorText(error) };
  }
}

function settingsView(context: AppContext): unknown {
  const settings = structuredClone(context.settings);
  if (settings.source.url) settings.source.url = redactDatabaseUrl(settings.source.url);
  if (settings.analytics.url) settings.analytics.url = redactDatabaseUrl(settings.analytics.url);
  return settings;
}

/** Deep copy with every string scrubbed; JSON data only (what the sections are). */
function scrubDeep(value: unknown, scrub: (text: string) => string): unknown {
  if (typeof value === 'string') return scrub(value);
  if (Array.isArray(value)) return value.map((item) => scrubDeep(item, scrub));
  if (value instanceof Date) return value.toISOString();
  if (value instanceof Error) return scrub(value.message);
  if (typeof value === 'object' && value !== null) {
    return Object.fromEntries(Object.entries(value).map(([key, item]) => [scrub(key), scrubDeep(item, scrub)]));
  }
  return value;
}

export async function gatherDiagnostics(context: AppContext, options: DiagnosticsOptions = {}): Promise<Record<string, unknown>> {
  const nowMs = options.nowMs ?? Date.now();
  const env = options.env ?? process.env;
  const logs = logsFolderFor(context.dataDir);
  const keychain = context.secrets.status();

  const [health, runs, salt, logTail] = await Promise.all([
    section(() => checkHealth(context, nowMs)),
    section(async () => {
      const { db } = await context.analytics();
      return (await listRuns(db, { limit: RECENT_RUNS, offset: 0 })).map((run) => ({
        ...run,
        startedAt: run.startedAt === null ? null : new Date(run.startedAt * 1000).toISOString(),
        completedAt: run.completedAt === null ? null : new Date(run.completedAt * 1000).toISOString(),
      }));
    }),
    section(async () => {
      const state = await saltState(context);
      return { set: state.set, fingerprint: state.fingerprint, database: state.database };
    }),
    section(() => tailLogs(logs, { lines: options.logLines ?? DIAGNOSTICS_LOG_LINES })),
  ]);
  const secretsState = await Promise.all(
    SECRET_KEYS.map(async (name) => ({ name, state: (await context.secrets.has(name).catch(() => false)) ? 'set' : 'not set' })),
  );

  // Secret-named keys (apiKey, password…) lose their values here; the listing of secrets above
  // is shaped as {name, state} so that "is it set" survives this step.
  return {
    format: DIAGNOSTICS_FORMAT,
    generatedAt: new Date(nowMs).toISOString(),
    versions: {
      app: APP_VERSION,
      processing: PROCESSING_VERSION,
      node: process.versions.node,
      electron: process.versions.electron ?? null,
      chrome: process.versions.chrome ?? null,
    },
    system: {
      platform: process.platform,
      arch: process.arch,
      release: os.release(),
      hostname: os.hostname(),
      processTimezone: Intl.DateTimeFormat().resolvedOptions().timeZone,
      uptimeSeconds: Math.round(process.uptime()),
      memoryRssMb: Math.round(process.memoryUsage().rss / 1024 / 1024),
    },
    dataDir: context.dataDir,
    health: redactValue(health),
    settings: redactValue(settingsView(context)),
    environment: ENV_VARIABLES.map((name) => ({ name, state: env[name] ? 'set' : 'not set' })),
    keychain: { backend: keychain.backend, available: keychain.available, message: keychain.message },
    secrets: secretsState,
    salt: redactValue(salt),
    scheduler: options.scheduler ? redactValue(options.scheduler) : { unavailable: 'No scheduler runs in the process that wrote this bundle (the browser console, `serve`).' },
    recentRuns: redactValue(runs),
    logs:
      'unavailable' in logTail
        ? logTail
        : {
            folder: logs,
            files: logTail.files,
            lines: logTail.entries.map((e) => `${e.at ? `[${e.at}] ` : ''}${e.level ? `[${e.level}] ` : ''}${e.scope ? `(${e.scope}) ` : ''}${e.text}`),
          },
  };
}

/**
 * The last word on what leaves the machine: the serialised text searched once more for every
 * known secret value (in JSON-escaped form too). A value so short or plain that replacing it
 * would break the JSON structure (a four-digit password equal to a count) is left to the
 * per-string scrub above, which has already replaced it inside every string.
 */
function finalPass(text: string, secrets: readonly string[]): string {
  let out = text;
  for (const value of [...secrets].sort((a, b) => b.length - a.length)) {
    for (const form of new Set([value, JSON.stringify(value).slice(1, -1)])) if (out.includes(form)) out = out.split(form).join(REDACTED);
  }
  try {
    JSON.parse(out);
    return out;
  } catch {
    return text;
  }
}

/** Gathers, scrubs and writes the bundle; answers with where it went and its size. */
export async function writeDiagnosticsBundle(context: AppContext, options: DiagnosticsOptions = {}): Promise<DiagnosticsResult> {
  const nowMs = options.nowMs ?? Date.now();
  const file = path.resolve(options.file ?? defaultDiagnosticsFile(context.dataDir, nowMs));
  const secrets = await knownSecretValues(context.secrets, context.settings, options.env ?? process.env);
  const bundle = scrubDeep(await gatherDiagnostics(context, { ...options, nowMs }), secretScrubber(secrets));
  const text = finalPass(`${JSON.stringify(bundle, null, 2)}\n`, secrets);
  await fs.promises.mkdir(path.dirname(file), { recursive: true });
  const temp = `${file}.${process.pid}.partial`;
  try {
    await fs.promises.writeFile(temp, text, { mode: 0o600 });
    await fs.promises.rename(temp, file);
  } catch (error) {
    await fs.promises.rm(temp, { force: true }).catch(() => undefined);
    throw error;
  }
  return { path: file, bytes: Buffer.byteLength(text) };
}
