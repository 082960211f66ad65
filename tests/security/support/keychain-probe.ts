import { AsyncEntry } from '@napi-rs/keyring';
import { openSecretStore, SECRET_KEYS } from '../../../src/main/core/secrets/store.ts';

// Run in a child process whose environment the test controls (no D-Bus session, say): opens the
// secret store the way the app does, tries to save every secret and prints what happened as JSON.

const value = process.argv[2] ?? 'probe-value-that-must-not-land-on-disk';
const store = await openSecretStore(process.env, process.argv[3] ?? 'cogniforce-probe');
const attempts: Array<{ key: string; saved: boolean; error: string | null; errorName: string | null }> = [];
for (const key of SECRET_KEYS) {
  try {
    await store.set(key, value);
    attempts.push({ key, saved: true, error: null, errorName: null });
    await store.delete(key);
  } catch (error) {
    attempts.push({ key, saved: false, error: error instanceof Error ? error.message : String(error), errorName: error instanceof Error ? error.name : null });
  }
}
const fromEnv = { openai: await store.get('openai-api-key'), salt: await store.get('salt') };

// Whether this process could have used the Linux kernel keyring (in memory, gone at reboot),
// which the keyring binding falls back to by itself unless the store is pinned.
let kernelKeyring = false;
if (process.platform === 'linux') {
  try {
    const entry = new AsyncEntry('cogniforce-probe-kernel', 'probe', { linux: { store: 'keyutils' } });
    await entry.setPassword('x');
    kernelKeyring = (await entry.getPassword()) === 'x';
    await entry.deletePassword();
  } catch {
    kernelKeyring = false;
  }
}
process.stdout.write(`${JSON.stringify({ status: store.status(), attempts, fromEnv, kernelKeyring })}\n`);
