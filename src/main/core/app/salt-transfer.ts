import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { Kysely } from 'kysely';
import { getLogger } from '../log/index.ts';
import { replaceSaltFingerprint, saltFingerprint, storedSaltFingerprint } from '../store/salt.ts';
import type { Database } from '../store/schema.ts';
import type { AppContext } from './context.ts';

// Sharing the salt between workstations (SPEC §4 Privacy): several workstations may write one
// analytics database only if they hash user ids with the same salt. The salt is exported to a
// file the admin carries over (readable by its owner only) and imported on the others. The
// salt itself is never returned from here: callers get its fingerprint.
//
// An import is refused when the analytics database already holds results hashed with another
// salt: this workstation would write hashes that match none of them. An empty database that
// recorded another fingerprint (a first run that wrote nothing) is re-keyed instead.

export class SaltTransferError extends Error {
  constructor(
    readonly kind: 'format' | 'mismatch' | 'unreachable' | 'file' | 'no-salt' | 'environment',
    message: string,
  ) {
    super(message);
    this.name = 'SaltTransferError';
  }
}

const SALT_LINE = /^[\x21-\x7e]{16,1024}$/;
const FINGERPRINT_LINE = /^#\s*fingerprint:\s*([0-9a-f]{16})\s*$/i;
/** An exported salt file is a few hundred bytes; anything much larger is the wrong file. */
const MAX_SALT_FILE_BYTES = 64 * 1024;

const log = getLogger('app');

export interface SaltDatabaseState {
  reachable: boolean;
  /** The fingerprint the analytics database recorded (null: no workstation has written yet). */
  fingerprint: string | null;
  /** Results hashed with that salt exist. */
  hasData: boolean;
  /** Whether this workstation's salt is the recorded one (null when unknown). */
  matches: boolean | null;
  message: string;
}

export interface SaltState {
  set: boolean;
  fingerprint: string | null;
  database: SaltDatabaseState;
}

/** The text of an exported salt file: comment lines, then the salt on a line of its own. */
export function saltFileText(salt: string, nowMs: number): string {
  return [
    '# Cogniforce Analytics salt for user-id hashes. THIS IS A SECRET.',
    '# Anyone holding it can test guessed user ids against the analytics database.',
    '# Import it on the other workstations that share the analytics database, then delete this file.',
    `# fingerprint: ${saltFingerprint(salt)}`,
    `# exported: ${new Date(nowMs).toISOString()}`,
    salt,
    '',
  ].join('\n');
}

/** Reads a pasted salt or the text of a salt file; the message never repeats the input. */
export function parseSaltText(text: string): { salt: string; fingerprint: string } {
  const lines = text.replace(/^\uFEFF/, '').split(/\r?\n/).map((line) => line.trim());
  const declared = lines.map((line) => FINGERPRINT_LINE.exec(line)?.[1]?.toLowerCase()).find((fp) => fp !== undefined) ?? null;
  const values = lines.filter((line) => line !== '' && !line.startsWith('#'));
  if (values.length !== 1 || !SALT_LINE.test(values[0]!)) {
    throw new SaltTransferError(
      'format',
      values.length > 1
        ? 'This is not a salt: expected one line (besides # comments), found several. Paste the salt alone or choose the file exported from another workstation.'
        : 'This is not a salt: expected one line of 16 to 1024 visible characters without spaces (an exported salt has 64 hexadecimal digits). Paste the salt alone or choose the file exported from another workstation.',
    );
  }
  const salt = values[0]!;
  const fingerprint = saltFingerprint(salt);
  if (declared !== null && declared !== fingerprint) {
    throw new SaltTransferError('format', `The salt in this file does not match the fingerprint written with it (${declared}): the file was changed or damaged. Export it again on the other workstation.`);
  }
  return { salt, fingerprint };
}

