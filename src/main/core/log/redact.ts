// Masks secrets in anything on its way to a log file. Logs end up in diagnostics bundles and
// support tickets, so a password, key or salt must never reach them, whatever a caller passes:
// values under secret-sounding keys are replaced, and strings are scrubbed for things that look
// like credentials (bearer tokens, sk-… keys, passwords inside URLs, key=value pairs).

export const REDACTED = '[REDACTED]';

/**
 * Object keys whose values are secrets, however they are spelled (apiKey, api_key, X-Api-Key,
 * accessToken…). `token` and `salt` only at the end: `inputTokens` is a count worth logging.
 */
const SECRET_KEY = /pass(word|wd|phrase)?$|^pwd$|token$|api[-_]?key|authori[sz]ation|secret|salt$|cookie|credential|private[-_]?key/i;

const STRING_RULES: Array<[RegExp, string]> = [
  // scheme://user:password@host → keep the user, drop the password.
  [/\b([a-z][a-z0-9+.-]*:\/\/[^\s:/@]*):[^\s@/]+@/gi, `$1:${REDACTED}@`],
  [/\bBearer\s+[A-Za-z0-9._~+/=-]{6,}/gi, `Bearer ${REDACTED}`],
  [/\bBasic\s+[A-Za-z0-9+/=]{8,}/g, `Basic ${REDACTED}`],
  // OpenAI-style keys (sk-, sk-proj-…), GitHub tokens, AWS access key ids.
  [/\b(sk|rk|pk)-[A-Za-z0-9_-]{8,}/g, REDACTED],
  [/\bgh[pousr]_[A-Za-z0-9]{20,}/g, REDACTED],
  [/\bAKIA[0-9A-Z]{16}\b/g, REDACTED],
  // password=…, "apiKey": "…", token: … inside free text (query strings, JSON dumps, env listings).
  [
    /((?:pass(?:word|wd)?|pwd|token|api[-_]?key|secret|salt|authorization)["']?\s*[:=]\s*["']?)((?:(?:Bearer|Basic)\s+)?[^\s"'&,;}]+)/gi,
    `$1${REDACTED}`,
  ],
];

export function redactText(text: string): string {
  let out = text;
  for (const [pattern, replacement] of STRING_RULES) out = out.replace(pattern, replacement);
  return out;
}

const MAX_DEPTH = 6;

/**
 * A redacted copy of `value`. Never mutates the input (the caller may still use it). Errors
 * become plain Errors with redacted message and stack, so the file transport still prints them.
 */
export function redactValue(value: unknown, depth = 0, seen: WeakSet<object> = new WeakSet()): unknown {
  if (typeof value === 'string') return redactText(value);
  if (typeof value !== 'object' || value === null) return value;
  if (seen.has(value)) return '[Circular]';
  if (depth >= MAX_DEPTH) return '[Object]';
  seen.add(value);
  if (value instanceof Error) {
    const copy = new Error(redactText(value.message));
    copy.name = value.name;
    copy.stack = value.stack ? redactText(value.stack) : undefined;
    return copy;
  }
  if (value instanceof Date) return value;
  if (Array.isArray(value)) return value.map((item) => redactValue(item, depth + 1, seen));
  if (value instanceof Map) {
    return new Map([...value].map(([k, v]) => [k, typeof k === 'string' && SECRET_KEY.test(k) ? REDACTED : redactValue(v, depth + 1, seen)]));
  }
  const out: Record<string, unknown> = {};
  for (const [key, item] of Object.entries(value)) {
    out[key] = SECRET_KEY.test(key) && item !== null && item !== undefined && item !== '' ? REDACTED : redactValue(item, depth + 1, seen);
  }
  return out;
}
