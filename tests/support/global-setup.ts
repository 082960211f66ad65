import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { TestProject } from 'vitest/node';
import { startEmbeddedPostgres, type EmbeddedServer } from '../../src/main/core/store/embedded.ts';

// One real PostgreSQL server for the whole test run; each test file creates its own databases
// on it (tests/support/pg.ts), so files run in parallel without seeing each other's rows.

let server: EmbeddedServer | undefined;
let dir: string | undefined;

declare module 'vitest' {
  export interface ProvidedContext {
    pgAdminUrl: string;
  }
}

export async function setup(project: TestProject): Promise<void> {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cogniforce-test-pg-'));
  server = await startEmbeddedPostgres({ dataDir: dir, password: 'test-admin-pw' });
  project.provide('pgAdminUrl', server.url('postgres'));
}

export async function teardown(): Promise<void> {
  await server?.stop();
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
}
