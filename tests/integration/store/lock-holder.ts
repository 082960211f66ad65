// A separate process that takes the run lock, opens a 'running' run row, reports, and then
// waits to be killed: the lock test kills it with SIGKILL to simulate a crash.
import { openAnalyticsDb } from '../../../src/main/core/store/connect.ts';
import { tryAcquireRunLock } from '../../../src/main/core/store/lock.ts';
import { startRun } from '../../../src/main/core/store/runs.ts';

const url = process.argv[2];
if (!url) throw new Error('usage: lock-holder <url>');
const lock = await tryAcquireRunLock(url);
if (!lock.acquired) {
  process.stdout.write('busy\n');
  process.exit(3);
}
const db = openAnalyticsDb(url, { max: 1 });
await startRun(db, {
  runDate: '2025-03-10',
  rangeFrom: '2025-03-08',
  rangeTo: '2025-03-10',
  forced: false,
  trigger: 'cli',
  host: 'crashy-host',
  appVersion: 'test',
  pid: process.pid,
  estimator: 'heuristic',
});
await db.destroy();
process.stdout.write('acquired\n');
setInterval(() => undefined, 1000);
