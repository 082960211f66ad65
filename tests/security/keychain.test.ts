import { execFile, execFileSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { AsyncEntry } from '@napi-rs/keyring';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { createAppContext } from '../../src/main/core/app/context.ts';
import { defaultSettings } from '../../src/main/core/config/settings.ts';
import { createHandlers, createRuntime, dispatch } from '../../src/main/core/handlers.ts';
import {
  EnvSecretStore,
  KeyringSecretStore,
  openSecretStore,
  SECRET_ENV,
  SECRET_KEYS,
  SECRET_SERVICE,
  SecretStoreUnavailableError,
  type SecretKey,
} from '../../src/main/core/secrets/store.ts';
import { LeakScanner, listFiles } from './support/leak-scanner.ts';

// Secrets live in the OS keychain, one entry per secret under the app's service name; without a
// keychain the app says what to do, reads the environment, and never falls back to a file.
// The keychain cases talk to a real Secret Service (scripts/with-keyring.sh) and check what it
// holds over D-Bus, independently of the keyring library.

const exec = promisify(execFile);
const requireKeychain = process.env.CI === 'true' || process.env.COGNIFORCE_TEST_KEYRING === '1';
const service = `cogniforce-keychain-${crypto.randomBytes(4).toString('hex')}`;
const opened = await openSecretStore({}, service);
const available = opened.status().available;
if (!available && requireKeychain) throw new Error(`An OS keychain is required here but none is reachable: ${opened.status().message}`);

const scratch: string[] = [];
afterAll(async () => {
  for (const dir of scratch) fs.rmSync(dir, { recursive: true, force: true });
  if (available) for (const key of SECRET_KEYS) await new KeyringSecretStore(service).delete(key).catch(() => undefined);
});

function tempDir(prefix: string): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  scratch.push(dir);
  return dir;
}

interface SecretItem {
  path: string;
  label: string;
  attributes: Record<string, string>;
}

/** Items of the Secret Service whose attributes include `match`, read over D-Bus with gdbus. */
function secretServiceItems(match: Record<string, string>): SecretItem[] {
  const dict = `{${Object.entries(match)
    .map(([k, v]) => `'${k}': '${v}'`)
    .join(', ')}}`;
  const gdbus = (objectPath: string, method: string, ...args: string[]): string =>
    execFileSync('gdbus', ['call', '--session', '--dest', 'org.freedesktop.secrets', '--object-path', objectPath, '--method', method, ...args], { encoding: 'utf8' });
  const found = gdbus('/org/freedesktop/secrets', 'org.freedesktop.Secret.Service.SearchItems', dict);
  const paths = [...found.matchAll(/'(\/org\/freedesktop\/secrets\/collection\/[^']+)'/g)].map((m) => m[1]!);
  return paths.map((p) => {
    const attrs = gdbus(p, 'org.freedesktop.DBus.Properties.Get', 'org.freedesktop.Secret.Item', 'Attributes');
    const label = gdbus(p, 'org.freedesktop.DBus.Properties.Get', 'org.freedesktop.Secret.Item', 'Label');
    return {
      path: p,
      label: /'([^']*)'/.exec(label)?.[1] ?? '',
      attributes: Object.fromEntries([...attrs.matchAll(/'([^']*)': '([^']*)'/g)].map((m) => [m[1]!, m[2]!])),
    };
  });
}

