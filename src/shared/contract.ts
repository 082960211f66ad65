import { z } from 'zod';
import type { Channel } from './channels.ts';
import type * as T from './types.ts';
import { EDITABLE_SECRETS } from './types.ts';

// The console's one contract: channel → argument schema (validated in main for every call, from
// either transport) → result type. The renderer and preload import this file for types only;
// the schemas run in main.

const DATE_RE = /^\d{4}-\d{2}-\d{2}$/;

/** A real calendar day written YYYY-MM-DD (rejects 2025-02-30). */
export const localDate = z
  .string()
  .regex(DATE_RE, { message: 'must be a date written YYYY-MM-DD' })
  .refine((value) => {
    const [y, m, d] = value.split('-').map(Number) as [number, number, number];
    const date = new Date(Date.UTC(y, m - 1, d));
    return date.getUTCFullYear() === y && date.getUTCMonth() === m - 1 && date.getUTCDate() === d;
  }, { message: 'is not a calendar day' });

/** About ten years: enough for any backfill, bounded so one call cannot ask for millennia. */
export const MAX_RANGE_DAYS = 3700;

function daySpan(from: string, to: string): number {
  return (Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)) / 86_400_000;
}

const rangeShape = { from: localDate, to: localDate };
const rangeRefinements = <S extends z.ZodType<{ from: string; to: string }>>(schema: S) =>
  schema
    .refine((r) => r.from <= r.to, { message: '"from" must not be after "to"', path: ['from'] })
    .refine((r) => daySpan(r.from, r.to) <= MAX_RANGE_DAYS, { message: `a period may span at most ${MAX_RANGE_DAYS} days`, path: ['to'] });

/** A user hash as stored in the analytics database (HMAC-SHA256 hex). */
const userHash = z.string().regex(/^[0-9a-f]{64}$/, { message: 'must be a user hash (64 hex characters)' });

const periodFilter = rangeRefinements(z.strictObject({ ...rangeShape, user: userHash.optional() }));
const empty = z.strictObject({});

const pageArgs = {
  page: z.number().int().min(0).max(1_000_000).default(0),
  pageSize: z.number().int().min(1).max(500).default(50),
};

export const CONVERSATION_SORT_COLUMNS = [
  'date',
  'lastMessageAt',
  'timeSaved',
  'timeSavedEngaged',
  'manualTime',
  'activeMinutes',
  'engagedMinutes',
  'confidence',
  'messages',
  'cost',
  'category',
] as const;
export type ConversationSortColumn = (typeof CONVERSATION_SORT_COLUMNS)[number];

export const USER_SORT_COLUMNS = ['timeSaved', 'timeSavedEngaged', 'conversations', 'messages', 'activeDays', 'lastSeen'] as const;
export type UserSortColumn = (typeof USER_SORT_COLUMNS)[number];

/**
 * Text that ends up in SQL parameters or stored columns: PostgreSQL rejects NUL in text, and no
 * id, category or model name carries control characters.
 */
const hasControlCharacter = (text: string): boolean => [...text].some((c) => c.charCodeAt(0) < 0x20 || c.charCodeAt(0) === 0x7f);
const plainText = (max: number) =>
  z.string().min(1).max(max).refine((text) => !hasControlCharacter(text), { message: 'must not contain control characters' });

const conversationFilter = z.strictObject({
  ...rangeShape,
  user: userHash.optional(),
  category: plainText(100).optional(),
  estimateSource: z.enum(['llm', 'heuristic']).optional(),
  minConfidence: z.number().int().min(0).max(100).optional(),
  workRelated: z.boolean().optional(),
  taskCompleted: z.boolean().optional(),
  sort: z.enum(CONVERSATION_SORT_COLUMNS).default('lastMessageAt'),
  direction: z.enum(['asc', 'desc']).default('desc'),
  ...pageArgs,
});

const conversationId = plainText(200);

// ---- exports --------------------------------------------------------------------------------

export const EXPORT_KIND_VALUES = ['summary', 'daily', 'detailed', 'pdf'] as const;