/** Whether any table holds user hashes (results that a different salt would not match). */
async function holdsHashedData(db: Kysely<Database>): Promise<boolean> {
  const probes = await Promise.all([
    db.selectFrom('conversation_analysis').select('conversation_id').limit(1).executeTakeFirst(),
    db.selectFrom('conversation_insights').select('conversation_id').limit(1).executeTakeFirst(),
    db.selectFrom('user_engagement').select('user_id_hash').limit(1).executeTakeFirst(),
    db.selectFrom('daily_aggregates').select('analysis_date').limit(1).executeTakeFirst(),
  ]);
  return probes.some((row) => row !== undefined);
}

function errorText(error: unknown): string {
  return error instanceof Error ? error.message.split('\n')[0]! : String(error);
}

export async function saltState(context: AppContext): Promise<SaltState> {
  const salt = await context.secrets.get('salt').catch(() => null);
  const fingerprint = salt ? saltFingerprint(salt) : null;
  let database: SaltDatabaseState;
  try {
    const { db } = await context.analytics();
    const [stored, hasData] = await Promise.all([storedSaltFingerprint(db), holdsHashedData(db)]);
    const matches = stored === null || fingerprint === null ? null : stored === fingerprint;
    database = { reachable: true, fingerprint: stored, hasData, matches, message: describeDatabase(stored, hasData, fingerprint) };
  } catch (error) {
    database = {
      reachable: false,
      fingerprint: null,
      hasData: false,
      matches: null,
      message: `The analytics database cannot be reached, so the salt cannot be compared with it: ${errorText(error)}`,
    };
  }
  return { set: salt !== null, fingerprint, database };
}

function describeDatabase(stored: string | null, hasData: boolean, mine: string | null): string {
  if (stored === null) return 'No workstation has written to the analytics database yet: the first run records the fingerprint of the salt it uses.';
  if (mine === stored) return 'The analytics database was written with this salt.';
  if (mine === null) return `The analytics database was written with the salt ${stored}; this workstation has none yet: import that salt before the first run.`;
  return hasData
    ? `The analytics database was written with another salt (${stored}): runs on this workstation are refused until you import that salt.`
    : `The analytics database recorded another salt (${stored}) but holds no results yet: import the salt of the other workstations, or import this workstation's own salt again to re-key the empty database.`;
}

/** Writes `content` readable by its owner only (0600), via a temporary file and a rename. */
export async function writePrivateFile(file: string, content: string, options: { overwrite: boolean }): Promise<void> {
  const target = path.resolve(file);
  const dir = path.dirname(target);
  const folder = await fs.promises.stat(dir).catch(() => null);
  if (!folder?.isDirectory()) throw new SaltTransferError('file', `Cannot write ${target}: the folder ${dir} does not exist.`);
  const existing = await fs.promises.lstat(target).catch(() => null);
  if (existing && (!options.overwrite || !existing.isFile())) {
    throw new SaltTransferError('file', `${target} already exists: choose another file name (an existing file is never replaced by a typed path).`);
  }
  const temp = path.join(dir, `.${path.basename(target)}.${process.pid}.${crypto.randomBytes(4).toString('hex')}.partial`);
  try {
    await fs.promises.writeFile(temp, content, { mode: 0o600, flag: 'wx' });
    // The mode given at creation is reduced by the umask; say it again explicitly.
    await fs.promises.chmod(temp, 0o600);
    await fs.promises.rename(temp, target);
  } catch (error) {
    await fs.promises.rm(temp, { force: true }).catch(() => undefined);
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'EACCES' || code === 'EPERM') throw new SaltTransferError('file', `Cannot write ${target}: permission denied. Choose a folder you can write to.`);
    throw new SaltTransferError('file', `Cannot write ${target}: ${errorText(error)}`);
  }
}

/**
 * Writes this workstation's salt to `file` (0600). Without a salt yet, one is generated as the
 * first run would — unless the analytics database already names another workstation's salt,
 * in which case the person should import that one instead.
 */
