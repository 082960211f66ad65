import { ZodError } from 'zod';
import { describeIssues } from '../../../shared/contract.ts';
import type { ErrorCode, PublicError } from '../../../shared/types.ts';

// Errors cross the boundary as data with a message a person can act on. Known failures map to
// a code; anything unexpected keeps its first line (stack traces go to the log only).

/** An error a handler throws on purpose, with the code the renderer shows it under. */
export class HandlerError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'HandlerError';
  }
}

/** Error class names from the core and the code each maps to (matched by name: no imports). */
const CODES_BY_NAME: Record<string, ErrorCode> = {
  ConfigError: 'config',
  RunLockedError: 'locked',
  AnalyticsConnectionError: 'connection',
  SourceConnectionError: 'connection',
  SecretStoreUnavailableError: 'keychain',
  SaltMismatchError: 'salt_mismatch',
  MigrationError: 'internal',
  // Exports: a folder that does not exist or is not writable, a full disk — the person's to fix.
  ExportError: 'validation',
};

const MAX_MESSAGE = 600;

function firstLines(message: string): string {
  const text = message.split('\n').slice(0, 3).join(' ').trim();
  return text.length > MAX_MESSAGE ? `${text.slice(0, MAX_MESSAGE - 1)}…` : text;
}

/** Replaces passwords in connection URLs that may appear in driver messages. */
function scrubUrls(message: string): string {
  return message.replace(/(\/\/[^:/@\s]*:)[^@\s]*@/g, '$1***@');
}

export function toPublicError(error: unknown): PublicError {
  if (error instanceof HandlerError) return { code: error.code, message: scrubUrls(error.message) };
  if (error instanceof ZodError) return { code: 'validation', message: describeIssues(error) };
  if (error instanceof Error) {
    const code = CODES_BY_NAME[error.name] ?? networkCode(error) ?? 'internal';
    const text = scrubUrls(firstLines(error.message || error.name));
    if (code === 'internal') {
      return { code, message: `${text || 'Unexpected failure'}. If this keeps happening, open Health and send the diagnostics.` };
    }
    return { code, message: text };
  }
  return { code: 'internal', message: 'Unexpected failure. If this keeps happening, open Health and send the diagnostics.' };
}

function networkCode(error: Error): ErrorCode | null {
  const code = (error as NodeJS.ErrnoException).code;
  if (code === 'ECONNREFUSED' || code === 'ENOTFOUND' || code === 'ETIMEDOUT' || code === 'EAI_AGAIN' || code === 'ECONNRESET') return 'connection';
  return null;
}