/** What to export: the kind, the period and the dashboard's or the conversation list's filters. */
const exportScope = {
  ...rangeShape,
  kind: z.enum(EXPORT_KIND_VALUES),
  user: userHash.optional(),
  filters: z
    .strictObject({
      category: plainText(100).optional(),
      estimateSource: z.enum(['llm', 'heuristic']).optional(),
      minConfidence: z.number().int().min(0).max(100).optional(),
      workRelated: z.boolean().optional(),
      taskCompleted: z.boolean().optional(),
    })
    .optional(),
};

/** A file path typed or picked by the person; relative ones land in the exports folder. */
const exportPath = z
  .string()
  .trim()
  .min(1, { message: 'enter where to save the file' })
  .max(4096)
  .refine((value) => !value.includes('\0'), { message: 'must not contain a NUL character' });

// ---- settings patch: every field optional; null clears an optional setting -------------------

const nullableUrl = z.string().trim().min(1).max(4000).nullable();
const price = z.strictObject({ inputPerMTok: z.number().min(0).max(100_000), outputPerMTok: z.number().min(0).max(100_000) });

export const settingsPatchSchema = z.strictObject({
  source: z.strictObject({ url: nullableUrl }).partial().optional(),
  analytics: z.strictObject({ mode: z.enum(['embedded', 'url', 'derived']), url: nullableUrl }).partial().optional(),
  llm: z
    .strictObject({
      estimator: z.enum(['llm', 'heuristic']).nullable(),
      baseUrl: z.string().trim().url({ message: 'must be a URL such as https://api.openai.com/v1' }).max(2000).nullable(),
      model: z.string().trim().pipe(plainText(200)),
      requestsPerMinute: z.number().int().min(1).max(100_000),
      concurrency: z.number().int().min(1).max(256),
      timeoutMs: z.number().int().min(1_000).max(600_000),
      maxRetries: z.number().int().min(0).max(10),
      prices: z.record(z.string().min(1).max(200), price),
    })
    .partial()
    .optional(),
  processing: z
    .strictObject({
      timezone: z.string().min(1).max(100),
      idleThresholdMinutes: z.number().min(1).max(240),
      maxConversations: z.number().int().min(1).max(10_000_000),
      typingWpm: z.number().min(1).max(500),
      readingWpm: z.number().min(1).max(2000),
      skimmingWpm: z.number().min(1).max(20_000),
      timeBasis: z.enum(['engaged', 'active']),
    })
    .partial()
    .optional(),
  value: z
    .strictObject({
      hourlyRate: z.number().min(0).max(1_000_000),
      currency: z.string().regex(/^[A-Z]{3}$/, { message: 'must be a three-letter currency code such as EUR' }),
    })
    .partial()
    .optional(),
  schedule: z
    .strictObject({
      enabled: z.boolean(),
      cron: z.string().min(9).max(100),
      catchUpMaxDays: z.number().int().min(0).max(366),
      notifyOnFailure: z.boolean(),
      notifyOnSuccess: z.boolean(),
      keepInTray: z.boolean(),
      startAtLogin: z.boolean(),
    })
    .partial()
    .optional(),
  reports: z.strictObject({ organisationName: z.string().max(200), excelBom: z.boolean() }).partial().optional(),
});
export type SettingsPatch = z.input<typeof settingsPatchSchema>;

const secretKey = z.enum(EDITABLE_SECRETS);

// ---- schedule, logs, diagnostics, salt -------------------------------------------------------

const scheduledExport = z.strictObject({
  enabled: z.boolean().default(true),
  kinds: z
    .array(z.enum(['summary', 'daily', 'detailed', 'pdf']))
    .min(1, { message: 'choose at least one report' })
    .max(4)
    .refine((kinds) => new Set(kinds).size === kinds.length, { message: 'names a report twice' }),
  period: z.enum(['previous-day', 'previous-week', 'previous-month']),
  folder: z.string().trim().min(1, { message: 'enter the folder the reports are written to' }).max(4096),
});

export const schedulePatchSchema = z
  .strictObject({
    enabled: z.boolean(),
    cron: z.string().trim().min(1, { message: 'enter a cron expression' }).max(100),
    /** null: the zone of the analytics day. */
    timezone: z.string().trim().min(1).max(100).nullable(),
    catchUpMaxDays: z.number().int().min(0).max(366),
    retryMinutes: z.number().int().min(1).max(720),
    notifyOnFailure: z.boolean(),
    notifyOnSuccess: z.boolean(),
    keepInTray: z.boolean(),
    startAtLogin: z.boolean(),
    exports: z.array(scheduledExport).max(50),
  })
  .partial();
