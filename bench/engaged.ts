// Engaged vs active time over a whole source: how many conversations the seed formula scores
// as 0 active minutes, how many still have 0 engaged minutes, and time saved under each basis.
// Pure computation (timing + heuristic estimate), no analytics database. An analysis rather than
// a benchmark (no target): `npm run bench -- --only=engaged`.

import path from 'node:path';
import { writeDemoDatabase } from '../src/main/core/demo/dataset.ts';
import { openOpenWebUiWriter } from '../src/main/core/source/openwebui-writer.ts';
import { FIXTURE_USERS } from '../tests/support/openwebui-fixture.ts';
import { realisticChats } from '../tests/support/realistic-chats.ts';
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

/** Both datasets the comparison is usually read on: the demo and the realistic fixture. */
export async function engagedBenchmarks(work: string, quick: boolean): Promise<Array<[string, Record<string, unknown>]>> {
  const demoFile = path.join(work, 'engaged-demo.db');
  await writeDemoDatabase(demoFile, { seed: 42, users: 25, days: 60, overwrite: true });
  const realisticFile = path.join(work, 'engaged-realistic.db');
  const writer = await openOpenWebUiWriter(realisticFile, { generation: '0.11', overwrite: true });
  await writer.insertUsers(FIXTURE_USERS);
  await writer.insertChats(realisticChats(quick ? 500 : 3000, 11));
  await writer.close();
  return [
    ['engaged-vs-active', { dataset: 'demo (25 users, 60 days)', ...(await compareEngaged(demoFile)) }],
    ['engaged-vs-active', { dataset: 'realistic fixture (55 % single-turn, same-second answers)', ...(await compareEngaged(realisticFile)) }],
  ];
}
