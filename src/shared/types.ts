// Result and event types of the console contract: plain JSON shapes that cross IPC and HTTP.
// Dates are 'YYYY-MM-DD' local days in the configured zone; instants are ISO strings; durations
// are whole minutes unless a name says otherwise. No Node, no DOM, no zod.

export type LocalDate = string;
export type TimeBasis = 'engaged' | 'active';

export type ErrorCode =
  | 'validation'
  | 'not_found'
  | 'config'
  | 'unavailable'
  | 'busy'
  | 'locked'
  | 'connection'
  | 'keychain'
  | 'salt_mismatch'
  /** A file of that name is already there (an export asks before replacing it). */
  | 'exists'
  | 'forbidden'
  | 'internal';

/** What crosses the boundary when a call fails: never a stack trace. */
export interface PublicError {
  code: ErrorCode;
  message: string;
}

export type Envelope<T> = { ok: true; data: T } | { ok: false; error: PublicError };

// ---- settings -------------------------------------------------------------------------------

export interface ModelPriceDto {
  inputPerMTok: number;
  outputPerMTok: number;
}

/** Mirrors the core Settings (handlers check at compile time that the two agree). */
export interface SettingsDto {
  source: { url?: string | undefined };
  analytics: { mode: 'embedded' | 'url' | 'derived'; url?: string | undefined };
  llm: {
    estimator?: 'llm' | 'heuristic' | undefined;
    baseUrl?: string | undefined;
    model: string;
    requestsPerMinute: number;
    concurrency: number;
    timeoutMs: number;
    maxRetries: number;
    prices: Record<string, ModelPriceDto>;
  };
  processing: {
    timezone: string;
    idleThresholdMinutes: number;
    maxConversations: number;
    typingWpm: number;
    readingWpm: number;
    skimmingWpm: number;
    timeBasis: TimeBasis;
  };
  value: { hourlyRate: number; currency: string };
  schedule: {
    enabled: boolean;
    cron: string;
    catchUpMaxDays: number;
    notifyOnFailure: boolean;
    notifyOnSuccess: boolean;
    keepInTray: boolean;
    startAtLogin: boolean;
  };
  reports: { organisationName: string; excelBom: boolean };
}

export interface SettingsView {
  settings: SettingsDto;
  /** Dotted setting paths currently forced by environment variables (shown read-only). */
  overriddenByEnv: Array<{ path: string; variable: string }>;
  settingsFile: string;
}

export const EDITABLE_SECRETS = ['openai-api-key', 'source-db-password', 'analytics-db-password'] as const;
export type EditableSecret = (typeof EDITABLE_SECRETS)[number];

export interface SecretsStatus {
  keychain: { backend: 'os-keychain' | 'environment' | 'memory'; available: boolean; message: string };
  /** Whether each secret has a value; the value itself never leaves the main process. */
  isSet: Record<EditableSecret | 'salt', boolean>;
}

// ---- app and setup --------------------------------------------------------------------------

export interface AppInfo {
  version: string;
  dataDir: string;
  /** Native dialogs exist only in the desktop app; the browser console shows text fields. */
  capabilities: {
    nativeDialogs: boolean;
    /** A native "save as" dialog for exports; otherwise the console shows a path field. */
    saveDialog: boolean;
    /** "Open containing folder" for a written export. */
    showInFolder: boolean;
  };
  setup: {
    sourceConfigured: boolean;
    estimatorConfigured: boolean;
    analyticsMode: 'embedded' | 'url' | 'derived';
    /** Setup is complete once a source and an estimator are configured. */
    complete: boolean;
  };
  display: { timeBasis: TimeBasis; currency: string; hourlyRate: number; timezone: string; today: LocalDate };
}

export interface ConnectionTestResult {
  ok: boolean;
  message: string;
  latencyMs: number | null;
  details: Record<string, string | number | boolean | null>;
}

export interface MigrateResult {
  applied: string[];
  message: string;
}

// ---- dashboard ------------------------------------------------------------------------------

export interface SummaryDto {
  from: LocalDate;
  to: LocalDate;
  timeBasis: TimeBasis;
  conversations: number;
  messages: number;
  timeSaved: { engagedMinutes: number; activeMinutes: number };
  /** Time spent with AI under each basis; idle is total span minus active. */
  withAi: { engagedMinutes: number; activeMinutes: number; idleMinutes: number; durationMinutes: number };
  manual: { lowMinutes: number; mostLikelyMinutes: number; highMinutes: number };
  avgTimeSavedPerConversation: { engagedMinutes: number | null; activeMinutes: number | null };
  avgConfidence: number | null;
  heuristicShare: number;
  value: { engaged: number; active: number; currency: string; hourlyRate: number };
  llmCostUsd: number;
}