export type SchedulePatch = z.input<typeof schedulePatchSchema>;

const LOG_LEVEL_VALUES = ['error', 'warn', 'info', 'verbose', 'debug'] as const;
const typedPath = z
  .string()
  .trim()
  .min(1, { message: 'enter a file path' })
  .max(4096)
  .refine((value) => !value.includes('\0'), { message: 'must not contain a NUL character' });
/** Actions on the salt say "yes, I understand this is a secret" explicitly. */
const confirmed = z.literal(true, { message: 'confirm first: the salt is a secret' });

// ---- the contract ---------------------------------------------------------------------------

interface Spec<A extends z.ZodType, R> {
  args: A;
  /** Phantom: carries the result type; never read at run time. */
  result?: R;
}

function spec<R>() {
  return <A extends z.ZodType>(args: A): Spec<A, R> => ({ args });
}

export const contract = {
  'app.info': spec<T.AppInfo>()(empty),
  'settings.get': spec<T.SettingsView>()(empty),
  'settings.update': spec<T.SettingsView>()(z.strictObject({ patch: settingsPatchSchema })),
  'secrets.status': spec<T.SecretsStatus>()(empty),
  'secrets.set': spec<T.SecretsStatus>()(z.strictObject({ key: secretKey, value: z.string().min(1, { message: 'must not be empty' }).max(10_000) })),
  'secrets.delete': spec<T.SecretsStatus>()(z.strictObject({ key: secretKey })),
  'setup.testSource': spec<T.ConnectionTestResult>()(z.strictObject({ url: z.string().trim().min(1).max(4000).optional() })),
  'setup.testAnalytics': spec<T.ConnectionTestResult>()(
    z.strictObject({ mode: z.enum(['embedded', 'url', 'derived']).optional(), url: z.string().trim().min(1).max(4000).optional() }),
  ),
  'setup.testLlm': spec<T.ConnectionTestResult>()(
    z.strictObject({
      baseUrl: z.string().trim().url({ message: 'must be a URL such as https://api.openai.com/v1' }).max(2000).optional(),
      model: z.string().trim().pipe(plainText(200)).optional(),
      estimator: z.enum(['llm', 'heuristic']).optional(),
    }),
  ),
  'setup.migrate': spec<T.MigrateResult>()(empty),
  'dialog.pickSqliteFile': spec<{ path: string | null }>()(empty),
  'schedule.get': spec<T.ScheduleView>()(empty),
  'schedule.preview': spec<T.SchedulePreviewDto>()(
    z.strictObject({
      cron: z.string().max(200),
      /** Absent or null: the zone of the analytics day. */
      timezone: z.string().max(100).nullable().optional(),
      count: z.number().int().min(1).max(20).default(5),
    }),
  ),
  'schedule.update': spec<T.ScheduleView>()(z.strictObject({ patch: schedulePatchSchema })),
  'logs.tail': spec<T.LogTailDto>()(
    z.strictObject({
      lines: z.number().int().min(1).max(2000).default(200),
      /** This level and the more severe ones. */
      level: z.enum(LOG_LEVEL_VALUES).optional(),
      scope: z.string().regex(/^[A-Za-z0-9_.-]{1,40}$/, { message: 'must be a log scope such as scheduler' }).optional(),
      search: z.string().max(200).optional(),
    }),
  ),
  'logs.openFolder': spec<{ opened: boolean; folder: string }>()(empty),
  'health.diagnostics': spec<T.DiagnosticsResultDto>()(empty),
  'salt.status': spec<T.SaltStatusDto>()(empty),
  'salt.export': spec<T.SaltExportDto>()(z.strictObject({ path: typedPath.optional(), confirm: confirmed })),
  'salt.import': spec<T.SaltImportDto>()(
    z
      .strictObject({ salt: z.string().max(10_000).optional(), path: typedPath.optional(), confirm: confirmed })
      .refine((a) => (a.salt !== undefined && a.salt.trim() !== '') !== (a.path !== undefined), { message: 'give either the salt or the path of a salt file' }),
  ),
  'dashboard.summary': spec<T.SummaryDto>()(periodFilter),
  'dashboard.trend': spec<T.TrendDto>()(periodFilter),
  'dashboard.topUsers': spec<T.TopUsersDto>()(
    rangeRefinements(z.strictObject({ ...rangeShape, limit: z.number().int().min(1).max(100).default(10) })),
  ),
  'dashboard.categories': spec<T.CategoryDto[]>()(periodFilter),
  'dashboard.models': spec<T.ModelUsageDto[]>()(periodFilter),
  'users.list': spec<T.UsersDto>()(
    z.strictObject({ ...pageArgs, sort: z.enum(USER_SORT_COLUMNS).default('timeSavedEngaged'), direction: z.enum(['asc', 'desc']).default('desc') }),
  ),
  'conversations.list': spec<T.Page<T.ConversationRowDto>>()(
rangeRefinements(conversationFilter)),
  'conversations.get': spec<T.ConversationDetailDto>()(z.strictObject({ conversationId })),
  'conversations.skips': spec<T.Page<T.SkipDto>>()(z.strictObject({ ...pageArgs })),
  'conversations.failures': spec<T.Page<T.FailureDto>>()(z.strictObject({ ...pageArgs })),
  'runs.list': spec<T.Page<T.RunRowDto>>()(z.strictObject({ ...pageArgs })),
  'runs.defaultRange': spec<{ from: T.LocalDate; to: T.LocalDate }>()(empty),
  'runs.start': spec<T.RunJobState>()(
    rangeRefinements(z.strictObject({ ...rangeShape, force: z.boolean().default(false), kind: z.enum(['run', 'backfill']).default('backfill') })),
  ),
  'runs.cancel': spec<T.RunJobState>()(z.strictObject({ jobId: z.string().min(1).max(100) })),
  'jobs.current': spec<{ active: T.JobState | null; recent: T.JobState[] }>()(
    // Without a lane: runs and backfills, as before exports became jobs.
    z.strictObject({ lane: z.enum(['run', 'export']).optional() }),
  ),
  'health.check': spec<T.HealthDto>()(empty),
  'reports.defaultTarget': spec<T.ExportTargetDto>()(rangeRefinements(z.strictObject(exportScope))),
  'reports.export': spec<T.ExportJobState>()(
    rangeRefinements(
      z.strictObject({
        ...exportScope,
        path: exportPath,
        /** Byte-order mark for Excel; defaults to Settings → Reports. */
        bom: z.boolean().optional(),
        /** Replace a file of that name (the native dialog has asked already). */
        overwrite: z.boolean().optional(),
      }),
    ),
  ),
  'reports.cancel': spec<T.ExportJobState>()(z.strictObject({ jobId: z.string().min(1).max(100) })),
  'dialog.pickSaveFile': spec<{ path: string | null; replaceConfirmed: boolean }>()(rangeRefinements(z.strictObject(exportScope))),
  'shell.showInFolder': spec<{ shown: boolean }>()(z.strictObject({ path: exportPath })),
} satisfies { [C in Channel]: Spec<z.ZodType, unknown> };

export type Contract = typeof contract;
/** What a caller passes (defaults may be left out). */
export type ArgsIn<C extends Channel> = z.input<Contract[C]['args']>;
/** What a handler receives after validation (defaults filled in). */
export type Args<C extends Channel> = z.output<Contract[C]['args']>;
export type Result<C extends Channel> = NonNullable<Contract[C]['result']>;

export type Handlers = { [C in Channel]: (args: Args<C>) => Promise<Result<C>> };

/** Turns zod issues into one sentence a person can act on: "from: must be a date written YYYY-MM-DD". */
export function describeIssues(error: z.ZodError): string {
  const parts = error.issues.slice(0, 3).map((issue) => {
    const where = issue.path.length > 0 ? `${issue.path.join('.')}: ` : '';
    return `${where}${issue.message}`;
  });
  const more = error.issues.length > 3 ? ` (and ${error.issues.length - 3} more)` : '';
  return `Invalid request: ${parts.join('; ')}${more}.`;
}
