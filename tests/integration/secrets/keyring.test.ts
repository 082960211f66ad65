import crypto from 'node:crypto';
import { describe, expect, test } from 'vitest';
import { EnvSecretStore, KeyringSecretStore, LayeredSecretStore, openSecretStore, SecretStoreUnavailableError } from '../../../src/main/core/secrets/store.ts';

// Runs against the real OS keychain: scripts/test.sh starts a private D-Bus session with GNOME
// Keyring unlocked. Outside it (a developer shell without a Secret Service) the keychain cases
// cannot run; under CI=true that is a failure, not a skip.
const service = `cogniforce-test-${crypto.randomBytes(4).toString('hex')}`;
const keychain = await openSecretStore({}, service);
const available = keychain.status().available;
if (!available && process.env.CI === 'true') {
  throw new Error(`CI=true but no OS keychain is reachable: ${keychain.status().message}`);
}

describe.runIf(available)('OS keychain (Secret Service)', () => {
  test('a secret is stored as its own keychain entry, read back, and deleted', async () => {
    const store = new KeyringSecretStore(service);
    const value = `sk-test-${crypto.randomBytes(12).toString('hex')}`;
    await store.set('openai-api-key', value);
    expect(await store.get('openai-api-key')).toBe(value);
    expect(await store.has('openai-api-key')).toBe(true);
    // A second store instance (another process in real life) sees the same entry.
    expect(await new KeyringSecretStore(service).get('openai-api-key')).toBe(value);
    await store.delete('openai-api-key');
    expect(await store.get('openai-api-key')).toBeNull();
  });

  test('entries are per secret: setting one leaves the others alone', async () => {
    const store = new KeyringSecretStore(service);
    await store.set('salt', 'salt-value');
    await store.set('embedded-db-password', 'pw-value');
    expect(await store.get('salt')).toBe('salt-value');
    expect(await store.get('embedded-db-password')).toBe('pw-value');
    await store.delete('salt');
    expect(await store.get('embedded-db-password')).toBe('pw-value');
    await store.delete('embedded-db-password');
  });

  test('environment values override the keychain for headless jobs', async () => {
    const store = new LayeredSecretStore(new KeyringSecretStore(service), new EnvSecretStore({ ANALYTICS_SALT: 'from-env' }));
    await store.set('salt', 'from-keychain');
    expect(await store.get('salt')).toBe('from-env');
    await store.delete('salt');
  });
});

describe('without a keychain', () => {
  test('secrets come from the environment only and cannot be saved, with an actionable message', async () => {
    const store = new EnvSecretStore({ OPENAI_API_KEY: 'sk-env' });
    expect(await store.get('openai-api-key')).toBe('sk-env');
    expect(store.status().available).toBe(false);
    await expect(store.set('salt', 'x')).rejects.toThrow(SecretStoreUnavailableError);
    await expect(store.set('salt', 'x')).rejects.toThrow(/ANALYTICS_SALT/);
  });
});
