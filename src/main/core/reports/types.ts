import type { EstimateSource } from '../store/schema.ts';

// The one shape every caller of the exporters uses: the CLI `export`, the console's Reports
// screen and the scheduler's overnight exports.

export type ExportKind = 'summary' | 'daily' | 'detailed' | 'pdf';

export const EXPORT_KINDS: readonly ExportKind[] = ['summary', 'daily', 'detailed', 'pdf'];

/** Conversation-level filters; only the detailed CSV can apply them (aggregates do not carry them). */
export interface ConversationExportFilters {
  category?: string | null;
  source?: EstimateSource | null;
  minConfidence?: number | null;
  workRelated?: boolean | null;
  taskCompleted?: boolean | null;
}

export interface ExportRequest {
  kind: ExportKind;
  /** Inclusive local days, 'YYYY-MM-DD'. */
  from: string;
  to: string;
  /** Restrict to one user (the salted hash); omitted = everyone. */
  userHash?: string | null;
  /** Target file; written to a temporary file beside it and renamed on success. */
  out: string;
  /** Byte-order mark for Excel (CSV only); defaults to settings.reports.excelBom. */
  bom?: boolean;
  filters?: ConversationExportFilters;
}

export interface ExportProgress {
  kind: ExportKind;
  phase: 'preparing' | 'writing' | 'rendering' | 'done';
  rows: number;
  /** Rows expected, when known up front (detailed CSV). */
  total: number | null;
  bytes: number;
}

export interface ExportOptions {
  onProgress?: (progress: ExportProgress) => void;
  signal?: AbortSignal;
  /** The clock for "generated at" (tests pin it so output is byte-for-byte deterministic). */
  now?: () => Date;
}

export interface ExportResult {
  path: string;
  /** Data rows written (CSV only; the header is not counted). */
  rows?: number;
  bytes: number;
  seconds: number;
}

/** A person's mistake in the request or the environment, with a message they can act on. */
export class ExportError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'ExportError';
  }
}

export class ExportCancelledError extends Error {
  constructor() {
    super('The export was cancelled; no file was written.');
    this.name = 'ExportCancelledError';
  }
}
