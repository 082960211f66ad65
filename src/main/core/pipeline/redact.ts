import { isIPv6 } from 'node:net';

// Redaction of structured personal data and secrets (SPEC §4.2). Runs on every piece of text
// before it can leave the machine. Each detector is a single-pass regular expression, written so
// that the engine cannot backtrack catastrophically (bounded repetitions, or a lookbehind that
// allows only one start per run of characters), followed by a validator in code (Luhn, IBAN
// mod 97, octet ranges, phone shapes). A 5 MB text redacts in well under a second.
//
// Detectors run in priority order over a *masked* copy of the text: what one detector takes is
// overwritten with a private-use character, so later detectors cannot match inside it (a card
// number inside a URL stays part of the URL) and spans never overlap. The output is built once
// from the original text and the accepted spans.
//
// Look-alikes that must survive: dates (2026-11-22, 22.11.2026, 2026. november 22.), times,
// version numbers (1.2.3, v10.0.19045), prices (1 299 Ft, €12.50, $1,299.00), counts,
// percentages, short numbers, ordinary words and URLs' hosts. The labelled corpus in
// tests/unit/pipeline/redaction-corpus.ts measures recall and precision per type.

export const REDACTION_TYPES = ['EMAIL', 'PHONE', 'IBAN', 'CARD', 'IP', 'URL', 'SECRET', 'NUMBER'] as const;
export type RedactionType = (typeof REDACTION_TYPES)[number];

export interface RedactionSpan {
  /** Offsets into the original text, [start, end). */
  start: number;
  end: number;
  type: RedactionType;
  /** What replaces the span in the output. */
  replacement: string;
}

export interface RedactionResult {
  text: string;
  counts: Record<RedactionType, number>;
  /** Accepted spans in text order (useful for tests and for showing what was removed). */
  spans: RedactionSpan[];
}

/** The placeholder for each type. URLs keep scheme and host: `https://example.com/[…]`. */
export const PLACEHOLDERS: Record<RedactionType, string> = {
  EMAIL: '[EMAIL]',
  PHONE: '[PHONE]',
  IBAN: '[IBAN]',
  CARD: '[CARD]',
  IP: '[IP]',
  URL: '[…]',
  SECRET: '[SECRET]',
  NUMBER: '[NUMBER]',
};

type Detector = (masked: string) => RedactionSpan[];

const MASK = '\uE000';

// --- Helpers ----------------------------------------------------------------------------------

function span(start: number, end: number, type: RedactionType, replacement = PLACEHOLDERS[type]): RedactionSpan {
  return { start, end, type, replacement };
}

/**
 * Runs a global regex and hands each match to `accept`. When `accept` returns null the search
 * resumes one character after the match start (not after its end), so a rejected greedy
 * candidate cannot hide a valid one inside it. Every regex used here has bounded work per start
 * position, so this stays linear.
 */
function scan(masked: string, re: RegExp, accept: (m: RegExpExecArray) => RedactionSpan | RedactionSpan[] | null): RedactionSpan[] {
  const out: RedactionSpan[] = [];
  re.lastIndex = 0;
  let m: RegExpExecArray | null;
  while ((m = re.exec(masked)) !== null) {
    const result = accept(m);
    if (result === null) {
      re.lastIndex = m.index + 1;
      continue;
    }
    const spans = Array.isArray(result) ? result : [result];
    for (const s of spans) out.push(s);
    const end = spans.reduce((e, s) => Math.max(e, s.end), m.index + 1);
    re.lastIndex = Math.max(end, m.index + 1);
  }
  return out;
}

function digitsOf(s: string): string {
  return s.replace(/\D+/g, '');
}

export function luhnValid(digits: string): boolean {
  let sum = 0;
  let double = false;
  for (let i = digits.length - 1; i >= 0; i--) {
    let d = digits.charCodeAt(i) - 48;
    if (d < 0 || d > 9) return false;
    if (double) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
    double = !double;
  }
  return digits.length > 0 && sum % 10 === 0;
}

// --- Secrets ----------------------------------------------------------------------------------

// A PEM private key block runs from its BEGIN line to the next END line (looked up with
// indexOf, remembered across BEGIN lines, so many BEGINs cost one pass). When the END line is
// missing or implausibly far (a truncated paste), the base64 lines that follow BEGIN are taken
// instead (each token maximal, so the match cannot backtrack).
const PRIVATE_KEY_BEGIN_RE = /-----BEGIN [A-Z0-9 ]{0,40}PRIVATE KEY(?: BLOCK)?-----/g;
const PRIVATE_KEY_END_RE = /-----END [A-Z0-9 ]{0,40}PRIVATE KEY(?: BLOCK)?-----/g;
const PRIVATE_KEY_BODY_RE = /(?:\s+[A-Za-z0-9+/]{16,}={0,2}(?=\s|$))*(?:\s+[A-Za-z0-9+/]{1,15}={1,2}(?=\s|$))?/y;
const MAX_PRIVATE_KEY_CHARS = 20_000;

