import fs from 'node:fs';
import path from 'node:path';
import { logFiles, type LogLevel } from './index.ts';
import { redactText } from './redact.ts';

// The Health page's log viewer and the diagnostics bundle read the newest entries of main.log
// and its rotated predecessors. An entry is a line in the file format of log/index.ts
// ("[2026-01-05 10:00:00.123] [info]  (scheduler) text"); the lines after it that do not start
// like that (a stack trace) belong to it. Text is masked again on the way out: the files were
// written redacted, but a file from an older version or a hand-edited one might not be.

export const LOG_LEVELS: readonly LogLevel[] = ['error', 'warn', 'info', 'verbose', 'debug'];

export interface LogEntry {
  /** Local time of the writing process, as written ("2026-01-05 10:00:00.123"). */
  at: string | null;
  level: LogLevel | null;
  scope: string | null;
  text: string;
  /** The file it came from (main.log, main.1.log, …). */
  file: string;
}

export interface TailOptions {
  /** Entries wanted (the newest ones that match). */
  lines: number;
  /** This level and the more severe ones (warn → warn and error). */
  minLevel?: LogLevel;
  scope?: string;
  /** Case-insensitive text the entry must contain. */
  search?: string;
  /** Extra masking after redactText (known secret values). */
  mask?: (text: string) => string;
}

export interface TailResult {
  /** Oldest first, so they read like the file. */
  entries: LogEntry[];
  files: Array<{ name: string; bytes: number }>;
  /** Scopes seen in what was read, for the filter. */
  scopes: string[];
  /** More matching entries exist than were returned. */
  truncated: boolean;
}

/** Bounds what one call reads and returns, however large the files. */
const MAX_BYTES_PER_FILE = 8 * 1024 * 1024;
const MAX_ENTRY_CHARS = 4_000;

const ENTRY = /^\[(\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}(?:\.\d{1,3})?)\] \[([a-z]+)\]\s*(?:\(([A-Za-z0-9_.-]+)\))?\s*(.*)$/;

function asLevel(value: string): LogLevel | null {
  return (LOG_LEVELS as readonly string[]).includes(value) ? (value as LogLevel) : null;
}

/** The end of a file, at most `max` bytes, starting at a line boundary. */
async function readTail(file: string, max: number): Promise<string> {
  const handle = await fs.promises.open(file, 'r');
  try {
    const { size } = await handle.stat();
    const start = Math.max(0, size - max);
    const buffer = Buffer.alloc(size - start);
    await handle.read(buffer, 0, buffer.length, start);
    const text = buffer.toString('utf8');
    if (start === 0) return text;
    const firstBreak = text.indexOf('\n');
    return firstBreak < 0 ? '' : text.slice(firstBreak + 1);
  } finally {
    await handle.close();
  }
}

/** Splits a file's text into entries, in file order. */
export function parseLogText(text: string, file: string): LogEntry[] {
  const entries: LogEntry[] = [];
  let current: (LogEntry & { parts: string[] }) | null = null;
  const flush = (): void => {
    if (!current) return;
    const joined = current.parts.join('\n').replace(/\s+$/, '');
    entries.push({ at: current.at, level: current.level, scope: current.scope, file, text: joined.length > MAX_ENTRY_CHARS ? `${joined.slice(0, MAX_ENTRY_CHARS - 1)}…` : joined });
    current = null;
  };
  for (const line of text.split(/\r?\n/)) {
    const match = ENTRY.exec(line);
    if (match) {
      flush();
      current = { at: match[1] ?? null, level: asLevel(match[2] ?? ''), scope: match[3] ?? null, text: '', file, parts: [match[4] ?? ''] };
    } else if (current) {
      current.parts.push(line);
    } else if (line.trim() !== '') {
      // Lines before the first entry (a file cut at its start): keep them as one loose entry.
      current = { at: null, level: null, scope: null, text: '', file, parts: [line] };
    }
  }
  flush();
  return entries;
}

function matches(entry: LogEntry, options: TailOptions): boolean {
  if (options.minLevel) {
    if (entry.level === null) return false;
    if (LOG_LEVELS.indexOf(entry.level) > LOG_LEVELS.indexOf(options.minLevel)) return false;
  }
  if (options.scope && entry.scope !== options.scope) return false;
  if (options.search && !entry.text.toLowerCase().includes(options.search.toLowerCase())) return false;
  return true;
}

/** The newest `lines` entries of the log files in `dir` that match the filters. */
export async function tailLogs(dir: string, options: TailOptions): Promise<TailResult> {
  const wanted = Math.max(1, Math.floor(options.lines));
  const mask = (text: string): string => (options.mask ? options.mask(redactText(text)) : redactText(text));
  const files: TailResult['files'] = [];
  const scopes = new Set<string>();
  const picked: LogEntry[] = [];
  let truncated = false;

  for (const file of logFiles(dir)) {
    const stat = await fs.promises.stat(file).catch(() => null);
    if (!stat?.isFile()) continue;
    files.push({ name: path.basename(file), bytes: stat.size });
    if (truncated) continue;
    let text: string;
    try {
      text = await readTail(file, MAX_BYTES_PER_FILE);
    } catch {
      continue;
    }
    const entries = parseLogText(text, path.basename(file));
    for (let i = entries.length - 1; i >= 0; i--) {
      const entry = entries[i]!;
      if (entry.scope) scopes.add(entry.scope);
      // Masked before the search, so searching for a secret cannot tell whether it was logged.
      const masked = { ...entry, text: mask(entry.text) };
      if (!matches(masked, options)) continue;
      if (picked.length === wanted) {
        truncated = true;
        break;
      }
      picked.push(masked);
    }
  }
  return { entries: picked.reverse(), files, scopes: [...scopes].sort(), truncated };
}
