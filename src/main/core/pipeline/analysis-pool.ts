import fs from 'node:fs';
import os from 'node:os';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { runsFromSources } from '../runs-from.ts';
import { Worker, type ResourceLimits } from 'node:worker_threads';
import type { NormalisedConversation } from '../source/types.ts';
import { analyseConversation, type ConversationAnalysis } from './analysis.ts';
import type { TimingSettings } from './types.ts';

// Analysing a conversation is pure and CPU-bound while reading and writing wait on databases,
// so the analysis runs in worker threads next to the pipeline's thread: on two cores one worker
// nearly doubles a backfill. Results are the same as inline (analysis.ts is shared). A worker
// that cannot start or dies hands its conversations back to inline analysis, so a missing
// worker file costs speed, never results.

export interface AnalysisTask {
  id: number;
  conversation: NormalisedConversation;
  settings: TimingSettings;
}

export type AnalysisReply = { id: number; analysis: ConversationAnalysis } | { id: number; error: string };

export interface AnalysisPool {
  /** Worker threads in use; 0 when analysing inline. */
  readonly threads: number;
  analyse(conversation: NormalisedConversation, settings: TimingSettings): Promise<ConversationAnalysis>;
  close(): Promise<void>;
}

export const inlineAnalysis: AnalysisPool = {
  threads: 0,
  analyse: async (conversation, settings) => analyseConversation(conversation, settings),
  close: async () => undefined,
};

/** Where the worker's code is; TypeScript source is loaded through tsx. */
export interface WorkerEntry {
  file: string;
  typescript: boolean;
}

/**
 * Run from source (tsx: CLI, tests, benchmarks) the worker is the .ts file beside this one; in
 * the Electron bundle it is `analysis-worker.js` beside the main bundle (electron.vite.config.ts
 * builds it as a second entry).
 */
export function defaultWorkerEntry(): WorkerEntry {
  const typescript = runsFromSources(import.meta.url);
  return { file: fileURLToPath(new URL(typescript ? './analysis-worker.ts' : './analysis-worker.js', import.meta.url)), typescript };
}

/**
 * A worker's heap is capped: one that runs out of memory on a huge chat ends alone (the main
 * thread, uncapped, analyses that chat) instead of growing the process.
 */
export const WORKER_HEAP_LIMITS: ResourceLimits = { maxOldGenerationSizeMb: 64, maxYoungGenerationSizeMb: 16 };

function spawnWorker(entry: WorkerEntry, resourceLimits: ResourceLimits): Worker {
  if (!entry.typescript) return new Worker(entry.file, { resourceLimits });
  // A worker does not inherit the tsx hooks of its parent; it registers them before importing.
  const tsx = JSON.stringify(import.meta.resolve('tsx/esm/api'));
  const file = JSON.stringify(pathToFileURL(entry.file).href);
  return new Worker(`import(${tsx}).then(({ register }) => { register(); return import(${file}); })`, { eval: true, resourceLimits });
}

/**
 * One thread per core beyond the pipeline's own, at most four. COGNIFORCE_ANALYSIS_THREADS
 * overrides it (0 = inline), to leave cores to other work or to compare in benchmarks.
 */
export function defaultAnalysisThreads(env: NodeJS.ProcessEnv = process.env): number {
  const override = env.COGNIFORCE_ANALYSIS_THREADS?.trim();
  if (override && /^\d+$/.test(override)) return Math.min(16, Number(override));
  return Math.max(0, Math.min(4, os.availableParallelism() - 1));
}

interface PendingTask {
  task: AnalysisTask;
  resolve: (analysis: ConversationAnalysis) => void;
  reject: (error: Error) => void;
}

interface Slot {
  worker: Worker;
  pending: Map<number, PendingTask>;
}

export interface AnalysisPoolOptions {
  threads?: number;
  entry?: WorkerEntry;
  resourceLimits?: ResourceLimits;
  /** Told when a worker is lost (its conversations are analysed in this thread). */
  onWorkerLost?: (reason: string) => void;
}

/** Workers started in place of lost ones, per pool; beyond that the lost threads stay lost. */
const MAX_REPLACEMENTS = 3;

export function createAnalysisPool(options: AnalysisPoolOptions = {}): AnalysisPool {
  const threads = options.threads ?? defaultAnalysisThreads();
  const entry = options.entry ?? defaultWorkerEntry();
  if (threads <= 0) return inlineAnalysis;
  if (!fs.existsSync(entry.file)) {
    options.onWorkerLost?.(`the analysis worker ${entry.file} is missing`);
    return inlineAnalysis;
  }
  return new WorkerAnalysisPool(threads, entry, options.resourceLimits ?? WORKER_HEAP_LIMITS, options.onWorkerLost);
}

class WorkerAnalysisPool implements AnalysisPool {
  private slots: Slot[] = [];
  private nextId = 0;
  private closing = false;
  private replacements = 0;

  constructor(
    readonly threads: number,
    private readonly entry: WorkerEntry,
    private readonly resourceLimits: ResourceLimits,
    private readonly onWorkerLost?: (reason: string) => void,
  ) {
    for (let i = 0; i < threads; i++) this.slots.push(this.start());
  }

  private start(): Slot {
    const worker = spawnWorker(this.entry, this.resourceLimits);
    const slot: Slot = { worker, pending: new Map() };
    worker.on('message', (reply: AnalysisReply) => {
      const task = slot.pending.get(reply.id);
      if (!task) return;
      slot.pending.delete(reply.id);
      if ('error' in reply) task.reject(new Error(reply.error));
      else task.resolve(reply.analysis);
    });
    let lost = false;
    const lose = (reason: string): void => {
      if (lost) return;
      lost = true;
      this.slots = this.slots.filter((s) => s !== slot);
      if (this.closing) return;
      this.onWorkerLost?.(reason);
      // Its conversations are analysed here instead; nothing is lost.
      for (const task of slot.pending.values()) this.runInline(task);
      slot.pending.clear();
      if (this.replacements < MAX_REPLACEMENTS) {
        this.replacements += 1;
        this.slots.push(this.start());
      }
    };
    worker.on('error', (error) => lose(`an analysis worker failed: ${error.message}`));
    worker.on('exit', (code) => lose(`an analysis worker stopped (exit code ${code})`));
    return slot;
  }

  private runInline({ task, resolve, reject }: PendingTask): void {
    try {
      resolve(analyseConversation(task.conversation, task.settings));
    } catch (error) {
      reject(error instanceof Error ? error : new Error(String(error)));
    }
  }

  analyse(conversation: NormalisedConversation, settings: TimingSettings): Promise<ConversationAnalysis> {
    return new Promise((resolve, reject) => {
      const pending: PendingTask = { task: { id: this.nextId++, conversation, settings }, resolve, reject };
      // The least busy worker; none left (all failed, or closed) means inline.
      let slot: Slot | undefined;
      for (const s of this.slots) if (!slot || s.pending.size < slot.pending.size) slot = s;
      if (!slot || this.closing) {
        this.runInline(pending);
        return;
      }
      slot.pending.set(pending.task.id, pending);
      slot.worker.postMessage(pending.task);
    });
  }

  async close(): Promise<void> {
    this.closing = true;
    const slots = this.slots.splice(0);
    // Conversations still in flight are finished here rather than dropped.
    for (const slot of slots) for (const task of slot.pending.values()) this.runInline(task);
    await Promise.all(slots.map((s) => s.worker.terminate()));
  }
}