export interface TrendPointDto {
  date: LocalDate;
  conversations: number;
  timeSavedEngagedMinutes: number;
  timeSavedActiveMinutes: number;
  manualLowMinutes: number;
  manualMostLikelyMinutes: number;
  manualHighMinutes: number;
  engagedMinutes: number;
  activeMinutes: number;
  idleMinutes: number;
}

export interface TrendDto {
  timeBasis: TimeBasis;
  points: TrendPointDto[];
}

export interface UserLabel {
  userHash: string;
  /** "Name (email)" from the live source, or a short hash when the source is unreachable. */
  label: string;
  name: string | null;
  email: string | null;
  resolved: boolean;
}

export interface TopUserDto extends UserLabel {
  conversations: number;
  timeSavedEngagedMinutes: number;
  timeSavedActiveMinutes: number;
}

export interface TopUsersDto {
  timeBasis: TimeBasis;
  users: TopUserDto[];
  /** Why names could not be shown, when they could not. */
  namesUnavailable: string | null;
}

export interface CategoryDto {
  /** null: the estimator gave no category. */
  category: string | null;
  conversations: number;
  timeSavedEngagedMinutes: number;
  timeSavedActiveMinutes: number;
}

export interface ModelUsageDto {
  model: string;
  conversations: number;
  /** Assistant messages the model wrote. */
  messages: number;
}

// ---- users ----------------------------------------------------------------------------------

export interface UserEngagementDto extends UserLabel {
  conversations: number;
  messages: number;
  activeDays: number;
  firstSeen: LocalDate | null;
  lastSeen: LocalDate | null;
  inputTokens: number;
  outputTokens: number;
  timeSavedEngagedMinutes: number;
  timeSavedActiveMinutes: number;
}

/** All-time engagement per user, one page of it. */
export interface UsersDto extends Page<UserEngagementDto> {
  timeBasis: TimeBasis;
  namesUnavailable: string | null;
}

// ---- conversations --------------------------------------------------------------------------

export interface Page<T> {
  rows: T[];
  total: number;
  page: number;
  pageSize: number;
}

export interface ConversationRowDto {
  conversationId: string;
  analysisDate: LocalDate;
  userHash: string;
  userLabel: string;
  lastMessageAt: string | null;
  messageCount: number;
  engagedMinutes: number;
  activeMinutes: number;
  idleMinutes: number;
  manualLowMinutes: number;
  manualMostLikelyMinutes: number;
  manualHighMinutes: number;
  timeSavedEngagedMinutes: number;
  timeSavedActiveMinutes: number;
  confidence: number | null;
  category: string | null;
  estimateSource: 'llm' | 'heuristic' | null;
  model: string | null;
}

export interface ConversationDetailDto extends ConversationRowDto {
  firstMessageAt: string | null;
  totalMinutes: number;
  workRelated: boolean | null;
  taskCompleted: boolean | null;
  estimateRepaired: boolean;
  reasoning: string | null;
  /** The exact redacted summary that was sent to the estimator, as stored. */
  summarySent: string | null;
  promptVersion: string | null;
  processingVersion: string | null;
  processedAt: string;
  inputTokens: number;
  outputTokens: number;
  costUsd: number;
  runId: number | null;
  activeIntervals: Array<[number, number]>;
  engagedIntervals: Array<[number, number]>;
  insights: {
    userMessages: number;
    assistantMessages: number;
    branchCount: number;
    models: Record<string, number>;
    avgResponseSeconds: number | null;
    attachments: Record<string, number>;
  } | null;
}

export interface SkipDto {
  conversationId: string;
  reason: string;
  detail: string | null;
  runId: number | null;
  seenAt: string;
}

export interface FailureDto {
  conversationId: string;
  errorCode: string | null;
  errorMessage: string | null;
  attempts: number;
  runId: number | null;
  lastAttemptAt: string;
}

// ---- runs and jobs --------------------------------------------------------------------------

export type RunStatusDto = 'running' | 'completed' | 'failed' | 'cancelled' | 'interrupted';

export interface RunRowDto {
  id: number;
  status: RunStatusDto;
  trigger: string;
  rangeFrom: LocalDate | null;
  rangeTo: LocalDate | null;
  forced: boolean;
  startedAt: string | null;
  completedAt: string | null;
  processed: number;
  skipped: number;
  failed: number;
  unchanged: number;
  llmRequests: number;
  llmCostUsd: number;
  durationSeconds: number | null;
  errorMessage: string | null;
  host: string | null;
}

