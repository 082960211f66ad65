import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { defaultSettings, isValidTimeZone, settingsSchema, type Settings } from './settings.ts';

export const APP_ID = 'cogniforce-analytics';

/** A configuration problem a person can fix; the CLI exits 2 with its one-line message. */
export class ConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ConfigError';
  }
}

/**
 * The user-data folder. Electron's `app.getPath('userData')` resolves to the same place, so the
 * CLI and the desktop app share settings, the embedded database and logs.
 * `COGNIFORCE_HOME` overrides it (tests, portable installs).
 */
export function userDataDir(env: NodeJS.ProcessEnv = process.env): string {
  if (env.COGNIFORCE_HOME) return path.resolve(env.COGNIFORCE_HOME);
  const home = os.homedir();
  switch (process.platform) {
    case 'win32':
      return path.join(env.APPDATA ?? path.join(home, 'AppData', 'Roaming'), APP_ID);
    case 'darwin':
      return path.join(home, 'Library', 'Application Support', APP_ID);
    default:
      return path.join(env.XDG_CONFIG_HOME ?? path.join(home, '.config'), APP_ID);
  }
}

export function settingsPath(dataDir: string): string {
  return path.join(dataDir, 'settings.json');
}

export function readSettingsFile(dataDir: string): Settings {
  const file = settingsPath(dataDir);
  if (!fs.existsSync(file)) return defaultSettings();
  let raw: unknown;
  try {
    raw = JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch (error) {
    throw new ConfigError(`Settings file ${file} is not valid JSON (${(error as Error).message}); fix or delete it.`);
  }
  const parsed = settingsSchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new ConfigError(`Settings file ${file}: ${issue?.path.join('.') ?? ''} ${issue?.message ?? 'is invalid'}.`);
  }
  return parsed.data;
}

/** Writes atomically (temp file + rename) so a crash never leaves half a settings file. */
export function writeSettingsFile(dataDir: string, settings: Settings): void {
  fs.mkdirSync(dataDir, { recursive: true });
  const file = settingsPath(dataDir);
  const tmp = `${file}.${process.pid}.tmp`;
  fs.writeFileSync(tmp, JSON.stringify(settingsSchema.parse(settings), null, 2) + '\n', { mode: 0o600 });
  fs.renameSync(tmp, file);
}

function numberFromEnv(env: NodeJS.ProcessEnv, name: string, min: number, max: number): number | undefined {
  const raw = env[name];
  if (raw === undefined || raw.trim() === '') return undefined;
  const value = Number(raw);
  if (!Number.isFinite(value) || value < min || value > max) {
    throw new ConfigError(`${name}=${raw} is not a number between ${min} and ${max}.`);
  }
  return value;
}

/**
 * Applies the headless environment variables (SPEC §6) over the settings file. Env wins, so a
 * scheduled job can be configured without touching the desktop app's settings.
 */
export function applyEnv(settings: Settings, env: NodeJS.ProcessEnv = process.env): Settings {
  const next: Settings = structuredClone(settings);
  if (env.DATABASE_URL) next.source.url = env.DATABASE_URL;
  if (env.DATABASE_SCHEMA) next.source.schema = env.DATABASE_SCHEMA;
  if (env.COGNIFORCE_DATABASE_URL) next.analytics = { mode: 'url', url: env.COGNIFORCE_DATABASE_URL };
  if (env.OPENAI_BASE_URL) next.llm.baseUrl = env.OPENAI_BASE_URL;
  if (env.ANALYTICS_OPENAI_MODEL) next.llm.model = env.ANALYTICS_OPENAI_MODEL;
  if (env.ANALYTICS_ESTIMATOR) {
    if (env.ANALYTICS_ESTIMATOR !== 'llm' && env.ANALYTICS_ESTIMATOR !== 'heuristic') {
      throw new ConfigError(`ANALYTICS_ESTIMATOR=${env.ANALYTICS_ESTIMATOR} must be "llm" or "heuristic".`);
    }
    next.llm.estimator = env.ANALYTICS_ESTIMATOR;
  }
  // TZ doubles as the process time zone; only an IANA name configures the analytics day.
  if (env.TZ && env.TZ.trim() !== '') {
    const zone = env.TZ.replace(/^:/, '');
    if (!isValidTimeZone(zone)) throw new ConfigError(`TZ=${env.TZ} is not an IANA time zone such as Europe/Budapest.`);
    next.processing.timezone = zone;
  }
  const idle = numberFromEnv(env, 'ANALYTICS_IDLE_THRESHOLD', 1, 240);
  if (idle !== undefined) next.processing.idleThresholdMinutes = idle;
  const max = numberFromEnv(env, 'ANALYTICS_MAX_CONVERSATIONS', 1, 10_000_000);
  if (max !== undefined) next.processing.maxConversations = Math.floor(max);
  const rpm = numberFromEnv(env, 'ANALYTICS_LLM_RPM', 1, 100_000);
  if (rpm !== undefined) next.llm.requestsPerMinute = Math.floor(rpm);
  return next;
}

export interface LoadedConfig {
  dataDir: string;
  settings: Settings;
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): LoadedConfig {
  const dataDir = userDataDir(env);
  return { dataDir, settings: applyEnv(readSettingsFile(dataDir), env) };
}
