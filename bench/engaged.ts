// Engaged vs active time over a whole source: how many conversations the seed formula scores
// as 0 active minutes, how many still have 0 engaged minutes, and time saved under each basis.
// Pure computation (timing + heuristic estimate), no analytics database.

import { defaultSettings } from '../src/main/core/config/settings.ts';
import { heuristicEstimate } from '../src/main/core/llm/heuristic.ts';
import { buildSummary } from '../src/main/core/pipeline/summary.ts';
import { computeTiming, timingSettingsFrom, toMinutes } from '../src/main/core/pipeline/timing.ts';
import { timeSaved } from '../src/main/core/pipeline/savings.ts';
import { openSource } from '../src/main/core/source/open.ts';

export interface EngagedComparison {
  conversations: number;
  zeroActiveShare: number;
  zeroEngagedShare: number;
  activeHours: number;
  engagedHours: number;
  timeSavedActiveHours: number;
  timeSavedEngagedHours: number;
}

export async function compareEngaged(sourceUrl: string): Promise<EngagedComparison> {
  const settings = timingSettingsFrom(defaultSettings().processing);
  const source = await openSource(sourceUrl);
  let n = 0;
  let zeroActive = 0;
  let zeroEngaged = 0;
  let active = 0;
  let engaged = 0;
  let savedActive = 0;
  let savedEngaged = 0;
  try {
    for await (const row of source.readConversations()) {
      if (row.kind !== 'conversation') continue;
      const timing = computeTiming(row.conversation.messages, settings);
      const minutes = toMinutes(timing);
      const estimate = heuristicEstimate(buildSummary(row.conversation, timing));
      n += 1;
      if (minutes.active === 0) zeroActive += 1;
      if (minutes.engaged === 0) zeroEngaged += 1;
      active += minutes.active;
      engaged += minutes.engaged;
      savedActive += timeSaved(estimate.mostLikely, minutes.active);
      savedEngaged += timeSaved(estimate.mostLikely, minutes.engaged);
    }
  } finally {
    await source.close();
  }
  const share = (x: number): number => Math.round((x / Math.max(1, n)) * 1000) / 1000;
  const hours = (m: number): number => Math.round((m / 60) * 10) / 10;
  return {
    conversations: n,
    zeroActiveShare: share(zeroActive),
    zeroEngagedShare: share(zeroEngaged),
    activeHours: hours(active),
    engagedHours: hours(engaged),
    timeSavedActiveHours: hours(savedActive),
    timeSavedEngagedHours: hours(savedEngaged),
  };
}
