import fs from 'node:fs';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createHandlers, createRuntime, dispatch, type ConsoleRuntime } from '../../../src/main/core/handlers.ts';
import { checkOrStoreSaltFingerprint, saltFingerprint, storedSaltFingerprint } from '../../../src/main/core/store/salt.ts';
import type { Channel } from '../../../src/shared/channels.ts';
import type { Handlers } from '../../../src/shared/contract.ts';
import type { Envelope } from '../../../src/shared/types.ts';
import { analysis, consoleFixture, fixtureContext, SALT, seed, type ConsoleFixture, type FixtureContext } from './support.ts';

// Settings → Privacy over a real runtime and a real analytics database: the fingerprint is
// shown, export writes a 0600 file after an explicit confirmation, import validates the format
// and refuses a salt that would not match the hashes already stored. No answer — success or
// refusal — ever carries a salt.

const OTHER = 'a0b1c2d3e4f5a6b7c8d9e0f1a2b3c4d5e6f7a8b9c0d1e2f3a4b5c6d7e8f9a0b1';
const ALL_SALTS = [SALT, OTHER];

let f: ConsoleFixture;
const answers: unknown[] = [];

async function call(runtime: ConsoleRuntime, handlers: Handlers, channel: Channel, args: unknown): Promise<Envelope<unknown>> {
  const envelope = await dispatch(runtime, handlers, channel, args);
  answers.push(envelope);
  return envelope;
}

beforeAll(async () => {
  f = await consoleFixture({ withSource: false });
}, 120_000);

afterEach(() => {
  // Every answer of every test, refusals included: no salt in any of them.
  for (const answer of answers.splice(0)) {
    const text = JSON.stringify(answer);
    for (const salt of ALL_SALTS) expect(text).not.toContain(salt);
  }
});

afterAll(async () => {
  await f?.cleanup();
});

describe('salt.status', () => {
  it('shows this workstation\'s fingerprint and that the database has recorded none yet', async () => {
    const answer = await call(f.runtime, f.handlers, 'salt.status', {});
    expect(answer).toMatchObject({
      ok: true,
      data: { set: true, fingerprint: saltFingerprint(SALT), saveDialog: false, database: { reachable: true, fingerprint: null, hasData: false, matches: null } },
    });
  });
});

describe('salt.export', () => {
  it('writes the salt to a file readable by its owner only and answers path and fingerprint', async () => {
    const file = path.join(f.dataDir, 'exported-salt.txt');
    const answer = await call(f.runtime, f.handlers, 'salt.export', { path: file, confirm: true });
    expect(answer).toEqual({ ok: true, data: { saved: true, path: file, fingerprint: saltFingerprint(SALT) } });
    const text = fs.readFileSync(file, 'utf8');
    expect(text).toContain(`\n${SALT}\n`);
    expect(text).toMatch(/THIS IS A SECRET/);
    expect(text).toContain(`# fingerprint: ${saltFingerprint(SALT)}`);
    if (process.platform !== 'win32') expect(fs.statSync(file).mode & 0o777).toBe(0o600);
  });

  it('refuses without the confirmation, without a path in the browser, a relative path, or an existing file', async () => {
    const existing = path.join(f.dataDir, 'exported-salt.txt');
    const cases: Array<[unknown, RegExp]> = [
      [{ path: path.join(f.dataDir, 'a.txt') }, /confirm: .*salt is a secret/],
      [{ path: path.join(f.dataDir, 'a.txt'), confirm: false }, /confirm/],
      [{ path: path.join(f.dataDir, 'a.txt'), confirm: 'yes' }, /confirm/],
      [{ confirm: true }, /Enter the full path/],
      [{ path: 'salt.txt', confirm: true }, /full path/],
      [{ path: existing, confirm: true }, /already exists/],
      [{ path: path.join(f.dataDir, 'missing-folder', 'salt.txt'), confirm: true }, /does not exist/],
    ];
    for (const [args, message] of cases) {
      const answer = await call(f.runtime, f.handlers, 'salt.export', args);
      expect(answer.ok, JSON.stringify(args)).toBe(false);
      if (!answer.ok) {
        expect(answer.error.code).toBe('validation');
        expect(answer.error.message).toMatch(message);
      }
    }
    expect(fs.existsSync(path.join(f.dataDir, 'a.txt'))).toBe(false);
  });

  it('asks the native save dialog where there is one; a cancel writes nothing', async () => {
    const target = path.join(f.dataDir, 'dialog-salt.txt');
    fs.writeFileSync(target, 'old content');
    let answerWith: string | null = target;
    const { runtime, handlers, close } = await workstation({ pickSaveFile: async () => answerWith });
    try {
      expect(await call(runtime, handlers, 'salt.status', {})).toMatchObject({ ok: true, data: { saveDialog: true } });
      // The dialog asked before replacing the file.
      expect(await call(runtime, handlers, 'salt.export', { confirm: true })).toMatchObject({ ok: true, data: { saved: true, path: target } });
      expect(fs.readFileSync(target, 'utf8')).toContain(`\n${SALT}\n`);
      answerWith = null;
      expect(await call(runtime, handlers, 'salt.export', { confirm: true })).toEqual({ ok: true, data: { saved: false, path: null, fingerprint: null } });
    } finally {
      await close();
    }
  });
});