describe.runIf(available)('OS keychain (real Secret Service)', () => {
  test('every secret is its own keychain item, named by service and key; the keyring files hold no plain text', async () => {
    const store = new KeyringSecretStore(service);
    const values = Object.fromEntries(SECRET_KEYS.map((key) => [key, `${key}-value-${crypto.randomBytes(12).toString('hex')}`])) as Record<SecretKey, string>;
    for (const key of SECRET_KEYS) await store.set(key, values[key]);

    const items = secretServiceItems({ service });
    expect(items.map((i) => i.attributes.username).sort()).toEqual([...SECRET_KEYS].sort());
    for (const item of items) expect(item.attributes.service).toBe(service);
    for (const key of SECRET_KEYS) expect(secretServiceItems({ service, username: key })).toHaveLength(1);
    // Setting a value again replaces the item, it does not add a second one.
    await store.set('salt', `${values.salt}-2`);
    expect(secretServiceItems({ service, username: 'salt' })).toHaveLength(1);
    values.salt = `${values.salt}-2`;
    for (const key of SECRET_KEYS) expect(await new KeyringSecretStore(service).get(key)).toBe(values[key]);

    // The Secret Service keeps its keyrings encrypted: not one value is readable in its files.
    const keyrings = path.join(process.env.XDG_DATA_HOME ?? path.join(os.homedir(), '.local', 'share'), 'keyrings');
    if (process.env.COGNIFORCE_TEST_KEYRING === '1') {
      const scanner = new LeakScanner(SECRET_KEYS.map((key) => ({ name: key, value: values[key] })));
      expect(listFiles(keyrings).length).toBeGreaterThan(0);
      expect(scanner.scanTree(keyrings)).toEqual([]);
    }

    for (const key of SECRET_KEYS) await store.delete(key);
    expect(secretServiceItems({ service })).toEqual([]);
  });

  // Only inside scripts/with-keyring.sh (a throwaway keyring): this touches the app's own service.
  test.runIf(process.env.COGNIFORCE_TEST_KEYRING === '1')('the app files its secrets under the service "cogniforce-analytics"', async () => {
    expect(SECRET_SERVICE).toBe('cogniforce-analytics');
    const store = new KeyringSecretStore();
    const before = await store.get('analytics-db-password');
    const value = `service-check-${crypto.randomBytes(8).toString('hex')}`;
    try {
      await store.set('analytics-db-password', value);
      const [item, ...more] = secretServiceItems({ service: 'cogniforce-analytics', username: 'analytics-db-password' });
      expect(more).toEqual([]);
      expect(item?.attributes).toMatchObject({ service: 'cogniforce-analytics', username: 'analytics-db-password' });
    } finally {
      if (before === null) await store.delete('analytics-db-password');
      else await store.set('analytics-db-password', before);
    }
  });
});

