import crypto from 'node:crypto';
import type { RunProgress, RunResult } from './pipeline/run.ts';
import type { JobEvent, JobKind, JobState, RunProgressDto, RunResultDto } from '../../shared/types.ts';
import { HandlerError, toPublicError } from './handlers/errors.ts';

// Long work (runs and backfills) runs as a job: starting returns at once with an id, progress is
// published to subscribers (the IPC and HTTP transports forward it), and cancel aborts through
// an AbortController. One run job at a time per process; the analytics database's advisory
// lock extends that guarantee across processes and machines.

export interface JobWorkContext {
  signal: AbortSignal;
  onProgress: (progress: RunProgress) => void;
}

export type JobWork = (context: JobWorkContext) => Promise<RunResult>;

export type JobListener = (event: JobEvent) => void;

interface Job {
  state: JobState;
  controller: AbortController;
  done: Promise<JobState>;
}

const RECENT_LIMIT = 20;

function progressDto(p: RunProgress): RunProgressDto {
  return {
    runId: p.runId,
    phase: p.phase,
    scanned: p.scanned,
    skipped: p.skipped,
    unchanged: p.unchanged,
    selected: p.selected,
    processed: p.processed,
    failed: p.failed,
    candidates: p.candidates,
    elapsedSeconds: p.elapsedSeconds,
    etaSeconds: p.etaSeconds,
  };
}

function resultDto(r: RunResult): RunResultDto {
  return {
    runId: r.runId,
    status: r.status,
    from: r.from,
    to: r.to,
    processed: r.processed,
    skipped: r.skipped,
    unchanged: r.unchanged,
    failed: r.failed,
    deferred: r.deferred,
    llmRequests: r.llmRequests,
    llmCostUsd: r.llmCostUsd,
    durationSeconds: r.durationSeconds,
    errorMessage: r.errorMessage,
  };
}

export class JobManager {
  private readonly jobs = new Map<string, Job>();
  private readonly listeners = new Set<JobListener>();
  private running: Job | null = null;

  constructor(private readonly onError: (error: unknown, job: JobState) => void = () => undefined) {}

  /** Starts a run; refuses while another one is running here. */
  start(kind: JobKind, request: JobState['request'], work: JobWork): JobState {
    if (this.running) {
      const r = this.running.state;
      throw new HandlerError(
        'busy',
        `A ${r.kind} for ${r.request.from} … ${r.request.to} is already running (started ${r.startedAt}). Wait for it to finish or cancel it first.`,
      );
    }
    const controller = new AbortController();
    const state: JobState = {
      id: crypto.randomUUID(),
      kind,
      status: 'running',
      request: { ...request },
      startedAt: new Date().toISOString(),
      finishedAt: null,
      cancelRequested: false,
      progress: null,
      result: null,
      error: null,
    };
    const job: Job = { state, controller, done: Promise.resolve(state) };
    this.running = job;
    this.jobs.set(state.id, job);
    this.prune();
    this.publish('started', state);
    job.done = this.execute(job, work);
    return this.snapshot(state);
  }

  private async execute(job: Job, work: JobWork): Promise<JobState> {
    const { state, controller } = job;
    try {
      const result = await work({
        signal: controller.signal,
        onProgress: (progress) => {
          if (state.status !== 'running') return;
          state.progress = progressDto(progress);
          this.publish('progress', state);
        },
      });
      state.result = resultDto(result);
      state.status = result.status;
      if (result.status === 'failed') state.error = { code: 'internal', message: result.errorMessage ?? 'The run failed.' };
    } catch (error) {
      if (controller.signal.aborted) {
        state.status = 'cancelled';
      } else {
        state.status = 'failed';
        state.error = toPublicError(error);
        this.onError(error, this.snapshot(state));
      }
    } finally {
      state.finishedAt = new Date().toISOString();
      if (this.running === job) this.running = null;
      this.publish('finished', state);
    }
    return this.snapshot(state);
  }

  cancel(id: string): JobState {
    const job = this.jobs.get(id);
    if (!job) throw new HandlerError('not_found', `There is no job ${id}; it may have finished before the app restarted.`);
    if (job.state.status === 'running' && !job.state.cancelRequested) {
      job.state.cancelRequested = true;
      job.controller.abort();
      this.publish('progress', job.state);
    }
    return this.snapshot(job.state);
  }

  get(id: string): JobState | null {
    const job = this.jobs.get(id);
    return job ? this.snapshot(job.state) : null;
  }

  active(): JobState | null {
    return this.running ? this.snapshot(this.running.state) : null;
  }

  /** Most recent first. */
  recent(): JobState[] {
    return [...this.jobs.values()].map((j) => this.snapshot(j.state)).reverse();
  }

  /** Resolves with the final state of a job (tests, shutdown). */
  async waitFor(id: string): Promise<JobState> {
    const job = this.jobs.get(id);
    if (!job) throw new HandlerError('not_found', `There is no job ${id}.`);
    return job.done;
  }

  subscribe(listener: JobListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Cancels running work and waits for it to stop (app quit, server close). */
  async shutdown(): Promise<void> {
    const job = this.running;
    if (!job) return;
    this.cancel(job.state.id);
    await job.done;
  }

  private publish(type: JobEvent['type'], state: JobState): void {
    const event: JobEvent = { type, job: this.snapshot(state) };
    for (const listener of this.listeners) {
      try {
        listener(event);
      } catch (error) {
        // A broken subscriber (a closed window, a dropped HTTP stream) must not stop the run.
        this.onError(error, event.job);
      }
    }
  }

  private snapshot(state: JobState): JobState {
    return structuredClone(state);
  }

  private prune(): void {
    const finished = [...this.jobs.values()].filter((j) => j.state.status !== 'running');
    for (const job of finished.slice(0, Math.max(0, this.jobs.size - RECENT_LIMIT))) this.jobs.delete(job.state.id);
  }
}
