import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { sql } from 'kysely';
import { createAppContext, type AppContext } from '../../../src/main/core/app/context.ts';
import { EnvSecretStore } from '../../../src/main/core/secrets/store.ts';
import { hashUserId } from '../../../src/main/core/store/hash.ts';
import type { OpenWebUiUserRecord } from '../../../src/main/core/source/openwebui-writer.ts';
import { createHarness, SALT, type Harness } from '../pipeline/harness.ts';
import { chatRecord, createOpenWebUiSource, linearChat, T0, type SourceFixture } from '../../support/openwebui-fixture.ts';

// An analytics database built by the real pipeline (SQLite source → heuristic estimator →
// PostgreSQL), and a second Open WebUI database with the same user ids whose names the exports
// resolve live — names chosen to be awkward: accents, commas and quotes, formula prefixes.

export const FROM = '2026-01-06';
export const TO = '2026-01-09';
const DAY = 86_400;

export const NAMED_USERS: OpenWebUiUserRecord[] = [
  { id: 'u-eva', name: 'Szabó Éva', email: 'eva.szabo@example.hu', role: 'admin', timezone: 'Europe/Budapest', createdAt: T0 - DAY },
  { id: 'u-peter', name: '=HYPERLINK("http://evil.example","click")', email: 'peter@example.hu', role: 'user', timezone: null, createdAt: T0 - DAY },
  { id: 'u-emma', name: '+Clarke, "Emma"', email: 'emma.clarke@example.com', role: 'user', timezone: null, createdAt: T0 - DAY },
];

export const hashOf = (userId: string): string => hashUserId(SALT, userId);

export interface ReportFixture {
  harness: Harness;
  names: SourceFixture;
  dir: string;
  context(options?: { organisation?: string; sourceUrl?: string; basis?: 'engaged' | 'active'; bom?: boolean }): Promise<AppContext>;
  close(): Promise<void>;
}

function chats() {
  const turns = [
    ['Write a summary of the quarterly report for the board', 'Here is a summary: revenue grew 12 % while costs fell.'],
    ['Translate this paragraph to Hungarian: the meeting is moved to Friday', 'A megbeszélés péntekre költözik.'],
    ['Write a python function that parses ISO dates', '```python\ndef parse(s):\n    return datetime.fromisoformat(s)\n```'],
    ['Draft an email to the supplier about the late delivery', 'Dear supplier, the delivery of order 42 is two weeks late…'],
  ];
  const users = ['u-eva', 'u-peter', 'u-emma'];
  const out = [];
  let n = 0;
  for (let day = 0; day < 3; day++) {
    for (const [u, user] of users.entries()) {
      for (let k = 0; k <= (u + day) % 3; k++) {
        const pair = turns[n % turns.length]!;
        const start = T0 + day * DAY + u * 1800 + k * 600;
        out.push(chatRecord(`c-${day}-${user}-${k}`, user, linearChat([pair[0]!, pair[1]!, 'Thanks, make it shorter please', 'Shorter version.'], { start, gap: 90 + 30 * k })));
        n += 1;
      }
    }
  }
  return out;
}

export async function createReportFixture(): Promise<ReportFixture> {
  const harness = await createHarness(chats());
  const result = await harness.run({ from: FROM, to: TO }, { estimator: harness.estimator('heuristic') });
  if (result.status !== 'completed') throw new Error(`pipeline run ${result.status}: ${result.errorMessage ?? ''}`);
  // Categories are the estimator's words; make two of them hostile to spreadsheets.
  const { rows } = await sql<{ conversation_id: string }>`SELECT conversation_id FROM conversation_analysis ORDER BY conversation_id LIMIT 3`.execute(harness.db);
  await sql`UPDATE conversation_analysis SET task_category = '=SUM(1+2)*cmd|'' /C calc''!A0' WHERE conversation_id = ${rows[0]!.conversation_id}`.execute(harness.db);
  await sql`UPDATE conversation_analysis SET task_category = ${'\tcategory with tab'} WHERE conversation_id = ${rows[1]!.conversation_id}`.execute(harness.db);
  await sql`UPDATE conversation_analysis SET task_category = '@SUM(A1)' WHERE conversation_id = ${rows[2]!.conversation_id}`.execute(harness.db);
  const names = await createOpenWebUiSource({ dialect: 'sqlite', generation: '0.11', users: NAMED_USERS, chats: [] });
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cf-reports-'));
  const contexts: AppContext[] = [];
  return {
    harness,
    names,
    dir,
    async context(options = {}) {
      const settings = structuredClone(harness.settings);
      settings.analytics = { mode: 'url', url: harness.analyticsUrl };
      settings.source.url = options.sourceUrl ?? names.url;
      settings.reports.organisationName = options.organisation ?? '';
      settings.reports.excelBom = options.bom ?? true;
      settings.processing.timeBasis = options.basis ?? 'engaged';
      const context = await createAppContext({ settings, dataDir: dir, secrets: new EnvSecretStore({ ANALYTICS_SALT: SALT }), env: {} });
      contexts.push(context);
      return context;
    },
    async close() {
      for (const c of contexts) await c.close();
      await harness.close();
      await names.cleanup();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}