describe('salt.import', () => {
  it('validates the format without repeating what was pasted', async () => {
    const cases: Array<[unknown, RegExp]> = [
      [{ salt: 'short', confirm: true }, /This is not a salt: expected one line of 16 to 1024 visible characters/],
      [{ salt: 'has spaces inside the salt text', confirm: true }, /This is not a salt/],
      [{ salt: `${OTHER}\n${OTHER}`, confirm: true }, /found several/],
      [{ salt: `# fingerprint: 0000000000000000\n${OTHER}\n`, confirm: true }, /does not match the fingerprint written with it/],
      [{ salt: OTHER }, /confirm/],
      [{ salt: OTHER, path: '/tmp/x', confirm: true }, /either the salt or the path/],
      [{ confirm: true }, /either the salt or the path/],
      [{ path: 'relative/salt.txt', confirm: true }, /full path/],
      [{ path: path.join(f.dataDir, 'nope.txt'), confirm: true }, /does not exist/],
    ];
    for (const [args, message] of cases) {
      const answer = await call(f.runtime, f.handlers, 'salt.import', args);
      expect(answer.ok, JSON.stringify(args).slice(0, 80)).toBe(false);
      if (!answer.ok) {
        expect(answer.error.code).toBe('validation');
        expect(answer.error.message).toMatch(message);
        expect(answer.error.message).not.toContain('has spaces inside');
      }
    }
    expect(await f.secrets.get('salt')).toBe(SALT);
  });

  it('imports a salt into an empty database and re-keys its recorded fingerprint', async () => {
    await checkOrStoreSaltFingerprint(f.db, saltFingerprint(SALT));
    const answer = await call(f.runtime, f.handlers, 'salt.import', { salt: `  ${OTHER}  \n`, confirm: true });
    expect(answer).toMatchObject({ ok: true, data: { changed: true, status: { fingerprint: saltFingerprint(OTHER), database: { fingerprint: saltFingerprint(OTHER), matches: true } } } });
    expect(await f.secrets.get('salt')).toBe(OTHER);
    expect(await storedSaltFingerprint(f.db)).toBe(saltFingerprint(OTHER));
  });

  it('reads an exported file, and importing the same salt again changes nothing', async () => {
    const file = path.join(f.dataDir, 'other-salt.txt');
    expect(await call(f.runtime, f.handlers, 'salt.export', { path: file, confirm: true })).toMatchObject({ ok: true, data: { fingerprint: saltFingerprint(OTHER) } });
    const again = await call(f.runtime, f.handlers, 'salt.import', { path: file, confirm: true });
    expect(again).toMatchObject({ ok: true, data: { changed: false, message: expect.stringMatching(/already uses this salt/) } });
  });

  it('refuses a different salt once the database holds results, saying what to do', async () => {
    await seed(f.db, [analysis('2026-01-05', 'u-eva')]);
    const answer = await call(f.runtime, f.handlers, 'salt.import', { salt: SALT, confirm: true });
    expect(answer.ok).toBe(false);
    if (answer.ok) return;
    expect(answer.error.code).toBe('salt_mismatch');
    expect(answer.error.message).toContain('This workstation would write hashes that do not match the ones already stored');
    expect(answer.error.message).toContain(`Import the salt of the other workstations (its fingerprint is ${saltFingerprint(OTHER)}`);
    expect(await f.secrets.get('salt')).toBe(OTHER);
    expect(await storedSaltFingerprint(f.db)).toBe(saltFingerprint(OTHER));
    // The page shows the state as it is.
    expect(await call(f.runtime, f.handlers, 'salt.status', {})).toMatchObject({ ok: true, data: { database: { hasData: true, matches: true } } });
  });

  it('refuses while a run is in progress', async () => {
    const { runtime, handlers, close } = await workstation({ runInProgress: () => true });
    try {
      const answer = await call(runtime, handlers, 'salt.import', { salt: OTHER, confirm: true });
      expect(answer).toMatchObject({ ok: false, error: { code: 'busy' } });
    } finally {
      await close();
    }
  });

  it('refuses when the analytics database cannot be checked', async () => {
    const base: FixtureContext = await fixtureContext({ withSource: false });
    base.context.settings.analytics = { mode: 'url', url: 'postgresql://nobody@127.0.0.1:1/none' };
    const runtime = createRuntime(base.context, { env: {}, persisted: structuredClone(base.settings), writeFile: false, log: { error: () => undefined } });
    try {
      const handlers = createHandlers(runtime);
      const answer = await call(runtime, handlers, 'salt.import', { salt: OTHER, confirm: true });
      expect(answer).toMatchObject({ ok: false, error: { code: 'connection', message: expect.stringMatching(/The salt was not changed: the analytics database cannot be reached/) } });
      expect(await base.secrets.get('salt')).toBe(SALT);
      expect(await call(runtime, handlers, 'salt.status', {})).toMatchObject({ ok: true, data: { fingerprint: saltFingerprint(SALT), database: { reachable: false } } });
    } finally {
      await runtime.contexts.close();
      await base.cleanup();
    }
  });
});

async function workstation(platform: ConsoleRuntime['platform']): Promise<{ runtime: ConsoleRuntime; handlers: Handlers; close: () => Promise<void> }> {
  const base = await fixtureContext({ withSource: false });
  const runtime = createRuntime(base.context, { env: {}, persisted: structuredClone(base.settings), writeFile: false, platform });
  return {
    runtime,
    handlers: createHandlers(runtime),
    async close() {
      await runtime.contexts.close();
      await base.cleanup();
    },
  };
}
