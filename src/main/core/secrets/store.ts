import { AsyncEntry } from '@napi-rs/keyring';
import { withTimeout } from '../time/timeout.ts';

// Secrets live only in the OS keychain (one entry per secret) or, for headless use, in
// environment variables. Nothing here ever writes a secret to disk or to a log.

export const SECRET_SERVICE = 'cogniforce-analytics';

export const SECRET_KEYS = ['openai-api-key', 'source-db-password', 'analytics-db-password', 'salt', 'embedded-db-password'] as const;
export type SecretKey = (typeof SECRET_KEYS)[number];

/** Headless fallback: the environment variable that may carry each secret. */
export const SECRET_ENV: Partial<Record<SecretKey, string>> = {
  'openai-api-key': 'OPENAI_API_KEY',
  salt: 'ANALYTICS_SALT',
  'embedded-db-password': 'COGNIFORCE_EMBEDDED_DB_PASSWORD',
};

export interface SecretStoreStatus {
  backend: 'os-keychain' | 'environment' | 'memory';
  available: boolean;
  /** What a person should do when the keychain is not available. */
  message: string;
}

export interface SecretStore {
  get(key: SecretKey): Promise<string | null>;
  set(key: SecretKey, value: string): Promise<void>;
  delete(key: SecretKey): Promise<void>;
  /** Whether a value is set, without revealing it (the renderer only ever sees this). */
  has(key: SecretKey): Promise<boolean>;
  status(): SecretStoreStatus;
}

export class SecretStoreUnavailableError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SecretStoreUnavailableError';
  }
}

const NO_KEYCHAIN_MESSAGE =
  'No OS keychain is available (on Linux a Secret Service such as GNOME Keyring or KWallet must be running and unlocked). ' +
  'Secrets cannot be saved; for headless use set OPENAI_API_KEY, ANALYTICS_SALT and the database URLs as environment variables.';

/**
 * On Linux the binding would silently fall back from the Secret Service to the kernel keyring,
 * which lives in memory and forgets everything at reboot: a generated salt or embedded-database
 * password would be lost. Pinned to the Secret Service, an unavailable one fails instead, and
 * openSecretStore says so. Ignored on other platforms.
 */
const ENTRY_OPTIONS = { linux: { store: 'secret-service' } } as const;

/** The OS keychain through @napi-rs/keyring: macOS Keychain, Windows Credential Manager, Secret Service. */
export class KeyringSecretStore implements SecretStore {
  constructor(private readonly service: string = SECRET_SERVICE) {}

  private entry(key: SecretKey): AsyncEntry {
    return new AsyncEntry(this.service, key, ENTRY_OPTIONS);
  }

  async get(key: SecretKey): Promise<string | null> {
    return (await this.entry(key).getPassword()) ?? null;
  }

  async set(key: SecretKey, value: string): Promise<void> {
    if (value.length === 0) throw new Error('A secret cannot be empty.');
    await this.entry(key).setPassword(value);
  }

  async delete(key: SecretKey): Promise<void> {
    await this.entry(key).deletePassword();
  }

  async has(key: SecretKey): Promise<boolean> {
    return (await this.get(key)) !== null;
  }

  status(): SecretStoreStatus {
    return { backend: 'os-keychain', available: true, message: 'Secrets are kept in the OS keychain.' };
  }
}

/** Read-only view of secrets passed in the environment (headless workstations, CI). */
export class EnvSecretStore implements SecretStore {
  constructor(
    private readonly env: NodeJS.ProcessEnv = process.env,
    private readonly reason: string = NO_KEYCHAIN_MESSAGE,
  ) {}

  async get(key: SecretKey): Promise<string | null> {
    const name = SECRET_ENV[key];
    const value = name ? this.env[name] : undefined;
    return value && value.length > 0 ? value : null;
  }

  async set(_key: SecretKey, _value: string): Promise<void> {
    throw new SecretStoreUnavailableError(this.reason);
  }

  async delete(_key: SecretKey): Promise<void> {
    throw new SecretStoreUnavailableError(this.reason);
  }

  async has(key: SecretKey): Promise<boolean> {
    return (await this.get(key)) !== null;
  }

  status(): SecretStoreStatus {
    return { backend: 'environment', available: false, message: this.reason };
  }
}

/** Environment values win over the keychain, so a headless job can override one secret. */
export class LayeredSecretStore implements SecretStore {
  constructor(
    private readonly primary: SecretStore,
    private readonly env: EnvSecretStore,
  ) {}

  async get(key: SecretKey): Promise<string | null> {
    return (await this.env.get(key)) ?? (await this.primary.get(key));
  }

  set(key: SecretKey, value: string): Promise<void> {
    return this.primary.set(key, value);
  }

  delete(key: SecretKey): Promise<void> {
    return this.primary.delete(key);
  }

  async has(key: SecretKey): Promise<boolean> {
    return (await this.get(key)) !== null;
  }

  status(): SecretStoreStatus {
    return this.primary.status();
  }
}

/** Tests and the demo: secrets held in memory for the life of the process only. */
export class MemorySecretStore implements SecretStore {
  private readonly values = new Map<SecretKey, string>();

  async get(key: SecretKey): Promise<string | null> {
    return this.values.get(key) ?? null;
  }

  async set(key: SecretKey, value: string): Promise<void> {
    this.values.set(key, value);
  }

  async delete(key: SecretKey): Promise<void> {
    this.values.delete(key);
  }

  async has(key: SecretKey): Promise<boolean> {
    return this.values.has(key);
  }

  status(): SecretStoreStatus {
    return { backend: 'memory', available: true, message: 'Secrets are held in memory for this session only.' };
  }
}

/**
 * Probes the OS keychain by writing and deleting a probe entry: without a Secret Service a read
 * quietly answers "nothing stored" while a write fails. Any failure (no D-Bus, locked or missing
 * Secret Service) means "not available": fall back to the environment and say so, never to a file.
 */
export async function openSecretStore(env: NodeJS.ProcessEnv = process.env, service: string = SECRET_SERVICE): Promise<SecretStore> {
  const keychain = new KeyringSecretStore(service);
  const envStore = new EnvSecretStore(env);
  try {
    const probe = new AsyncEntry(service, 'keychain-probe', ENTRY_OPTIONS);
    await withTimeout(probe.setPassword(String(Date.now())), 3_000, 'the keychain');
    await withTimeout(probe.deletePassword(), 3_000, 'the keychain');
    return new LayeredSecretStore(keychain, envStore);
  } catch (error) {
    const detail = error instanceof Error ? ` (${error.message})` : '';
    return new EnvSecretStore(env, `${NO_KEYCHAIN_MESSAGE}${detail}`);
  }
}