export interface RunProgressDto {
  runId: number;
  phase: 'starting' | 'reading' | 'estimating' | 'aggregating' | 'done';
  scanned: number;
  skipped: number;
  unchanged: number;
  selected: number;
  processed: number;
  failed: number;
  candidates: number | null;
  elapsedSeconds: number;
  etaSeconds: number | null;
}

export interface RunResultDto {
  runId: number;
  status: 'completed' | 'failed' | 'cancelled';
  from: LocalDate;
  to: LocalDate;
  processed: number;
  skipped: number;
  unchanged: number;
  failed: number;
  deferred: number;
  llmRequests: number;
  llmCostUsd: number;
  durationSeconds: number;
  errorMessage: string | null;
}

export type RunJobKind = 'run' | 'backfill';
export type JobKind = RunJobKind | 'export';
export type JobStatus = 'running' | 'completed' | 'failed' | 'cancelled';

/**
 * Jobs run in lanes, one running job per lane: a run and an export may go at once, two runs
 * (or two exports) may not.
 */
export type JobLane = 'run' | 'export';

export function jobLane(kind: JobKind): JobLane {
  return kind === 'export' ? 'export' : 'run';
}

interface JobCommon {
  id: string;
  /** Counts the job's published changes: of two states of one job, the higher is the newer. */
  revision: number;
  status: JobStatus;
  startedAt: string;
  finishedAt: string | null;
  cancelRequested: boolean;
  error: PublicError | null;
}

export interface RunJobState extends JobCommon {
  kind: RunJobKind;
  request: { from: LocalDate; to: LocalDate; force: boolean };
  progress: RunProgressDto | null;
  result: RunResultDto | null;
}

export interface ExportJobState extends JobCommon {
  kind: 'export';
  request: ExportRequestDto;
  progress: ExportProgressDto | null;
  result: ExportResultDto | null;
}

/** Any long job; `kind` tells which. */
export type JobState = RunJobState | ExportJobState;

/** The job type of a lane, for callers that follow one lane. */
export type JobOfLane<L extends JobLane> = L extends 'export' ? ExportJobState : RunJobState;

export function isJobOfLane<L extends JobLane>(job: JobState, lane: L): job is JobOfLane<L> {
  return jobLane(job.kind) === lane;
}

/**
 * Events and call answers race: the first progress event of an export can arrive before the
 * answer to the call that started it, and the "finished" event of a cancelled run before the
 * answer to the cancel call. Of two states of one job the higher revision wins.
 */
export function newerJob<S extends JobState>(existing: S | null, next: S): S {
  if (existing && existing.id === next.id && existing.revision > next.revision) return existing;
  return next;
}

// ---- exports (reports) ----------------------------------------------------------------------

export type ExportKindDto = 'summary' | 'daily' | 'detailed' | 'pdf';

/** Conversation-level filters; only the detailed CSV applies them. */
export interface ExportFiltersDto {
  category?: string | undefined;
  estimateSource?: 'llm' | 'heuristic' | undefined;
  minConfidence?: number | undefined;
  workRelated?: boolean | undefined;
  taskCompleted?: boolean | undefined;
}

/** What an export job writes, as the job records it. */
export interface ExportRequestDto {
  kind: ExportKindDto;
  from: LocalDate;
  to: LocalDate;
  /** User hash, or null for everyone. */
  user: string | null;
  filters: ExportFiltersDto;
  /** Byte-order mark for Excel (CSV kinds). */
  bom: boolean;
  /** The absolute path of the file being written. */
  path: string;
}

export interface ExportProgressDto {
  phase: 'preparing' | 'writing' | 'rendering' | 'done';
  rows: number;
  /** Rows expected, when known up front (detailed CSV). */
  total: number | null;
  bytes: number;
  elapsedSeconds: number;
}

export interface ExportResultDto {
  path: string;
  fileName: string;
  folder: string;
  /** Data rows written (CSV); null for the PDF. */
  rows: number | null;
  bytes: number;
  seconds: number;
}

/** Where an export goes unless the person picks another place. */
export interface ExportTargetDto {
  /** The console's exports folder (<data folder>/exports). */
  folder: string;
  /** Named like the scheduler names its files: kind and period. */
  fileName: string;
  path: string;
  /** A file already has that name (exporting again asks before replacing it). */
  exists: boolean;
  /** The Settings default for the Excel byte-order mark. */
  excelBom: boolean;
}

export interface JobEvent {
  type: 'started' | 'progress' | 'finished';
  job: JobState;
}

export interface EventPayloads {
  'jobs.update': JobEvent;
  /** Desktop only: open this console page (the hash route's first segment). */
  'app.navigate': { page: string };
}

// ---- health ---------------------------------------------------------------------------------

export type HealthLevel = 'healthy' | 'degraded' | 'unhealthy';

