import fs from 'node:fs';
import path from 'node:path';
import { TZDate } from '@date-fns/tz';
import { format } from 'date-fns';
import type { Settings } from '../config/settings.ts';
import { formatInZone, scheduleConfig } from '../scheduler/config.ts';
import { previewSchedule } from '../scheduler/preview.ts';
import type { SchedulerStatus } from '../scheduler/scheduler.ts';
import type { Args, Handlers } from '../../../shared/contract.ts';
import type { NextRunDto, SchedulerProcessDto, ScheduleView } from '../../../shared/types.ts';
import { HandlerError } from './errors.ts';
import { busyState, type ConsoleRuntime } from './runtime.ts';

// The Schedule page: the nightly run's cron expression and zone, catch-up, retries, tray and
// login options and the scheduled report exports; the next run times while someone edits; and
// whether a scheduler runs in the process this console talks to (`serve` runs none).

type ScheduleChannels = 'schedule.get' | 'schedule.preview' | 'schedule.update';

const PREVIEW_RUNS = 5;

function nextRunOf(iso: string, zone: string): NextRunDto {
  const date = new Date(iso);
  return { at: iso, local: formatInZone(date, zone), weekday: format(new TZDate(date.getTime(), zone), 'EEE') };
}

function schedulerDto(status: SchedulerStatus | null): SchedulerProcessDto {
  if (!status) {
    return {
      runsHere: false,
      message:
        'No scheduler runs in this process: this console was started with "serve", which only answers the browser. ' +
        'Nightly runs happen in the desktop app (kept in the tray) or in "cogniforce-analytics daemon" on this workstation; ' +
        'they read these settings when they start.',
      paused: false,
      running: false,
      nextRuns: [],
      retryAt: null,
      lastDayDone: null,
      history: [],
    };
  }
  const state = status.running ? 'A scheduled run is in progress.' : status.paused ? 'The schedule is paused from the tray: nothing starts until it is resumed.' : status.enabled ? 'The scheduler runs in this app.' : 'The scheduler runs in this app, but the nightly run is turned off.';
  return {
    runsHere: true,
    message: state,
    paused: status.paused,
    running: status.running,
    nextRuns: status.nextRuns.map((iso) => nextRunOf(iso, status.timezone)),
    retryAt: status.retryAt,
    lastDayDone: status.lastDayDone,
    history: status.history.slice(0, 10).map((e) => ({ at: e.at, day: e.day, reason: e.reason, outcome: e.outcome, message: e.message })),
  };
}

type PatchOut = Args<'schedule.update'>['patch'];

/** Refuses what the scheduler could not use, with a sentence per problem. */
function checkPatch(patch: PatchOut, settings: Settings, nowMs: number): void {
  const zone = patch.timezone === undefined ? scheduleConfig(settings).timezone : (patch.timezone ?? settings.processing.timezone);
  const cron = patch.cron ?? settings.schedule.cron;
  if (patch.timezone !== undefined || patch.cron !== undefined) {
    // The same check the page's preview shows, so what it accepted is what is saved.
    const preview = previewSchedule(cron, zone, 1, nowMs);
    if (!preview.ok) throw new HandlerError('validation', preview.message);
  }
  for (const [i, entry] of (patch.exports ?? []).entries()) {
    const where = (patch.exports?.length ?? 0) > 1 ? `Scheduled export ${i + 1}: ` : 'Scheduled export: ';
    if (!path.isAbsolute(entry.folder)) {
      throw new HandlerError('validation', `${where}enter the full path of the folder (for example /home/me/reports); "${entry.folder}" is relative.`);
    }
    const stat = fs.statSync(entry.folder, { throwIfNoEntry: false });
    if (stat && !stat.isDirectory()) throw new HandlerError('validation', `${where}${entry.folder} is a file, not a folder.`);
    if (stat) {
      try {
        fs.accessSync(entry.folder, fs.constants.W_OK);
      } catch {
        throw new HandlerError('validation', `${where}${entry.folder} is not writable: choose a folder you can write to.`);
      }
    }
  }
}

function applyPatch(settings: Settings, patch: PatchOut): void {
  const s = settings.schedule;
  if (patch.enabled !== undefined) s.enabled = patch.enabled;
  if (patch.cron !== undefined) s.cron = patch.cron.trim().replace(/\s+/g, ' ');
  if (patch.timezone === null) delete s.timezone;
  else if (patch.timezone !== undefined) s.timezone = patch.timezone;
  if (patch.catchUpMaxDays !== undefined) s.catchUpMaxDays = patch.catchUpMaxDays;
  if (patch.retryMinutes !== undefined) s.retryMinutes = patch.retryMinutes;
  if (patch.notifyOnFailure !== undefined) s.notifyOnFailure = patch.notifyOnFailure;
  if (patch.notifyOnSuccess !== undefined) s.notifyOnSuccess = patch.notifyOnSuccess;
  if (patch.keepInTray !== undefined) s.keepInTray = patch.keepInTray;
  if (patch.startAtLogin !== undefined) s.startAtLogin = patch.startAtLogin;
  if (patch.exports !== undefined) s.exports = patch.exports.map((e) => ({ enabled: e.enabled, kinds: [...e.kinds], period: e.period, folder: path.normalize(e.folder) }));
}

export function scheduleHandlers(rt: ConsoleRuntime): Pick<Handlers, ScheduleChannels> {
  const view = (): ScheduleView => {
    const context = rt.contexts.current();
    const settings = context.settings;
    const config = scheduleConfig(settings);
    const status = rt.platform.schedulerStatus?.() ?? null;
    return {
      schedule: {
        enabled: settings.schedule.enabled,
        cron: settings.schedule.cron,
        timezone: settings.schedule.timezone ?? null,
        catchUpMaxDays: settings.schedule.catchUpMaxDays,
        retryMinutes: Math.round(config.retryMs / 60_000),
        notifyOnFailure: settings.schedule.notifyOnFailure,
        notifyOnSuccess: settings.schedule.notifyOnSuccess,
        keepInTray: settings.schedule.keepInTray,
        startAtLogin: settings.schedule.startAtLogin,
        exports: config.exports.map((e) => ({ enabled: e.enabled, kinds: [...e.kinds], period: e.period, folder: e.folder })),
      },
      processingTimezone: settings.processing.timezone,
      effectiveTimezone: config.timezone,
      preview: previewSchedule(config.cron, config.timezone, PREVIEW_RUNS, rt.now()),
      scheduler: schedulerDto(status),
      defaultExportFolder: path.join(context.dataDir, 'exports'),
      overriddenByEnv: rt.contexts.overriddenByEnv().filter((o) => o.path === 'processing.timezone'),
    };
  };

  return {
    async 'schedule.get'() {
      return view();
    },

    async 'schedule.preview'({ cron, timezone, count }) {
      const zone = timezone ?? rt.contexts.current().settings.processing.timezone;
      return previewSchedule(cron, zone, count, rt.now());
    },

    async 'schedule.update'({ patch }) {
      checkPatch(patch, rt.contexts.current().settings, rt.now());
      // Schedule settings may change during a run (ContextHolder allows it); the flag keeps the
      // rule in one place should that ever change.
      await rt.contexts.update((settings) => applyPatch(settings, patch), busyState(rt));
      return view();
    },
  };
}