export async function exportSalt(context: AppContext, file: string, options: { overwrite: boolean; nowMs: number }): Promise<{ path: string; fingerprint: string }> {
  if (!path.isAbsolute(file)) throw new SaltTransferError('file', 'Enter the full path of the file to write, for example /home/me/cogniforce-salt.txt.');
  let salt = await context.secrets.get('salt');
  if (!salt) {
    const state = await saltState(context);
    if (state.database.fingerprint !== null) {
      throw new SaltTransferError(
        'no-salt',
        `This workstation has no salt yet, and the analytics database was written with the salt ${state.database.fingerprint}: import that salt here instead of exporting a new one.`,
      );
    }
    salt = await context.salt();
  }
  await writePrivateFile(file, saltFileText(salt, options.nowMs), { overwrite: options.overwrite });
  const fingerprint = saltFingerprint(salt);
  log.info(`Salt ${fingerprint} exported to ${path.resolve(file)}.`);
  return { path: path.resolve(file), fingerprint };
}

/** Reads a salt file the person named (bounded, so a wrong file cannot fill memory). */
export async function readSaltFile(file: string): Promise<string> {
  if (!path.isAbsolute(file)) throw new SaltTransferError('file', 'Enter the full path of the salt file, for example /home/me/cogniforce-salt.txt.');
  const stat = await fs.promises.stat(file).catch(() => null);
  if (!stat) throw new SaltTransferError('file', `${file} does not exist.`);
  if (!stat.isFile()) throw new SaltTransferError('file', `${file} is not a file.`);
  if (stat.size > MAX_SALT_FILE_BYTES) throw new SaltTransferError('format', `${file} is ${Math.round(stat.size / 1024)} kB: that is not an exported salt (a few hundred bytes).`);
  try {
    return await fs.promises.readFile(file, 'utf8');
  } catch (error) {
    throw new SaltTransferError('file', `Cannot read ${file}: ${errorText(error)}`);
  }
}

export interface SaltImportOutcome {
  changed: boolean;
  fingerprint: string;
  /** The empty analytics database recorded another fingerprint and now records this one. */
  rekeyed: boolean;
  message: string;
}

export async function importSalt(context: AppContext, text: string): Promise<SaltImportOutcome> {
  const { salt, fingerprint } = parseSaltText(text);
  let db: Kysely<Database>;
  try {
    db = (await context.analytics()).db;
  } catch (error) {
    throw new SaltTransferError(
      'unreachable',
      `The salt was not changed: the analytics database cannot be reached to check which salt it was written with (${errorText(error)}). Connect it in Settings → Connections, then import again.`,
    );
  }
  const [stored, hasData] = await Promise.all([storedSaltFingerprint(db), holdsHashedData(db)]);
  if (stored !== null && stored !== fingerprint && hasData) {
    throw new SaltTransferError(
      'mismatch',
      `Import refused: the analytics database holds results hashed with the salt ${stored}, and this salt is ${fingerprint}. ` +
        'This workstation would write hashes that do not match the ones already stored, so the same person would be counted twice. ' +
        `Import the salt of the other workstations (its fingerprint is ${stored}; export it on one of them), or point this workstation at its own analytics database.`,
    );
  }
  const current = await context.secrets.get('salt');
  const changed = current !== salt;
  if (changed) {
    await context.secrets.set('salt', salt);
    // An ANALYTICS_SALT variable wins over the keychain: the import would silently not apply.
    if ((await context.secrets.get('salt')) !== salt) {
      throw new SaltTransferError('environment', 'The salt was saved to the keychain, but the ANALYTICS_SALT environment variable overrides it for this process: change or remove that variable, then restart.');
    }
  }
  const rekeyed = stored !== null && stored !== fingerprint;
  if (rekeyed) await replaceSaltFingerprint(db, fingerprint);
  log.info(`Salt ${fingerprint} ${changed ? 'imported' : 'imported again (unchanged)'}${rekeyed ? `; the empty analytics database was re-keyed from ${stored}` : ''}.`);
  const message = !changed && !rekeyed
    ? `This workstation already uses this salt (${fingerprint}); nothing changed.`
    : `Salt ${fingerprint} imported${rekeyed ? ` and recorded in the empty analytics database (it named ${stored} before)` : ''}. User names resolve with it from now on.`;
  return { changed, fingerprint, rekeyed, message };
}