// Vendor-prefixed keys. The token classes are not followed by anything, so there is nothing to
// backtrack into; a post-check requires a digit (random keys have them, hyphenated words not).
const PREFIXED_KEY_RE =
  /(?<![A-Za-z0-9_-])(?:sk-[A-Za-z0-9_-]{16,}|[sr]k_(?:live|test)_[A-Za-z0-9]{16,}|gh[pousr]_[A-Za-z0-9]{30,}|github_pat_[A-Za-z0-9_]{30,}|(?:AKIA|ASIA)[A-Z0-9]{16}(?![A-Za-z0-9])|xox[abposr]-[A-Za-z0-9-]{10,}|AIza[0-9A-Za-z_-]{30,}|glpat-[A-Za-z0-9_-]{20,}|hf_[A-Za-z0-9]{30,})/g;

const JWT_RE = /(?<![A-Za-z0-9_-])eyJ[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]*/g;

// "Authorization: Bearer <token>", "Basic <base64>". Only the token is replaced.
const BEARER_RE = /(?:\bbearer|\bbasic|authorization:[ \t]{0,3}token)[ \t]{1,4}([A-Za-z0-9._~+/-]{8,}=*)/dgi;

// key = value and key: value pairs whose key names a secret. Keys may carry a prefix
// (DB_PASSWORD, spring.datasource.password, --password) and quotes (JSON). The value is replaced,
// the key kept so the reader still sees what was there. An unquoted value runs through '&'
// unless what follows looks like the next query parameter (token=abc&user=5), so a libpq
// "password=Tr0ub4dor&3 dbname=…" loses its whole password.
const SECRET_KEYS =
  'password|passwd|passwort|kennwort|pgpassword|pwd|pass|passphrase|jelsz(?:[oó]|av(?:a|am|ad|unk))|secret|client[_-]?secret|api[_-]?key|apikey|access[_-]?key|secret[_-]?key|private[_-]?key|auth[_-]?token|access[_-]?token|refresh[_-]?token|id[_-]?token|session[_-]?token|token|authorization|credentials?';
const KEY_VALUE_RE = new RegExp(
  `(?<![\\p{L}\\p{N}_.-])-{0,2}(?:[A-Za-z0-9]+[_.-]){0,6}(?:${SECRET_KEYS})["']?[ \\t]{0,3}([=:])[ \\t]{0,3}(?:"([^"\\n]{1,300})"|'([^'\\n]{1,300})'|((?:[^\\s"'<>,;&(){}\\[\\]]|&(?![A-Za-z_][A-Za-z0-9_.-]{0,40}=)){1,300}))`,
  'dgiu',
);

/** Random-looking: has a digit or a symbol, or a lower→upper case change (base64, camel noise). */
function looksRandom(token: string): boolean {
  return /\d/.test(token) || /[._~+/=!@#$%^&*?-]/.test(token) || /\p{Ll}\p{Lu}/u.test(token);
}

const detectPrivateKeys: Detector = (masked) => {
  let nextEnd: { start: number; end: number } | null = null;
  return scan(masked, PRIVATE_KEY_BEGIN_RE, (m) => {
    const afterBegin = m.index + m[0].length;
    if (nextEnd === null || nextEnd.start < afterBegin) {
      PRIVATE_KEY_END_RE.lastIndex = afterBegin;
      const end = PRIVATE_KEY_END_RE.exec(masked);
      nextEnd = end ? { start: end.index, end: end.index + end[0].length } : { start: Infinity, end: Infinity };
    }
    if (nextEnd.end - m.index <= MAX_PRIVATE_KEY_CHARS) return span(m.index, nextEnd.end, 'SECRET');
    PRIVATE_KEY_BODY_RE.lastIndex = afterBegin;
    const body = PRIVATE_KEY_BODY_RE.exec(masked);
    return span(m.index, afterBegin + (body?.[0].length ?? 0), 'SECRET');
  });
};

const detectPrefixedKeys: Detector = (masked) =>
  scan(masked, PREFIXED_KEY_RE, (m) => (/\d/.test(m[0]) ? span(m.index, m.index + m[0].length, 'SECRET') : null));

const detectJwts: Detector = (masked) => scan(masked, JWT_RE, (m) => span(m.index, m.index + m[0].length, 'SECRET'));

const detectBearer: Detector = (masked) =>
  scan(masked, BEARER_RE, (m) => {
    const [s, e] = m.indices?.[1] ?? [0, 0];
    const token = m[1] ?? '';
    return token && looksRandom(token) && !token.includes(MASK) ? span(s, e, 'SECRET') : null;
  });

const detectKeyValues: Detector = (masked) =>
  scan(masked, KEY_VALUE_RE, (m) => {
    const separator = m[1];
    const groupIndex = m[2] !== undefined ? 2 : m[3] !== undefined ? 3 : 4;
    const value = m[groupIndex] ?? '';
    const bounds = m.indices?.[groupIndex];
    if (!bounds || value.trim() === '' || value.includes(MASK)) return null;
    const quoted = groupIndex !== 4;
    if (!quoted) {
      // "password=x" is a secret whatever x is; "password: reset it" is prose, so an unquoted
      // value after a colon must look random and be at least 6 characters long.
      if (separator === ':' && (value.length < 6 || !looksRandom(value))) return null;
      if (separator === '=' && value.length < 3) return null;
      if (/^(?:null|none|true|false|undefined|\*+|x+|\.{3}|…|<[^>]*>|\$\{[^}]*\}?)$/i.test(value)) return null;
    }
    return span(bounds[0], bounds[1], 'SECRET');
  });

