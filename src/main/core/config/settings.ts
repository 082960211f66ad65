import { z } from 'zod';

// Non-secret settings, stored as JSON in the user-data folder and edited through Settings.
// Secrets (API key, passwords, salt) never appear here: they live in the SecretStore.

const priceSchema = z.object({
  /** USD per million input tokens. */
  inputPerMTok: z.number().nonnegative(),
  /** USD per million output tokens. */
  outputPerMTok: z.number().nonnegative(),
});
export type ModelPrice = z.infer<typeof priceSchema>;

export const DEFAULT_PRICES: Record<string, ModelPrice> = {
  'gpt-4o-mini': { inputPerMTok: 0.15, outputPerMTok: 0.6 },
  'gpt-4o': { inputPerMTok: 2.5, outputPerMTok: 10 },
  'gpt-4.1-mini': { inputPerMTok: 0.4, outputPerMTok: 1.6 },
  'gpt-4.1-nano': { inputPerMTok: 0.1, outputPerMTok: 0.4 },
  'gpt-4.1': { inputPerMTok: 2, outputPerMTok: 8 },
};

const ianaZone = z.string().refine(isValidTimeZone, { message: 'must be an IANA time zone such as Europe/Budapest' });

export const REPORT_KINDS = ['summary', 'daily', 'detailed', 'pdf'] as const;
export type ReportKind = (typeof REPORT_KINDS)[number];
export const EXPORT_PERIODS = ['previous-day', 'previous-week', 'previous-month'] as const;
export type ExportPeriod = (typeof EXPORT_PERIODS)[number];

const scheduledExportSchema = z.object({
  enabled: z.boolean().default(true),
  kinds: z.array(z.enum(REPORT_KINDS)).min(1),
  /** The last complete day, ISO week (Monday–Sunday) or calendar month before the run. */
  period: z.enum(EXPORT_PERIODS),
  /** Absolute folder the files are written to. */
  folder: z.string().min(1),
});
export type ScheduledExport = z.infer<typeof scheduledExportSchema>;

export const settingsSchema = z.object({
  source: z
    .object({
      /** Open WebUI DATABASE_URL form or a path to webui.db. */
      url: z.string().min(1).optional(),
      /** Open WebUI's DATABASE_SCHEMA: tables outside PostgreSQL's default schema. */
      schema: z.string().min(1).max(63).optional(),
    })
    .default({}),
  analytics: z
    .object({
      /** embedded: the app's own PostgreSQL; url: COGNIFORCE_DATABASE_URL; derived: database `cogniforce` on the source server. */
      mode: z.enum(['embedded', 'url', 'derived']).default('embedded'),
      url: z.string().min(1).optional(),
    })
    .default({ mode: 'embedded' }),
  llm: z
    .object({
      estimator: z.enum(['llm', 'heuristic']).optional(),
      baseUrl: z.string().url().optional(),
      model: z.string().min(1).default('gpt-4o-mini'),
      requestsPerMinute: z.number().int().min(1).max(100_000).default(50),
      concurrency: z.number().int().min(1).max(256).default(8),
      timeoutMs: z.number().int().min(1_000).max(600_000).default(60_000),
      maxRetries: z.number().int().min(0).max(10).default(4),
      prices: z.record(z.string(), priceSchema).default(DEFAULT_PRICES),
      /**
       * Scheduled runs send their estimates through OpenAI's Batch API (half price, answers
       * within 24 h) instead of one request per conversation. Manual runs and backfills stay
       * synchronous. Needs an endpoint with /v1/files and /v1/batches. Optional (default off)
       * for the same reason as the schedule's newer fields.
       */
      batchMode: z.boolean().optional(),
      /** How often a waiting batch is polled (default 60 s). */
      batchPollSeconds: z.number().int().min(1).max(3600).optional(),
    })
    .default({ model: 'gpt-4o-mini', requestsPerMinute: 50, concurrency: 8, timeoutMs: 60_000, maxRetries: 4, prices: DEFAULT_PRICES }),
  processing: z
    .object({
      timezone: ianaZone.default('Europe/Budapest'),
      idleThresholdMinutes: z.number().min(1).max(240).default(10),
      maxConversations: z.number().int().min(1).max(10_000_000).default(1000),
      typingWpm: z.number().min(1).max(500).default(40),
      readingWpm: z.number().min(1).max(2000).default(230),
      skimmingWpm: z.number().min(1).max(20_000).default(1000),
      /** Which with-AI time the dashboard, CSV and PDF lead with. Both are always stored. */
      timeBasis: z.enum(['engaged', 'active']).default('engaged'),
    })
    .default({
      timezone: 'Europe/Budapest',
      idleThresholdMinutes: 10,
      maxConversations: 1000,
      typingWpm: 40,
      readingWpm: 230,
      skimmingWpm: 1000,
      timeBasis: 'engaged',
    }),
  value: z
    .object({
      hourlyRate: z.number().nonnegative().default(50),
      currency: z.string().length(3).default('EUR'),
    })
    .default({ hourlyRate: 50, currency: 'EUR' }),
  schedule: z
    .object({
      enabled: z.boolean().default(true),
      cron: z.string().min(9).default('0 0 * * *'),
      catchUpMaxDays: z.number().int().min(0).max(366).default(31),
      notifyOnFailure: z.boolean().default(true),
      notifyOnSuccess: z.boolean().default(false),
      keepInTray: z.boolean().default(true),
      startAtLogin: z.boolean().default(false),
      // The fields below are optional without defaults on purpose: the console's settings DTO
      // (src/shared) mirrors this type exactly, so new fields stay optional until it adopts
      // them. Their defaults live in src/main/core/scheduler/config.ts.
      /** Zone of the cron expressions; unset = the analytics day's zone (processing.timezone). */
      timezone: ianaZone.optional(),
      /** Health check cadence, default every 6 hours (logged; a change to unhealthy is notified). */
      healthCron: z.string().min(9).optional(),
      /** Wait before trying again when another run holds the lock or the run could not start (default 10). */
      retryMinutes: z.number().int().min(1).max(720).optional(),
      /** Report files written after the nightly run, named with their period. */
      exports: z.array(scheduledExportSchema).max(50).optional(),
    })
    .default({ enabled: true, cron: '0 0 * * *', catchUpMaxDays: 31, notifyOnFailure: true, notifyOnSuccess: false, keepInTray: true, startAtLogin: false }),
  reports: z
    .object({
      organisationName: z.string().max(200).default(''),
      excelBom: z.boolean().default(true),
    })
    .default({ organisationName: '', excelBom: true }),
});

export type Settings = z.infer<typeof settingsSchema>;
export type SettingsInput = z.input<typeof settingsSchema>;

export function defaultSettings(): Settings {
  return settingsSchema.parse({});
}

export function isValidTimeZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: zone });
    return zone.includes('/') || zone === 'UTC';
  } catch {
    return false;
  }
}
