// `npm run bench [-- --quick] [-- --only=a,b]`: prints one JSON object per benchmark on stdout;
// progress goes to stderr. Every object carries its figures, its reference measured in the same
// run (a physical floor where one exists), the ratio to it, the target and `pass`. See
// docs/benchmarks.md for what each one measures.
//
// Benchmarks: cold-start, ingest (PostgreSQL and SQLite sources), dashboard, exports, serve,
// bundle, llm; and engaged (an analysis rather than a benchmark: only with --only=engaged).
// The LLM throughput test mostly waits on its rate limiter, so it runs in a child process
// alongside the others. Fixtures are cached between runs (bench/fixtures.ts); the first run
// builds them, which takes minutes at full size.

import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { LlmThroughputResult } from './llm-throughput.ts';

// Each benchmark's module is imported when it runs: between them they load the whole main
// process, Playwright and Vite, seconds of start-up that `--only=x` should not pay for.

const quick = process.argv.includes('--quick');
const only = process.argv.find((a) => a.startsWith('--only='))?.slice('--only='.length).split(',');
const DEFAULT = ['cold-start', 'ingest', 'dashboard', 'exports', 'serve', 'bundle', 'llm'];
const wanted = (name: string): boolean => (only ? only.includes(name) : DEFAULT.includes(name));

const SIZES = quick
  ? { chats: 1_000, conversations: 100_000, users: 2_000, dashboardCalls: 10, dashboardExtraCalls: 5, llmSeconds: 15 }
  : { chats: 100_000, conversations: 1_000_000, users: 2_000, dashboardCalls: 30, dashboardExtraCalls: 10, llmSeconds: 40 };

// performance.now() counts from the process start, so the times include Node and tsx starting.
const log = (line: string): void => {
  process.stderr.write(`[bench ${(performance.now() / 1000).toFixed(1).padStart(5)} s] ${line}\n`);
};
let failures = 0;
const emit = (name: string, figures: Record<string, unknown>): void => {
  if (figures.pass === false) failures += 1;
  process.stdout.write(JSON.stringify({ benchmark: name, quick, ...figures }) + '\n');
};

/** The LLM benchmark in a child process; resolves with its figures when its span is over. */
function startLlm(seconds: number): Promise<LlmThroughputResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['bin/run-ts.mjs', 'bench/llm-throughput.ts', '--json', '--seconds', String(seconds)], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
    child.once('error', reject);
    // Its exit code reports pass/fail; the figures say why, so only the output matters here.
    child.once('exit', () => {
      const line = out.trim().split('\n').pop() ?? '';
      try {
        resolve(JSON.parse(line) as LlmThroughputResult);
      } catch {
        reject(new Error(`the LLM benchmark printed no figures: ${out.slice(-300)}`));
      }
    });
  });
}

const work = fs.mkdtempSync(path.join(os.tmpdir(), 'cogniforce-bench-'));
// Only the benchmarks with fixtures need the cache (and its lock: one such bench at a time).
const needsCache = ['ingest', 'dashboard', 'exports', 'serve'].some(wanted);
const fixtures = needsCache ? await import('./fixtures.ts') : null;
const cache = fixtures ? await fixtures.openBenchCache() : null;
try {
  log(`${cache ? `cache ${cache.dir}; ` : ''}${quick ? 'quick' : 'full'} sizes ${JSON.stringify(SIZES)}`);
  const source = fixtures && cache && wanted('ingest') ? await fixtures.sourceFixture(cache, SIZES.chats, log) : null;
  const analytics = fixtures && cache && (wanted('dashboard') || wanted('exports')) ? await fixtures.analyticsFixture(cache, SIZES.conversations, SIZES.users, log) : null;
  const home = fixtures && cache && wanted('serve') ? await fixtures.serveHomeFixture(cache, log) : null;

  const llm = wanted('llm') ? startLlm(SIZES.llmSeconds) : null;
  if (llm) log(`LLM throughput running alongside for ${SIZES.llmSeconds} s`);

  if (wanted('cold-start')) {
    log('embedded cold start');
    const { benchEmbeddedColdStart } = await import('./startup.ts');
    emit('embedded-cold-start', await benchEmbeddedColdStart());
  }
  if (cache && source) {
    const { benchIngest } = await import('./ingest.ts');
    for (const dialect of ['postgres', 'sqlite'] as const) {
      log(`ingest from ${dialect}: ${source.chats.toLocaleString('en-US')} chats`);
      emit(`ingest-${dialect}-heuristic`, await benchIngest(cache, source, dialect));
    }
  }
  if (analytics && wanted('dashboard')) {
    log(`dashboard over ${analytics.conversations.toLocaleString('en-US')} conversations`);
    const { benchDashboard } = await import('./dashboard.ts');
    await benchDashboard(analytics, { calls: SIZES.dashboardCalls, extraCalls: SIZES.dashboardExtraCalls, log, onResult: (r) => emit('dashboard-latency', r) });
  }
  if (analytics && wanted('exports')) {
    log('exports');
    const { benchExports } = await import('./exports.ts');
    const r = await benchExports(analytics, work);
    emit('export-detailed-csv', r.detailedCsv);
    emit('export-pdf-one-year', r.pdf);
  }
  if (home) {
    log('serve → first dashboard paint');
    const { benchServePaint } = await import('./startup.ts');
    emit('serve-first-paint', await benchServePaint(home));
  }
  if (wanted('bundle')) {
    log('renderer bundle');
    const { benchBundle } = await import('./bundle.ts');
    emit('renderer-initial-js', await benchBundle(log));
  }
  if (wanted('engaged')) {
    const { engagedBenchmarks } = await import('./engaged.ts');
    for (const [name, figures] of await engagedBenchmarks(work, quick)) emit(name, figures);
  }
  if (llm) {
    log('waiting for the LLM throughput span to end');
    const r = await llm;
    emit('llm-throughput', {
      ...r,
      reference: { what: 'the configured budget', budgetRpm: r.budgetRpm },
      target: 'ratio ≥ 0.95 of the budget, never over it in any 60 s window, 0 × 429',
      pass: r.ratio >= 0.95 && !r.overBudget && r.server429s === 0,
    });
  }
  log(`done; ${failures === 0 ? 'every target met' : `${failures} target(s) missed`}`);
} finally {
  if (cache) log('stopping the fixture database');
  await cache?.close();
  fs.rmSync(work, { recursive: true, force: true });
}