export interface HealthDto {
  overall: HealthLevel;
  reasons: string[];
  checkedAt: string;
  checks: Array<{ name: string; level: HealthLevel; message: string; latencyMs?: number | undefined }>;
  lastRun: { id: number; status: string; startedAt: string | null; completedAt: string | null; errorMessage: string | null } | null;
  lastCompletedRunAgeHours: number | null;
  versions: { app: string; node: string; processing: string };
  timezone: string;
  idleThresholdMinutes: number;
}

// ---- schedule -------------------------------------------------------------------------------

export type ScheduledReportKindDto = 'summary' | 'daily' | 'detailed' | 'pdf';
export type ExportPeriodDto = 'previous-day' | 'previous-week' | 'previous-month';

/** Report files written after a night whose data is complete, named with their period. */
export interface ScheduledExportDto {
  enabled: boolean;
  kinds: ScheduledReportKindDto[];
  period: ExportPeriodDto;
  /** Absolute folder. */
  folder: string;
}

export interface NextRunDto {
  /** ISO instant (UTC). */
  at: string;
  /** "2026-03-29 00:00 (+01:00)" in the schedule's zone. */
  local: string;
  /** Short weekday in that zone. */
  weekday: string;
}

/** Next fire times of a cron expression in a zone, or why it cannot be used. */
export type SchedulePreviewDto =
  | { ok: true; cron: string; timezone: string; nextRuns: NextRunDto[] }
  | { ok: false; cron: string; timezone: string; message: string };

export interface ScheduleSettingsDto {
  enabled: boolean;
  cron: string;
  /** null: the zone of the analytics day (processing.timezone). */
  timezone: string | null;
  catchUpMaxDays: number;
  retryMinutes: number;
  notifyOnFailure: boolean;
  notifyOnSuccess: boolean;
  keepInTray: boolean;
  startAtLogin: boolean;
  exports: ScheduledExportDto[];
}

export interface SchedulerEventDto {
  at: string;
  day: LocalDate;
  reason: string;
  outcome: string;
  message: string;
}

/** Whether the process this console talks to runs the scheduler, and what it is doing. */
export interface SchedulerProcessDto {
  runsHere: boolean;
  message: string;
  paused: boolean;
  running: boolean;
  /** From the live scheduler (empty when paused, disabled or not running here). */
  nextRuns: NextRunDto[];
  retryAt: string | null;
  lastDayDone: LocalDate | null;
  history: SchedulerEventDto[];
}

export interface ScheduleView {
  schedule: ScheduleSettingsDto;
  processingTimezone: string;
  /** The zone the cron expression is read in. */
  effectiveTimezone: string;
  /** The saved schedule's next runs (from the settings, whether or not a scheduler runs here). */
  preview: SchedulePreviewDto;
  scheduler: SchedulerProcessDto;
  /** A suggested folder for new scheduled exports. */
  defaultExportFolder: string;
  /** Schedule settings forced by environment variables (shown read-only). */
  overriddenByEnv: Array<{ path: string; variable: string }>;
}

// ---- logs and diagnostics -------------------------------------------------------------------

export type LogLevelDto = 'error' | 'warn' | 'info' | 'verbose' | 'debug';

export interface LogEntryDto {
  /** Local time of the process that wrote it, as written. */
  at: string | null;
  level: LogLevelDto | null;
  scope: string | null;
  /** Masked again on read; never a secret. */
  text: string;
  file: string;
}

export interface LogTailDto {
  folder: string;
  files: Array<{ name: string; bytes: number }>;
  /** Oldest first. */
  entries: LogEntryDto[];
  scopes: string[];
  /** More matching entries exist than were returned. */
  truncated: boolean;
  /** The desktop app can open the folder in the file manager. */
  canOpenFolder: boolean;
}

export interface DiagnosticsResultDto {
  /** False when the person cancelled the save dialog. */
  saved: boolean;
  path: string | null;
  bytes: number;
  folder: string;
}

// ---- salt -----------------------------------------------------------------------------------

/** The salt is a secret: only its fingerprint (sha256-based, 16 hex) ever reaches the renderer. */
export interface SaltStatusDto {
  set: boolean;
  fingerprint: string | null;
  keychain: { available: boolean; message: string };
  database: { reachable: boolean; fingerprint: string | null; hasData: boolean; matches: boolean | null; message: string };
  /** Export opens a native save dialog (desktop); otherwise a path is typed. */
  saveDialog: boolean;
}

export interface SaltExportDto {
  /** False when the person cancelled the save dialog. */
  saved: boolean;
  path: string | null;
  fingerprint: string | null;
}

export interface SaltImportDto {
  changed: boolean;
  message: string;
  status: SaltStatusDto;
}
