import pg from 'pg';
import { expect, test } from 'vitest';
import { createTestDatabase } from '../support/pg.ts';

test('the embedded test server accepts connections on a fresh database', async () => {
  const url = await createTestDatabase('smoke');
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  const { rows } = await client.query<{ v: string }>("SELECT current_setting('server_version_num') AS v");
  await client.end();
  expect(Number.parseInt(rows[0]!.v, 10)).toBeGreaterThanOrEqual(140000);
});
