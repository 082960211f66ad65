import fs from 'node:fs';
import path from 'node:path';
import { inspect } from 'node:util';
import log from 'electron-log/node';
import { APP_ID, userDataDir } from '../config/load.ts';
import { redactValue } from './redact.ts';

// Logging for the core and the daemon. electron-log's Node entry, so the core never imports
// electron and the same files are written by the desktop app, the CLI daemon and tests.
//
// Nothing is written until an entry point calls configureLogging(): a library that logs must
// not create files in a user's profile just because a test or a script imported it. After
// that, every scope writes to <dir>/main.log, rotated by size into main.1.log … main.N.log.

export type LogScope = 'app' | 'db' | 'llm' | 'batch' | 'scheduler' | 'pipeline' | 'server' | 'reports' | 'electron' | 'cli';
export type LogLevel = 'error' | 'warn' | 'info' | 'verbose' | 'debug';

export interface Logger {
  error(...params: unknown[]): void;
  warn(...params: unknown[]): void;
  info(...params: unknown[]): void;
  verbose(...params: unknown[]): void;
  debug(...params: unknown[]): void;
}

export interface LoggingOptions {
  /** Folder of the log files; default `<user-data>/logs` (COGNIFORCE_HOME moves it). */
  dir?: string;
  /** Lowest level written to the file. */
  level?: LogLevel;
  /** Also write to stderr at this level (the daemon does; --json commands must not). */
  console?: LogLevel | false;
  /** Rotate when the file passes this size. */
  maxSizeBytes?: number;
  /** Files kept in all, the live one included. */
  keepFiles?: number;
  env?: NodeJS.ProcessEnv;
}

export const LOG_FILE_NAME = 'main.log';
const DEFAULT_MAX_SIZE = 5 * 1024 * 1024;
const DEFAULT_KEEP = 5;

// Our own logger instance, so a default electron-log someone else configures cannot redirect ours.
const logger = log.create({ logId: 'cogniforce' });
let currentDir: string | null = null;
let keepFiles = DEFAULT_KEEP;

logger.transports.file.level = false;
logger.transports.console.level = false;
// stderr only: stdout belongs to --json output and to the daemon's own lines.
logger.transports.console.writeFn = ({ message }) => {
  const text = message.data.map((part) => (typeof part === 'string' ? part : inspect(part, { depth: 4, breakLength: Infinity }))).join(' ');
  process.stderr.write(`${text}\n`);
};
logger.transports.console.format = '{h}:{i}:{s}.{ms} [{level}]{scope} {text}';
logger.transports.file.format = '[{y}-{m}-{d} {h}:{i}:{s}.{ms}] [{level}]{scope} {text}';
logger.transports.file.fileName = LOG_FILE_NAME;
// Without a name electron-log looks for package.json next to require.main (none in an ES module
// entry), in argv or the working directory (`/` for a service) — and, finding none, writes nothing.
logger.transports.file.setAppName(APP_ID);
// One line per entry: grep and the Health log viewer read lines.
logger.transports.file.inspectOptions = { depth: 5, breakLength: Infinity };
logger.transports.file.resolvePathFn = () => path.join(logsDir(), LOG_FILE_NAME);
logger.transports.file.archiveLogFn = (file) => rotate(file.path, keepFiles);
logger.hooks.push((message) => ({ ...message, data: message.data.map((part) => redactValue(part)) }));

/** main.log → main.1.log → … → main.(keep-1).log; the oldest falls off. */
export function rotate(file: string, keep: number): void {
  const { dir, name, ext } = path.parse(file);
  const nth = (n: number): string => path.join(dir, `${name}.${n}${ext}`);
  try {
    fs.rmSync(nth(Math.max(1, keep - 1)), { force: true });
    for (let n = keep - 2; n >= 1; n--) if (fs.existsSync(nth(n))) fs.renameSync(nth(n), nth(n + 1));
    if (keep > 1) fs.renameSync(file, nth(1));
    else fs.rmSync(file, { force: true });
  } catch {
    // A locked file (Windows, a viewer holding it) must not stop logging: electron-log then
    // keeps appending to the current file and tries again at the next write.
  }
}

/** Turns file logging on (idempotent; call again to move it, e.g. a test's temp folder). */
export function configureLogging(options: LoggingOptions = {}): void {
  currentDir = path.resolve(options.dir ?? path.join(userDataDir(options.env ?? process.env), 'logs'));
  fs.mkdirSync(currentDir, { recursive: true });
  keepFiles = Math.max(1, options.keepFiles ?? DEFAULT_KEEP);
  logger.transports.file.maxSize = options.maxSizeBytes ?? DEFAULT_MAX_SIZE;
  logger.transports.file.level = options.level ?? 'info';
  logger.transports.console.level = options.console ?? false;
}

/** Stops writing (tests; the process keeps its loggers). */
export function disableLogging(): void {
  logger.transports.file.level = false;
  logger.transports.console.level = false;
  currentDir = null;
}

/** The folder the log files go to (Health's "open logs folder", diagnostics bundles). */
export function logsDir(env: NodeJS.ProcessEnv = process.env): string {
  return currentDir ?? path.join(userDataDir(env), 'logs');
}

/** Log files newest first: the live file, then its rotated predecessors. */
export function logFiles(dir: string = logsDir()): string[] {
  const { name, ext } = path.parse(LOG_FILE_NAME);
  const pattern = new RegExp(`^${name}(\\.(\\d+))?${ext.replace('.', '\\.')}$`);
  let entries: string[];
  try {
    entries = fs.readdirSync(dir);
  } catch {
    return [];
  }
  return entries
    .map((file) => ({ file, n: pattern.exec(file) }))
    .filter((e): e is { file: string; n: RegExpExecArray } => e.n !== null)
    .sort((a, b) => Number(a.n[2] ?? 0) - Number(b.n[2] ?? 0))
    .map((e) => path.join(dir, e.file));
}

const scopes = new Map<LogScope, Logger>();

/** One logger per area; cheap to call anywhere. */
export function getLogger(scope: LogScope): Logger {
  let scoped = scopes.get(scope);
  if (!scoped) {
    const s = logger.scope(scope);
    scoped = {
      error: (...p) => s.error(...p),
      warn: (...p) => s.warn(...p),
      info: (...p) => s.info(...p),
      verbose: (...p) => s.verbose(...p),
      debug: (...p) => s.debug(...p),
    };
    scopes.set(scope, scoped);
  }
  return scoped;
}

export { redactText, redactValue, REDACTED } from './redact.ts';