describe('without a keychain', () => {
  interface ProbeResult {
    status: { backend: string; available: boolean; message: string };
    attempts: Array<{ key: string; saved: boolean; error: string | null; errorName: string | null }>;
    fromEnv: { openai: string | null; salt: string | null };
    kernelKeyring: boolean;
  }

  beforeAll(async () => {
    // A process that has touched the kernel keyring leaves its children a session keyring they
    // can write to: the situation of an SSH login on a headless server. The binding's automatic
    // Linux fallback would then "save" secrets in kernel memory, lost at the next reboot.
    if (process.platform === 'linux') {
      await new AsyncEntry('cogniforce-kernel-touch', 'x', { linux: { store: 'keyutils' } })
        .setPassword('x')
        .catch(() => undefined);
    }
  });

  const probe = async (env: NodeJS.ProcessEnv, wrap: string[] = []): Promise<ProbeResult> => {
    const value = `must-not-land-on-disk-${crypto.randomBytes(10).toString('hex')}`;
    const args = [process.execPath, 'bin/run-ts.mjs', 'tests/security/support/keychain-probe.ts', value, service];
    const [cmd, ...rest] = [...wrap, ...args];
    const { stdout } = await exec(cmd!, rest, { env, timeout: 60_000 });
    const home = env.HOME!;
    // No plain-text fallback: nothing the probe did left the value in a file.
    expect(new LeakScanner([{ name: 'probe value', value }]).scanTree(home)).toEqual([]);
    const result = JSON.parse(stdout.trim().split('\n').at(-1)!) as ProbeResult;
    console.log(`keychain probe: backend ${result.status.backend}; kernel keyring usable by the same process: ${result.kernelKeyring}`);
    return result;
  };

  const expectRefusal = (result: ProbeResult): void => {
    expect(result.status).toMatchObject({ backend: 'environment', available: false });
    // Says what is missing and what to do instead.
    expect(result.status.message).toMatch(/No OS keychain is available/);
    expect(result.status.message).toMatch(/GNOME Keyring|Secret Service/);
    for (const variable of ['OPENAI_API_KEY', 'ANALYTICS_SALT']) expect(result.status.message).toContain(variable);
    expect(result.attempts).toHaveLength(SECRET_KEYS.length);
    for (const attempt of result.attempts) expect(attempt).toMatchObject({ saved: false, errorName: 'SecretStoreUnavailableError' });
    // Headless use: the environment is read.
    expect(result.fromEnv).toEqual({ openai: 'sk-from-env-0123456789', salt: 'salt-from-env-0123456789' });
  };

  test('no D-Bus session at all: environment only, a clear message, nothing written to disk', async () => {
    const home = tempDir('cogniforce-nokeychain-');
    const result = await probe({
      PATH: process.env.PATH,
      HOME: home,
      XDG_DATA_HOME: path.join(home, 'data'),
      XDG_CONFIG_HOME: path.join(home, 'config'),
      DBUS_SESSION_BUS_ADDRESS: `unix:path=${path.join(home, 'no-bus')}`,
      OPENAI_API_KEY: 'sk-from-env-0123456789',
      ANALYTICS_SALT: 'salt-from-env-0123456789',
    });
    expectRefusal(result);
  });

  // Needs dbus-run-session for a second, locked session; where the keychain is required
  // (CI=true, scripts/test.sh) it runs, and a missing dbus-run-session fails it.
  test.runIf(requireKeychain || fs.existsSync('/usr/bin/dbus-run-session'))('a Secret Service with no unlocked keyring: the same refusal, within seconds', async () => {
    const home = tempDir('cogniforce-lockedkeychain-');
    const started = Date.now();
    const result = await probe(
      {
        PATH: process.env.PATH,
        HOME: home,
        XDG_DATA_HOME: path.join(home, 'data'),
        XDG_RUNTIME_DIR: home,
        OPENAI_API_KEY: 'sk-from-env-0123456789',
        ANALYTICS_SALT: 'salt-from-env-0123456789',
      },
      ['dbus-run-session', '--'],
    );
    expectRefusal(result);
    expect(Date.now() - started).toBeLessThan(30_000);
  });

  test('the console refuses to keep a secret instead of writing it anywhere, and says why', async () => {
    const dataDir = tempDir('cogniforce-nokeychain-console-');
    const secrets = new EnvSecretStore({});
    const settings = defaultSettings();
    settings.llm.estimator = 'heuristic';
    const context = await createAppContext({ settings: structuredClone(settings), dataDir, secrets, env: {} });
    const runtime = createRuntime(context, { env: {}, persisted: structuredClone(settings), log: { error: () => undefined } });
    const handlers = createHandlers(runtime);
    try {
      const key = await dispatch(runtime, handlers, 'secrets.set', { key: 'openai-api-key', value: 'sk-proj-never-on-disk-0123456789' });
      expect(key).toMatchObject({ ok: false, error: { code: 'keychain', message: expect.stringMatching(/OPENAI_API_KEY/) } });
      const url = 'postgresql://reader:Pw-never-on-disk-0123@db.example:5432/openwebui';
      const typed = await dispatch(runtime, handlers, 'settings.update', { patch: { source: { url } } });
      expect(typed).toMatchObject({ ok: false, error: { code: 'keychain', message: expect.stringMatching(/environment variable/) } });
      const status = await dispatch(runtime, handlers, 'secrets.status', {});
      expect(status).toMatchObject({ ok: true, data: { keychain: { available: false, backend: 'environment' } } });
      // The salt and the embedded database's password cannot be made up and kept either.
      await expect(context.salt()).rejects.toThrow(/No salt for hashing user ids.*ANALYTICS_SALT/);
      await expect(runtime.contexts.analytics()).rejects.toThrow(/embedded analytics database keeps its password in the OS keychain.*COGNIFORCE_DATABASE_URL/);
      const scanner = new LeakScanner([
        { name: 'OpenAI key', value: 'sk-proj-never-on-disk-0123456789' },
        { name: 'source password', value: 'Pw-never-on-disk-0123' },
      ]);
      expect(scanner.scanTree(dataDir)).toEqual([]);
    } finally {
      await runtime.jobs.shutdown();
      await runtime.contexts.close().catch(() => undefined);
    }
  });

  test('every secret that has a headless fallback names its variable, and only the environment store reads them', async () => {
    expect(SECRET_ENV).toEqual({ 'openai-api-key': 'OPENAI_API_KEY', salt: 'ANALYTICS_SALT', 'embedded-db-password': 'COGNIFORCE_EMBEDDED_DB_PASSWORD' });
    const store = new EnvSecretStore({ OPENAI_API_KEY: 'sk-a', ANALYTICS_SALT: 's', COGNIFORCE_EMBEDDED_DB_PASSWORD: 'p', DATABASE_URL: 'x' });
    expect(await store.get('openai-api-key')).toBe('sk-a');
    expect(await store.get('source-db-password')).toBeNull();
    await expect(store.delete('salt')).rejects.toBeInstanceOf(SecretStoreUnavailableError);
  });
});
