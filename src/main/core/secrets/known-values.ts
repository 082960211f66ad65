import type { Settings } from '../config/settings.ts';
import { REDACTED, redactText } from '../log/redact.ts';
import { SECRET_ENV, SECRET_KEYS, type SecretStore } from './store.ts';

// Pattern-based redaction (log/redact.ts) catches what looks like a credential; it cannot know
// that a random hex string is this workstation's salt. Text that leaves the machine on purpose
// (the diagnostics bundle) or is shown back (the log viewer) is therefore also scrubbed for the
// actual secret values this process knows: keychain entries, their environment fallbacks and
// passwords inside the configured database URLs.

/** Shorter values would blank out ordinary words; passwords that short are not protected anyway. */
const MIN_SCRUB_LENGTH = 4;

/** Environment variables whose whole value is a secret or a URL that may carry one. */
const SECRET_ENV_VARIABLES = Object.values(SECRET_ENV).filter((name): name is string => typeof name === 'string');
const URL_ENV_VARIABLES = ['DATABASE_URL', 'COGNIFORCE_DATABASE_URL'];

function urlPassword(url: string | undefined): string | null {
  if (!url) return null;
  const match = /^[a-z][a-z0-9+.-]*:\/\/[^:/@\s]*:([^@\s]+)@/i.exec(url.trim());
  if (!match?.[1]) return null;
  try {
    return decodeURIComponent(match[1]);
  } catch {
    return match[1];
  }
}

/** Every secret value this process can see, never logged or returned; for scrubbing only. */
export async function knownSecretValues(secrets: SecretStore, settings: Settings, env: NodeJS.ProcessEnv = process.env): Promise<string[]> {
  const values = new Set<string>();
  const add = (value: string | null | undefined): void => {
    if (value && value.length >= MIN_SCRUB_LENGTH) values.add(value);
  };
  for (const key of SECRET_KEYS) add(await secrets.get(key).catch(() => null));
  for (const name of SECRET_ENV_VARIABLES) add(env[name]);
  for (const name of URL_ENV_VARIABLES) add(urlPassword(env[name]));
  add(urlPassword(settings.source.url));
  add(urlPassword(settings.analytics.url));
  return [...values];
}

/** Forms a value takes in text: as is, URL-encoded (inside a connection string), JSON-escaped. */
function variants(value: string): string[] {
  const forms = new Set([value, encodeURIComponent(value), JSON.stringify(value).slice(1, -1)]);
  return [...forms].filter((form) => form.length >= MIN_SCRUB_LENGTH);
}

/** A function that redacts credential-looking text and every known secret value. */
export function secretScrubber(values: readonly string[]): (text: string) => string {
  // Longest first, so a secret that contains another is replaced whole.
  const forms = [...new Set(values.flatMap(variants))].sort((a, b) => b.length - a.length);
  return (text: string): string => {
    let out = text;
    for (const form of forms) if (out.includes(form)) out = out.split(form).join(REDACTED);
    return redactText(out);
  };
}
