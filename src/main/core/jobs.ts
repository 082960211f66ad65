import crypto from 'node:crypto';
import path from 'node:path';
import type { RunProgress, RunResult } from './pipeline/run.ts';
import type { ExportProgress, ExportResult } from './reports/types.ts';
import {
  jobLane,
  type ExportJobState,
  type ExportProgressDto,
  type ExportRequestDto,
  type ExportResultDto,
  type JobEvent,
  type JobLane,
  type JobState,
  type JobStatus,
  type RunJobKind,
  type RunJobState,
  type RunProgressDto,
  type RunResultDto,
} from '../../shared/types.ts';
import { HandlerError, toPublicError } from './handlers/errors.ts';

// Long work (runs, backfills, exports) runs as a job: starting returns at once with an id,
// progress is published to subscribers (the IPC and HTTP transports forward every job on the
// one 'jobs.update' event), and cancel aborts through an AbortController. One job at a time per
// lane and process: a run and an export may go together, two runs may not. The analytics
// database's advisory lock extends the run guarantee across processes and machines.

export interface JobWorkContext<P = RunProgress> {
  signal: AbortSignal;
  onProgress: (progress: P) => void;
}

export type JobWork = (context: JobWorkContext) => Promise<RunResult>;
export type ExportJobWork = (context: JobWorkContext<ExportProgress>) => Promise<ExportResult>;

export type JobListener = (event: JobEvent) => void;

/** How a job ended, as its kind reports it (a run returns "cancelled"; an export throws). */
interface Outcome<R> {
  status: Exclude<JobStatus, 'running'>;
  result: R;
  errorMessage?: string | null;
}

/** What differs between kinds of job: their engine types and the DTOs that cross the boundary. */
interface JobSpec<S extends JobState, P, R> {
  initial: Pick<S, 'kind' | 'request'>;
  work: (context: JobWorkContext<P>) => Promise<R>;
  progress: (progress: P, elapsedSeconds: number) => NonNullable<S['progress']>;
  outcome: (result: R) => Outcome<NonNullable<S['result']>>;
}

interface Job {
  state: JobState;
  controller: AbortController;
  done: Promise<JobState>;
}

const RECENT_LIMIT = 20;

function runProgressDto(p: RunProgress): RunProgressDto {
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

function runOutcome(r: RunResult): Outcome<RunResultDto> {
  return {
    status: r.status,
    errorMessage: r.status === 'failed' ? (r.errorMessage ?? 'The run failed.') : null,
    result: {
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
    },
  };
}

function exportProgressDto(p: ExportProgress, elapsedSeconds: number): ExportProgressDto {
  return { phase: p.phase, rows: p.rows, total: p.total, bytes: p.bytes, elapsedSeconds };
}

function exportOutcome(r: ExportResult): Outcome<ExportResultDto> {
  return {
    status: 'completed',
    result: { path: r.path, fileName: path.basename(r.path), folder: path.dirname(r.path), rows: r.rows ?? null, bytes: r.bytes, seconds: r.seconds },
  };
}

function describe(state: JobState): string {
  const period = `${state.request.from} … ${state.request.to}`;
  return state.kind === 'export' ? `An export (${state.request.kind}) for ${period}` : `A ${state.kind} for ${period}`;
}

export class JobManager {
  private readonly jobs = new Map<string, Job>();
  private readonly listeners = new Set<JobListener>();
  private readonly running = new Map<JobLane, Job>();

  constructor(private readonly onError: (error: unknown, job: JobState) => void = () => undefined) {}

  /** Starts a run or backfill; refuses while another one is running here. */
  start(kind: RunJobKind, request: RunJobState['request'], work: JobWork): RunJobState {
    return this.launch<RunJobState, RunProgress, RunResult>({ initial: { kind, request }, work, progress: runProgressDto, outcome: runOutcome });
  }

  /** Starts an export; refuses while another export is running here (a run may go on meanwhile). */
  startExport(request: ExportRequestDto, work: ExportJobWork): ExportJobState {
    return this.launch<ExportJobState, ExportProgress, ExportResult>({
      initial: { kind: 'export', request },
      work,
      progress: exportProgressDto,
      outcome: exportOutcome,
    });
  }

  private launch<S extends JobState, P, R>(spec: JobSpec<S, P, R>): S {
    const lane = jobLane(spec.initial.kind);
    const busy = this.running.get(lane);
    if (busy) {
      const r = busy.state;
      throw new HandlerError('busy', `${describe(r)} is already running (started ${r.startedAt}). Wait for it to finish or cancel it first.`);
    }
    const controller = new AbortController();
    const state = {
      id: crypto.randomUUID(),
      revision: 0,
      kind: spec.initial.kind,
      status: 'running',
      request: { ...spec.initial.request },
      startedAt: new Date().toISOString(),
      finishedAt: null,
      cancelRequested: false,
      progress: null,
      result: null,
      error: null,
    } as S;
    const job: Job = { state, controller, done: Promise.resolve(state) };
    this.running.set(lane, job);
    this.jobs.set(state.id, job);
    this.prune();
    this.publish('started', state);
    job.done = this.execute(job, lane, spec);
    return this.snapshot(state) as S;
  }

  private async execute<S extends JobState, P, R>(job: Job, lane: JobLane, spec: JobSpec<S, P, R>): Promise<JobState> {
    const { controller } = job;
    const state = job.state as S;
    const started = performance.now();
    try {
      const result = await spec.work({
        signal: controller.signal,
        onProgress: (progress) => {
          if (state.status !== 'running') return;
          state.progress = spec.progress(progress, Math.round((performance.now() - started) / 100) / 10);
          this.publish('progress', state);
        },
      });
      const outcome = spec.outcome(result);
      state.result = outcome.result;
      state.status = outcome.status;
      if (outcome.status === 'failed') state.error = { code: 'internal', message: outcome.errorMessage ?? 'The job failed.' };
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
      if (this.running.get(lane) === job) this.running.delete(lane);
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

  /** The running job of a lane; without one, the running run or backfill. */
  active(lane: JobLane = 'run'): JobState | null {
    const job = this.running.get(lane);
    return job ? this.snapshot(job.state) : null;
  }

  /** Most recent first; only one lane's jobs when a lane is given. */
  recent(lane?: JobLane): JobState[] {
    return [...this.jobs.values()]
      .filter((j) => lane === undefined || jobLane(j.state.kind) === lane)
      .map((j) => this.snapshot(j.state))
      .reverse();
  }

  /** Resolves with the final state of a job (tests, shutdown); typed like the job passed in. */
  waitFor<S extends JobState>(job: S): Promise<S>;
  waitFor(id: string): Promise<JobState>;
  async waitFor(job: string | JobState): Promise<JobState> {
    const id = typeof job === 'string' ? job : job.id;
    const found = this.jobs.get(id);
    if (!found) throw new HandlerError('not_found', `There is no job ${id}.`);
    return found.done;
  }

  subscribe(listener: JobListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Cancels running work in every lane and waits for it to stop (app quit, server close). */
  async shutdown(): Promise<void> {
    const jobs = [...this.running.values()];
    for (const job of jobs) this.cancel(job.state.id);
    await Promise.all(jobs.map((job) => job.done));
  }

  private publish(type: JobEvent['type'], state: JobState): void {
    state.revision += 1;
    const event: JobEvent = { type, job: this.snapshot(state) };
    for (const listener of this.listeners) {
      try {
        listener(event);
      } catch (error) {
        // A broken subscriber (a closed window, a dropped HTTP stream) must not stop the job.
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
