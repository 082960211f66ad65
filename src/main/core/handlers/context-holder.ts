import { applyEnv, readSettingsFile, settingsPath, writeSettingsFile } from '../config/load.ts';
import { settingsSchema, type Settings } from '../config/settings.ts';
import { createAppContext, type AnalyticsHandle, type AppContext } from '../app/context.ts';
import { HandlerError } from './errors.ts';

// The console changes settings while it runs. The AppContext memoises its analytics connection,
// so a change of analytics database needs a fresh context; any other change is written into the
// live settings object, which every context closure reads at call time.

export interface ContextHolderOptions {
  /** The environment whose overrides (DATABASE_URL, …) apply on top of the settings file. */
  env?: NodeJS.ProcessEnv;
  /**
   * The settings as persisted, before environment overrides. Defaults to the settings file in
   * the context's data folder; tests that build a context from explicit settings pass them here.
   */
  persisted?: Settings;
  /** Whether updates are written to the settings file (tests may keep them in memory). */
  writeFile?: boolean;
  /**
   * Called with the live settings after every successful update, so a front end can re-apply
   * what it owns (the desktop app: schedule, tray, start at login) without a restart. It must
   * not throw: the change is already saved when it runs.
   */
  onSettingsChanged?: (settings: Settings) => void;
}

/** Environment variables that override a setting, for the read-only hints in Settings. */
const ENV_OVERRIDES: Array<{ variable: string; path: string }> = [
  { variable: 'DATABASE_URL', path: 'source.url' },
  { variable: 'COGNIFORCE_DATABASE_URL', path: 'analytics.url' },
  { variable: 'OPENAI_BASE_URL', path: 'llm.baseUrl' },
  { variable: 'ANALYTICS_OPENAI_MODEL', path: 'llm.model' },
  { variable: 'ANALYTICS_ESTIMATOR', path: 'llm.estimator' },
  { variable: 'TZ', path: 'processing.timezone' },
  { variable: 'ANALYTICS_IDLE_THRESHOLD', path: 'processing.idleThresholdMinutes' },
  { variable: 'ANALYTICS_MAX_CONVERSATIONS', path: 'processing.maxConversations' },
  { variable: 'ANALYTICS_LLM_RPM', path: 'llm.requestsPerMinute' },
];

/** What is working with the current context while settings change. */
export interface BusyState {
  /** A run or backfill (console job or scheduled night). */
  running: boolean;
  /** A report export job. */
  exporting: boolean;
}

export class ContextHolder {
  private context: AppContext;
  private persistedSettings: Settings;
  private readonly env: NodeJS.ProcessEnv;
  private readonly writeFile: boolean;
  private readonly onSettingsChanged: ((settings: Settings) => void) | undefined;

  constructor(initial: AppContext, options: ContextHolderOptions = {}) {
    this.context = initial;
    this.env = options.env ?? {};
    this.writeFile = options.writeFile ?? true;
    this.onSettingsChanged = options.onSettingsChanged;
    this.persistedSettings = structuredClone(options.persisted ?? readSettingsFile(initial.dataDir));
  }

  current(): AppContext {
    return this.context;
  }

  /**
   * The analytics database of the live context. The context remembers a failed open for good,
   * so after a failure (server down, wrong password) the next call starts from a fresh context
   * and a fixed problem heals without a restart.
   */
  async analytics(): Promise<AnalyticsHandle> {
    const context = this.context;
    try {
      return await context.analytics();
    } catch (error) {
      if (this.context === context) {
        await context.close().catch(() => undefined);
        this.context = await createAppContext({ settings: context.settings, dataDir: context.dataDir, secrets: context.secrets, env: this.env });
      }
      throw error;
    }
  }

  settingsFile(): string {
    return settingsPath(this.context.dataDir);
  }

  overriddenByEnv(): Array<{ path: string; variable: string }> {
    return ENV_OVERRIDES.filter(({ variable }) => {
      const value = this.env[variable];
      if (!value || value.trim() === '') return false;
      // TZ is also the process zone; only an IANA name overrides the analytics day.
      return variable !== 'TZ' || value.includes('/') || value === 'UTC';
    });
  }

  /**
   * Applies a change to the persisted settings, writes them, and makes the result (with the
   * environment on top) live. `busy` says whether a run is in progress: then only display and
   * schedule settings may change, so a run never sees its inputs move under it.
   */
  async update(change: (persisted: Settings) => void, busy: BusyState): Promise<Settings> {
    const next = structuredClone(this.persistedSettings);
    change(next);
    const parsed = settingsSchema.safeParse(next);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      throw new HandlerError('validation', `Setting ${issue?.path.join('.') ?? ''} ${issue?.message ?? 'is invalid'}.`);
    }
    const effective = applyEnv(parsed.data, this.env);
    const live = this.context.settings;
    const changed = (key: keyof Settings): boolean => JSON.stringify(live[key]) !== JSON.stringify(effective[key]);
    const runInputsChanged =
      changed('source') ||
      changed('analytics') ||
      changed('llm') ||
      JSON.stringify({ ...live.processing, timeBasis: null }) !== JSON.stringify({ ...effective.processing, timeBasis: null });
    if (busy.running && runInputsChanged) {
      throw new HandlerError('busy', 'A run is in progress: connections, the LLM and processing parameters can be changed once it has finished or been cancelled.');
    }
    // An export reads both databases to its last row; switching either would cut it off.
    if (busy.exporting && (changed('source') || changed('analytics'))) {
      throw new HandlerError('busy', 'An export is being written: the database connections can be changed once it has finished or been cancelled.');
    }

    if (this.writeFile) writeSettingsFile(this.context.dataDir, parsed.data);
    this.persistedSettings = parsed.data;

    if (changed('analytics')) {
      // A different analytics database: close the old connection (and embedded server) first,
      // since a new embedded server would use the same data folder.
      const old = this.context;
      await old.close();
      this.context = await createAppContext({ settings: effective, dataDir: old.dataDir, secrets: old.secrets, env: this.env });
    } else {
      for (const key of Object.keys(effective) as Array<keyof Settings>) {
        (live as Record<keyof Settings, unknown>)[key] = effective[key];
      }
    }
    this.onSettingsChanged?.(this.context.settings);
    return this.context.settings;
  }

  async close(): Promise<void> {
    await this.context.close();
  }
}