// --- URLs -------------------------------------------------------------------------------------

const URL_RE =
  /(?<![\p{L}\p{N}_.+-])(?:(?:https?|ftps?|sftp|wss?|ssh|file|postgres(?:ql)?|mysql|mariadb|mongodb(?:\+srv)?|redis|rediss|amqps?|smb|jdbc:[a-z]{2,12}):\/\/|www\.)[^\s<>"'`{}|\\^\uE000]+/giu;

// Host names without a scheme but followed by a path (github.com/org/repo, index.hu/belfold/…).
// The TLD list keeps file names (main.ts/…, node.js/…) out.
const BARE_URL_RE =
  /(?<![\p{L}\p{N}_.@/:-])(?:[a-z0-9][a-z0-9-]{0,62}\.){1,6}(?:com|org|net|io|hu|de|at|ch|uk|eu|dev|app|ai|gov|edu|info|biz|me|co|us|fr|it|es|nl|pl|ro|sk|cz)\/[^\s<>"'`{}|\\^\uE000]*/giu;

/**
 * Closing punctuation at the end of a URL is nearly always the sentence's, not the URL's; a
 * closing bracket belongs to the URL only when it balances one inside it ("wiki/A_(b)").
 */
function trimUrl(url: string): string {
  const count = (ch: string): number => url.split(ch).length - 1;
  let parens = count('(') - count(')');
  let brackets = count('[') - count(']');
  let end = url.length;
  for (;;) {
    const ch = url[end - 1];
    if (ch === undefined) break;
    if ('.,;:!?\'"*'.includes(ch)) end--;
    else if (ch === ')' && parens < 0) {
      parens++;
      end--;
    } else if (ch === ']' && brackets < 0) {
      brackets++;
      end--;
    } else break;
  }
  return url.slice(0, end);
}

function hostReplacement(host: string): string {
  const bare = host.startsWith('[') && host.endsWith(']') ? host.slice(1, -1) : host;
  if (IPV4_EXACT_RE.test(bare) || isIPv6(bare)) return PLACEHOLDERS.IP;
  return host.toLowerCase();
}

function urlSpan(start: number, url: string): RedactionSpan | null {
  const schemeEnd = url.indexOf('://');
  const prefix = schemeEnd >= 0 ? url.slice(0, schemeEnd + 3) : '';
  const rest = schemeEnd >= 0 ? url.slice(schemeEnd + 3) : url;
  const authorityEnd = rest.search(/[/?#]/);
  const authority = authorityEnd >= 0 ? rest.slice(0, authorityEnd) : rest;
  const tail = authorityEnd >= 0 ? rest.slice(authorityEnd) : '';
  const at = authority.lastIndexOf('@');
  const userinfo = at >= 0;
  const hostPort = at >= 0 ? authority.slice(at + 1) : authority;
  const host = hostPort.startsWith('[') ? hostPort.slice(0, hostPort.indexOf(']') + 1) : (hostPort.split(':')[0] ?? '');
  const hostOut = hostReplacement(host);
  // Nothing private in "https://example.com" or "https://example.com/": leave it as it is.
  if (!userinfo && (tail === '' || tail === '/') && hostOut === host.toLowerCase()) return null;
  if (host === '') return span(start, start + url.length, 'URL', `${prefix}${PLACEHOLDERS.URL}`);
  return span(start, start + url.length, 'URL', `${prefix.toLowerCase()}${hostOut}/${PLACEHOLDERS.URL}`);
}

const detectUrls: Detector = (masked) =>
  scan(masked, URL_RE, (m) => {
    const url = trimUrl(m[0]);
    return url.length > 0 ? urlSpan(m.index, url) : null;
  });

const detectBareUrls: Detector = (masked) =>
  scan(masked, BARE_URL_RE, (m) => {
    const url = trimUrl(m[0]);
    return urlSpan(m.index, url);
  });

// --- E-mail -----------------------------------------------------------------------------------

// The lookbehind allows one start per run of local-part characters, so the run is scanned once.
const EMAIL_RE = /(?<![\p{L}\p{N}._%+-])[\p{L}\p{N}._%+-]{1,64}@[\p{L}\p{N}-]{1,63}(?:\.[\p{L}\p{N}-]{1,63}){1,8}/gu;

const detectEmails: Detector = (masked) =>
  scan(masked, EMAIL_RE, (m) => {
    let text = m[0];
    const labels = text.slice(text.indexOf('@') + 1).split('.');
    // Hungarian suffixes are joined with a hyphen ("info@pelda.hu-ra"): cut them off the TLD.
    const last = labels[labels.length - 1] ?? '';
    const suffixed = /^(\p{L}{2,})-\p{L}{1,6}$/u.exec(last);
    if (suffixed) labels[labels.length - 1] = suffixed[1] ?? last;
    // The last label must be a TLD (letters): "a@b.c.123" is not an address.
    while (labels.length >= 2 && !/^\p{L}{2,}$/u.test(labels[labels.length - 1] ?? '')) labels.pop();
    if (labels.length < 2) return null;
    const local = text.slice(0, text.indexOf('@'));
    if (local.startsWith('.') || local.endsWith('.')) return null;
    text = `${local}@${labels.join('.')}`;
    return span(m.index, m.index + text.length, 'EMAIL');
  });

// --- IBAN and bank accounts -------------------------------------------------------------------

/** Official IBAN lengths by country (ISO 13616 registry). Unknown countries: 15–34. */
const IBAN_LENGTHS: Record<string, number> = {
  AD: 24, AE: 23, AL: 28, AT: 20, AZ: 28, BA: 20, BE: 16, BG: 22, BH: 22, BR: 29, BY: 28, CH: 21,
  CR: 22, CY: 28, CZ: 24, DE: 22, DK: 18, DO: 28, EE: 20, EG: 29, ES: 24, FI: 18, FO: 18, FR: 27,
  GB: 22, GE: 22, GI: 23, GL: 18, GR: 27, GT: 28, HR: 21, HU: 28, IE: 22, IL: 23, IQ: 23, IS: 26,
  IT: 27, JO: 30, KW: 30, KZ: 20, LB: 28, LC: 32, LI: 21, LT: 20, LU: 20, LV: 21, MC: 27, MD: 24,
  ME: 22, MK: 19, MR: 27, MT: 31, MU: 30, NL: 18, NO: 15, PK: 24, PL: 28, PS: 29, PT: 25, QA: 29,
  RO: 24, RS: 22, SA: 24, SC: 31, SE: 24, SI: 19, SK: 24, SM: 27, ST: 25, SV: 28, TL: 23, TN: 24,
  TR: 26, UA: 29, VA: 22, VG: 24, XK: 20,
};

export function ibanValid(compact: string): boolean {
  const iban = compact.toUpperCase();
  if (!/^[A-Z]{2}\d{2}[A-Z0-9]{11,30}$/.test(iban)) return false;
  const expected = IBAN_LENGTHS[iban.slice(0, 2)];
  if (expected !== undefined && iban.length !== expected) return false;
  const rearranged = iban.slice(4) + iban.slice(0, 4);
  let remainder = 0;
  for (const ch of rearranged) {
    const code = ch.charCodeAt(0);
    const value = code >= 65 ? String(code - 55) : ch;
    for (const digit of value) remainder = (remainder * 10 + (digit.charCodeAt(0) - 48)) % 97;
  }
  return remainder === 1;
}

// Country code, check digits, then groups of up to four with optional single spaces. Upper
// case only, as IBANs are printed; lower-case look-alikes are ordinary words.
const IBAN_RE = /(?<![\p{L}\p{N}])[A-Z]{2}\d{2}(?: ?[A-Z0-9]{4}){2,7}(?: ?[A-Z0-9]{1,4})?(?![\p{L}\p{N}])/gu;

const detectIbans: Detector = (masked) =>
  scan(masked, IBAN_RE, (m) => {
    // Only registered countries: their fixed length tells where the IBAN ends, so a greedy
    // match that swallowed a following word ("… 0000 EUR") is cut at the right place, and each
    // candidate costs one mod-97 check.
    const raw = m[0];
    const length = IBAN_LENGTHS[raw.slice(0, 2)];
    if (length === undefined) return null;
    let compact = 0;
    for (let i = 0; i < raw.length; i++) {
      if (raw[i] === ' ') continue;
      compact++;
      if (compact === length) {
        const next = raw[i + 1];
        if (next !== undefined && next !== ' ') return null; // the cut would split a group
        const candidate = raw.slice(0, i + 1);
        return ibanValid(candidate.replace(/ /g, '')) ? span(m.index, m.index + i + 1, 'IBAN') : null;
      }
    }
    return null;
  });

// Hungarian domestic account numbers: 8-8 or 8-8-8 digits (GIRO). No public check we could
// rely on across banks, so the shape alone decides; reported as a long number.
const HU_ACCOUNT_RE = /(?<![\p{L}\p{N}-])\d{8}-\d{8}(?:-\d{8})?(?![\p{L}\p{N}]|-\d)/gu;

const detectHuAccounts: Detector = (masked) => scan(masked, HU_ACCOUNT_RE, (m) => span(m.index, m.index + m[0].length, 'NUMBER'));

// --- Payment cards ----------------------------------------------------------------------------

// 13–19 digits, either unbroken or printed in the groups issuers use — 4-4-4-4(-3), 4-4-4-1..4
// and Amex/Diners 4-6-5 / 4-6-4 — with one kind of separator (space or dash). Starts with 2–6
// (Mastercard 2/5, Amex/Diners/JCB 3, Visa 4, Discover/UnionPay/Maestro 6). Not glued to other
// digits. The tight shape keeps number tables from producing a candidate at every position. A
// space may follow (two cards in a row, "4111 1111 1111 1111 5555 …", are two cards).
const CARD_RE =
  /(?<![\p{L}\p{N}.,-])[2-6](?:\d{12,18}|\d{3}([ -])\d{4}\1\d{4}\1\d{1,4}(?:\1\d{3})?|\d{3}([ -])\d{6}\2\d{4,5})(?![\p{L}\p{N}]|[.,-]\d)/gu;

/**
 * Lengths each network issues. Keeps Luhn-valid look-alikes out: IMEIs (15 digits, 35…/86…)
 * and EAN-13 barcodes (5…, 9…) — only old Visa cards have 13 digits.
 */
function cardLengthPlausible(digits: string): boolean {
  const len = digits.length;
  if (digits.startsWith('4')) return len === 13 || len === 16 || len === 19; // Visa
  if (/^3[47]/.test(digits)) return len === 15; // Amex
  if (/^3[0689]/.test(digits)) return len >= 14 && len <= 19; // Diners
  if (digits.startsWith('35')) return len >= 16 && len <= 19; // JCB
  if (/^(?:5[1-5]|222[1-9]|22[3-9]\d|2[3-6]\d\d|27[01]\d|2720)/.test(digits)) return len === 16; // Mastercard
  if (/^(?:5[06-9]|6)/.test(digits)) return len >= 16 && len <= 19; // Maestro, Discover, UnionPay
  return false;
}

const detectCards: Detector = (masked) =>
  scan(masked, CARD_RE, (m) => {
    // The optional fifth group may have taken the start of whatever follows
    // ("4111 1111 1111 1111 061/…"): when the whole match fails, try it without that group.
    const raw = m[0];
    const lastSeparator = Math.max(raw.lastIndexOf(' '), raw.lastIndexOf('-'));
    const candidates = (raw.match(/[ -]/g)?.length ?? 0) === 4 ? [raw, raw.slice(0, lastSeparator)] : [raw];
    for (const candidate of candidates) {
      const digits = digitsOf(candidate);
      if (digits.length < 13 || digits.length > 19) continue;
      if (cardLengthPlausible(digits) && luhnValid(digits)) return span(m.index, m.index + candidate.length, 'CARD');
    }
    return null;
  });

// --- IP addresses -----------------------------------------------------------------------------

const OCTET = '(?:25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)';
const IPV4_EXACT_RE = new RegExp(`^${OCTET}(?:\\.${OCTET}){3}$`);
// Not inside a longer dotted number (1.2.3.4.5 is a version, OID or similar).
const IPV4_RE = new RegExp(`(?<![\\p{L}\\p{N}.])${OCTET}(?:\\.${OCTET}){3}(?![\\p{L}\\p{N}]|\\.\\d)`, 'gu');
const VERSION_CONTEXT_RE = /(?:^|[^\p{L}])(?:version|verzió|verzio|ver\.?|release|build|v)\s*$/iu;

// Amounts written with dots as thousands separators ("€12.100.200.100", "12.100.200.100 Ft").
const CURRENCY_BEFORE_RE = /[€$£¥]\s?$/;
const CURRENCY_AFTER_RE = /^[,.]?\d{0,2}\s?(?:Ft|HUF|EUR|USD|GBP|CHF|forint|€|\$)/i;

const detectIpv4: Detector = (masked) =>
  scan(masked, IPV4_RE, (m) => {
    const end = m.index + m[0].length;
    if (VERSION_CONTEXT_RE.test(masked.slice(Math.max(0, m.index - 12), m.index))) return null;
    if (CURRENCY_BEFORE_RE.test(masked.slice(Math.max(0, m.index - 2), m.index)) || CURRENCY_AFTER_RE.test(masked.slice(end, end + 12))) return null;
    return span(m.index, m.index + m[0].length, 'IP');
  });

// Candidates: runs of hex digits, colons and dots that have a colon within their first five
// characters; net.isIPv6 decides. Times (12:30:45) and MAC addresses fail that check.
// Bounded to 45 characters, the longest textual IPv6 address.
const IPV6_RE = /(?<![\p{L}\p{N}_:.])[0-9A-Fa-f]{0,4}:[0-9A-Fa-f:.]{1,41}(?:%[A-Za-z0-9]{1,15})?(?![\p{L}\p{N}_:.])/gu;

const detectIpv6: Detector = (masked) =>
  scan(masked, IPV6_RE, (m) => {
    let candidate = m[0];
    while (candidate.endsWith('.') || (candidate.endsWith(':') && !candidate.endsWith('::'))) candidate = candidate.slice(0, -1);
    const address = candidate.split('%')[0] ?? '';
    if ((address.match(/:/g)?.length ?? 0) < 2 || !/\d/.test(address) || !isIPv6(address)) return null;
    return span(m.index, m.index + candidate.length, 'IP');
  });

// --- Phone numbers ----------------------------------------------------------------------------

// Candidates, by how they start: international (+ or 00 and a country code), domestic with a
// trunk prefix 0 (HU 06…, UK 0…, DE 0…), or North American (NXX-XXX-XXXX, optional 1-).
// Validation splits a candidate into digit groups and accepts the longest prefix of groups that
// has a phone shape, so two numbers next to each other are split correctly.
const PHONE_RE =
  /(?<![\p{L}\p{N}_+.,-]|\d:)(?:\(?(?:\+|00[ -]?)[1-9][\d ()./-]{6,22}\d|\(?0[\d ()./-]{7,22}\d|(?:1[ .-])?\(?[2-9]\d{2}\)?[ .-]?\d{3}[ .-]\d{4}(?![.,]\d))(?![\p{L}\p{N}_])/gu;

// An ISO date inside a candidate means dates in a row ("01/06 1993-09-25 0 db"), not a phone.
const ISO_DATE_IN = /(?:^|\D)(?:19|20)\d{2}-(?:0[1-9]|1[0-2])-(?:0[1-9]|[12]\d|3[01])(?:\D|$)/;

function phoneShape(candidate: string): boolean {
  if (ISO_DATE_IN.test(candidate)) return false;
  let s = candidate;
  const international = s.startsWith('+') || s.startsWith('(+') || /^00[ -]?[1-9]/.test(s);
  // Parentheses only around the first or second group: "(555) 123-4567", "+1 (555) …", "+36 (30) …".
  const firstParen = s.indexOf('(');
  if (firstParen >= 0) {
    const close = s.indexOf(')');
    if (close < firstParen || s.indexOf('(', firstParen + 1) >= 0 || s.indexOf(')', close + 1) >= 0) return false;
    const groupsBefore = s.slice(0, firstParen).split(/[ ./-]+/).filter((g) => /\d/.test(g)).length;
    if (groupsBefore > 1 || close - firstParen > 6) return false;
    s = s.slice(0, firstParen) + s.slice(firstParen + 1, close) + (/[ ./-]/.test(s[close + 1] ?? '') ? '' : ' ') + s.slice(close + 1);
  } else if (s.includes(')')) return false;
  s = s.replace(/^\+/, '');
  // Separators: single characters, or " - " / " / ". Dots are only accepted on their own
  // (555.123.4567): "1.234.567.890" and dotted dates are numbers, not phones.
  const separators = s.match(/\D+/g) ?? [];
  for (const sep of separators) if (!/^(?: |-|\.|\/| - | \/ )$/.test(sep)) return false;
  const dotted = separators.some((sep) => sep === '.');
  if (dotted && separators.some((sep) => sep !== '.')) return false;
  const groups = s.split(/\D+/).filter((g) => g !== '');
  const digits = groups.join('');
  const lengths = groups.map((g) => g.length);
  if (dotted) {
    // 555.123.4567, +1.555.123.4567, +36.30.123.4567, 06.30.123.4567 — never "1.234.567.890".
    if (international) return digits.length >= 9 && digits.length <= 15 && groups.length >= 3 && (lengths[0] ?? 0) <= 3 && lengths.slice(1).every((l) => l >= 2 && l <= 4);
    if (/^[2-9]\d{2}\.\d{3}\.\d{4}$/.test(s)) return true;
    return /^06\.\d{1,2}\.\d{3}\.\d{3,4}$/.test(s);
  }
  if (international) {
    // E.164: country code + national number, at most 15 digits.
    const national = s.startsWith('00') ? digits.slice(2) : digits;
    if (national.length < 8 || national.length > 15) return false;
    // Fixed-length plans, so two numbers in a row split correctly: +36 (HU) 10–11 digits with
    // the country code, +1 (NANP) 11.
    if (national.startsWith('36') && national.length !== 10 && national.length !== 11) return false;
    if (national.startsWith('1') && national.length !== 11) return false;
    if (groups.length === 1) return true;
    if (groups.length > 6) return false;
    // "00" is its own group or joined to the country code ("0036", "00421"), never "006".
    if (s.startsWith('00') && lengths[0] !== 2 && lengths[0] !== 4 && lengths[0] !== 5) return false;
    if (!s.startsWith('00') && (lengths[0] ?? 0) > 4) return false;
    return lengths.every((l) => l <= 8);
  }
  if (digits.length < 9 || digits.length > 12) return false;
  // US/Canada: (NXX) NXX-XXXX, NXX-NXX-XXXX, NXX NXX XXXX, 1-NXX-NXX-XXXX.
  // (The exchange code is not checked: 555-123-4567 is how people write example numbers.)
  if (digits.length === 10 && /^[2-9]\d{9}$/.test(digits) && lengths.join('-') === '3-3-4') return true;
  // With a leading 1, all-space grouping ("1 668 070 2021") is far more often an amount.
  if (digits.length === 11 && /^1[2-9]\d{9}$/.test(digits) && lengths.join('-') === '1-3-3-4') return !/^1 \d{3} \d{3} \d{4}$/.test(s);
  // Hungarian domestic: 06 + area code + 6–7 digits, in any grouping (06 30 123 4567,
  // 06-1-234-5678, 0630/123-4567, 06301234567).
  // A slash only once, right after the area code (0630/…, 06-1/…): "06/21 2014/06" is dates.
  if (digits.startsWith('06')) {
    if ((digits.length !== 10 && digits.length !== 11) || groups.length > 5) return false;
    if (groups.length > 1 && lengths.some((l) => l > 8)) return false;
    const slashes = separators.filter((sep) => sep.includes('/')).length;
    if (slashes > 1) return false;
    if (slashes === 1) {
      const beforeSlash = digitsOf(s.slice(0, s.indexOf('/')));
      if (beforeSlash.length < 3 || beforeSlash.length > 4) return false;
    }
    return true;
  }
  // Other trunk-prefix numbers (UK 020 7946 0958, 07700 900123; DE 030 12345678): the area code
  // is its own group of 3–5 digits and the rest come in groups of 3+, separated by spaces or
  // dashes. That keeps out dates (09/25 1997), thousands (086 695 259) and registration numbers
  // (cégjegyzékszám 01-09-123456).
  if (!digits.startsWith('0') || digits.startsWith('00')) return false;
  if (groups.length < 2 || groups.length > 4 || separators.some((sep) => sep.includes('/'))) return false;
  if ((lengths[0] ?? 0) < 3 || (lengths[0] ?? 0) > 5) return false;
  return lengths.slice(1).every((l) => l >= 3 && l <= 8);
}

const detectPhones: Detector = (masked) =>
  scan(masked, PHONE_RE, (m) => {
    const raw = m[0];
    // Cut points after each digit group with the digit count so far, in one pass. Only cuts
    // with 9–17 digits and at most 7 groups can be phones: a cheap filter that keeps number
    // tables ("0 0 0 0 …") from reaching the full shape check at every position.
    const cuts: Array<{ end: number; digits: number; groups: number }> = [];
    let digits = 0;
    let groups = 0;
    for (let i = 0; i < raw.length; i++) {
      const c = raw.charCodeAt(i);
      if (c < 48 || c > 57) continue;
      digits++;
      const next = raw.charCodeAt(i + 1);
      if (!(next >= 48 && next <= 57)) {
        groups++;
        cuts.push({ end: i + 1, digits, groups });
      }
    }
    // After a 1–3 digit group and a separator, a candidate that continues in 3-digit groups with
    // the same separator is the tail of a bigger number ("HUF 54 698 605 2003", "10 086 695").
    // A candidate that starts at the day of a date ("2010/08/06 75 659 719 Ft") is not a phone;
    // "966-3323/965-752-4694" (two phones) still is: the group before the slash is 4 digits.
    // Only for domestic shapes and a date with one separator throughout ("v1.2.3/+36…" is a phone).
    if (!/^\(?(?:\+|00)/.test(raw) && /(?:^|\D)\d{1,4}([/.-])\d{1,2}\1$/.test(masked.slice(Math.max(0, m.index - 12), m.index))) return null;
    const before = /(?:^|\D)\d{1,3}([ .,\u00a0])$/.exec(masked.slice(Math.max(0, m.index - 5), m.index));
    if (before && /^\d{3}/.test(raw) && raw[3] === before[1]) return null;
    for (let k = cuts.length - 1; k >= 0; k--) {
      const cut = cuts[k] as { end: number; digits: number; groups: number };
      if (cut.digits < 9) break;
      if (cut.digits > 17 || cut.groups > 7) continue;
      const candidate = raw.slice(0, cut.end);
      // A cut ending on a year that a date continues ("HUF 259 008 2019-05-08", "… 2013/06/23")
      // is an amount and a date, not a phone.
      const after = masked.slice(m.index + cut.end, m.index + cut.end + 9);
      if (/^(?:([-/])\d{1,2}\1\d{1,2}(?!\d)|\. ?\d{1,2}\. ?\d{1,2}(?!\d))/.test(after) && /(?:^|\D)(?:19|20)\d{2}$/.test(candidate)) continue;
      // A cut must not leave a parenthesis open.
      if ((candidate.match(/\(/g)?.length ?? 0) !== (candidate.match(/\)/g)?.length ?? 0)) continue;
      if (phoneShape(candidate)) return span(m.index, m.index + candidate.length, 'PHONE');
    }
    return null;
  });

// --- Long numbers -----------------------------------------------------------------------------

// Nine or more digits in a row (account, customer, ID numbers). Not the fraction of a decimal
// (3.14159265358) and not the tail of a UUID (…-446655440000).
const NUMBER_RE = /(?<![\p{L}\p{N}_]|\d[.,]|[0-9A-Fa-f]{4}-)\d{9,}(?![\p{L}\p{N}_])/gu;

const detectNumbers: Detector = (masked) => scan(masked, NUMBER_RE, (m) => span(m.index, m.index + m[0].length, 'NUMBER'));

// --- Driver -----------------------------------------------------------------------------------

/** Detectors in priority order, each with a cheap pre-check so unrelated text costs nothing. */
const DETECTORS: Array<{ detect: Detector; applies: (text: string) => boolean }> = [
  { detect: detectPrivateKeys, applies: (t) => t.includes('PRIVATE KEY-----') || t.includes('PRIVATE KEY BLOCK-----') },
  { detect: detectUrls, applies: (t) => t.includes('://') || /www\./i.test(t) },
  { detect: detectBareUrls, applies: (t) => t.includes('/') && t.includes('.') },
  { detect: detectJwts, applies: (t) => t.includes('eyJ') },
  { detect: detectPrefixedKeys, applies: (t) => /sk-|[sr]k_|gh[pousr]_|github_pat_|AKIA|ASIA|xox|AIza|glpat-|hf_/.test(t) },
  { detect: detectBearer, applies: (t) => /bearer|basic|authorization/i.test(t) },
  { detect: detectKeyValues, applies: (t) => /pass|pwd|jelsz|secret|key|token|auth|credential|kennwort/i.test(t) },
  { detect: detectEmails, applies: (t) => t.includes('@') },
  { detect: detectIbans, applies: () => true },
  { detect: detectHuAccounts, applies: (t) => t.includes('-') },
  { detect: detectCards, applies: () => true },
  // IPv6 first: "::ffff:192.0.2.128" is one address, not an IPv4 one with a prefix.
  { detect: detectIpv6, applies: (t) => t.includes(':') },
  { detect: detectIpv4, applies: (t) => t.includes('.') },
  { detect: detectPhones, applies: () => true },
  { detect: detectNumbers, applies: () => true },
];

const DIGIT_DETECTORS = new Set<Detector>([detectIbans, detectHuAccounts, detectCards, detectIpv4, detectIpv6, detectPhones, detectNumbers]);

function applyMask(text: string, spans: readonly RedactionSpan[]): string {
  const sorted = [...spans].sort((a, b) => a.start - b.start);
  const parts: string[] = [];
  let at = 0;
  for (const s of sorted) {
    parts.push(text.slice(at, s.start), MASK.repeat(s.end - s.start));
    at = s.end;
  }
  parts.push(text.slice(at));
  return parts.join('');
}

function emptyCounts(): Record<RedactionType, number> {
  return { EMAIL: 0, PHONE: 0, IBAN: 0, CARD: 0, IP: 0, URL: 0, SECRET: 0, NUMBER: 0 };
}

/**
 * Replaces personal data and secrets with typed placeholders. Pure and deterministic;
 * counts are the number of replaced spans per type.
 */
export function redact(text: string): RedactionResult {
  let masked = text.includes(MASK) ? text.replaceAll(MASK, ' ') : text;
  const accepted: RedactionSpan[] = [];
  // Digits are needed by every detector except URLs, e-mails and some secrets; skip the
  // digit-only ones on digit-free text.
  const hasDigit = /\d/.test(masked);
  for (const { detect, applies } of DETECTORS) {
    if (!applies(masked)) continue;
    if (!hasDigit && DIGIT_DETECTORS.has(detect)) continue;
    const found = detect(masked);
    if (found.length === 0) continue;
    for (const f of found) accepted.push(f);
    masked = applyMask(masked, found);
  }
  accepted.sort((a, b) => a.start - b.start);
  const counts = emptyCounts();
  const parts: string[] = [];
  let at = 0;
  for (const s of accepted) {
    counts[s.type]++;
    parts.push(text.slice(at, s.start), s.replacement);
    at = s.end;
  }
  parts.push(text.slice(at));
  return { text: parts.join(''), counts, spans: accepted };
}
