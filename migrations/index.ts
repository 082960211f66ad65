import type { Migration } from 'kysely';
import * as m0001 from './0001_analytics_tables.ts';
import * as m0002 from './0002_llm_batches.ts';
import * as m0003 from './0003_conversation_list_index.ts';
import * as m0004 from './0004_breakdown_aggregates.ts';

// Static record of every analytics migration, in order. No filesystem scanning: the Electron
// build bundles these modules into one file, so there is no migrations folder at run time.
// Add a new migration by importing it here under its file name.
export const migrations: Record<string, Migration> = {
  '0001_analytics_tables': m0001,
  '0002_llm_batches': m0002,
  '0003_conversation_list_index': m0003,
  '0004_breakdown_aggregates': m0004,
};
