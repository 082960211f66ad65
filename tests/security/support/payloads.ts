import os from 'node:os';
import path from 'node:path';
import fc from 'fast-check';
import type { Channel } from '../../../src/shared/channels.ts';
import type { ArgsIn } from '../../../src/shared/contract.ts';

// Payloads for fuzzing the console's channels: valid examples per channel (chosen to be harmless
// when they run: no new database, no network), random values of every shape, and mutations of
// the valid examples (a key dropped or added, a value replaced by something hostile, the whole
// payload re-typed), which stay close enough to valid to reach the deeper checks.

const HASH = 'a'.repeat(64);
const DAY = '2026-01-05';

/** At least one valid payload per channel; the fuzz test fails for a channel that has none. */
export const VALID: { [C in Channel]?: Array<ArgsIn<C>> } = {
  'app.info': [{}],
  'settings.get': [{}],
  'settings.update': [
    { patch: { value: { hourlyRate: 42, currency: 'EUR' }, reports: { organisationName: 'Fuzz Kft.', excelBom: true } } },
    { patch: { processing: { idleThresholdMinutes: 12, readingWpm: 230 }, schedule: { notifyOnFailure: true } } },
  ],
  'secrets.status': [{}],
  'secrets.set': [{ key: 'openai-api-key', value: 'sk-fuzz-0123456789abcdef' }],
  'secrets.delete': [{ key: 'analytics-db-password' }],
  'setup.testSource': [{}],
  'setup.testAnalytics': [{ mode: 'embedded' }],
  'setup.testLlm': [{ estimator: 'heuristic' }],
  'setup.migrate': [{}],
  'dialog.pickSqliteFile': [{}],
  'dashboard.summary': [{ from: DAY, to: DAY }, { from: DAY, to: '2026-01-09', user: HASH }],
  'dashboard.trend': [{ from: DAY, to: '2026-01-09' }],
  'dashboard.topUsers': [{ from: DAY, to: DAY, limit: 5 }],
  'dashboard.categories': [{ from: DAY, to: DAY }],
  'dashboard.models': [{ from: DAY, to: DAY, user: HASH }],
  'users.list': [{ page: 0, pageSize: 10, sort: 'messages', direction: 'asc' }],
  'conversations.list': [
    { from: DAY, to: DAY, user: HASH, category: 'coding', estimateSource: 'llm', minConfidence: 50, workRelated: true, taskCompleted: false, sort: 'cost', direction: 'asc', page: 1, pageSize: 20 },
  ],
  'conversations.get': [{ conversationId: 'conv-does-not-exist' }],
  'conversations.skips': [{ page: 0, pageSize: 5 }],
  'conversations.failures': [{ page: 0, pageSize: 5 }],
  'runs.list': [{ page: 0, pageSize: 5 }],
  'runs.defaultRange': [{}],
  'runs.start': [{ from: DAY, to: DAY, kind: 'run', force: false }],
  'runs.cancel': [{ jobId: 'job-does-not-exist' }],
  'jobs.current': [{}, { lane: 'export' }],
  'schedule.get': [{}],
  'schedule.preview': [{ cron: '0 0 * * *', timezone: 'Europe/Budapest', count: 3 }],
  'schedule.update': [{ patch: { notifyOnFailure: true, catchUpMaxDays: 3, retryMinutes: 30 } }],
  'logs.tail': [{ lines: 50, level: 'warn', scope: 'scheduler', search: 'run' }],
  'logs.openFolder': [{}],
  'health.diagnostics': [{}],
  'salt.status': [{}],
  // Absolute paths outside the test's data folder are moved into it by confinePaths.
  'salt.export': [{ path: '/cogniforce-fuzz/salt.txt', confirm: true }],
  'salt.import': [{ salt: 'test-salt-0123456789abcdef', confirm: true }],
  'health.check': [{}],
  'reports.defaultTarget': [{ from: DAY, to: DAY, kind: 'summary' }],
  'reports.export': [
    { from: DAY, to: DAY, kind: 'summary', path: 'fuzz-summary', overwrite: true },
    { from: DAY, to: '2026-01-09', kind: 'detailed', user: HASH, filters: { category: 'coding', minConfidence: 10 }, path: 'fuzz-detailed.csv', bom: true },
  ],
  'reports.cancel': [{ jobId: 'job-does-not-exist' }],
  'dialog.pickSaveFile': [{ from: DAY, to: DAY, kind: 'pdf' }],
  'shell.showInFolder': [{ path: 'fuzz-summary.csv' }],
};

const PATH_KEYS = new Set(['path', 'folder']);

function confine(value: string, root: string): string {
  const trimmed = value.trim();
  const expanded = trimmed === '~' ? os.homedir() : trimmed.startsWith('~/') ? path.join(os.homedir(), trimmed.slice(2)) : trimmed;
  const resolved = path.resolve(root, 'exports', expanded);
  if (resolved.startsWith(root + path.sep)) return value;
  return path.join(root, 'confined', path.basename(resolved) || 'file');
}

/**
 * Fuzzed payloads must not write files outside the test: every `path` or `folder` string that
 * would land outside `root` (absolute, "~/…", "../../…") is moved into `root/confined`, keeping
 * its file name. Everything else is left exactly as generated.
 */
export function confinePaths(value: unknown, root: string): unknown {
  if (Array.isArray(value)) return value.map((item) => confinePaths(item, root));
  if (!value || typeof value !== 'object') return value;
  const proto: unknown = Object.getPrototypeOf(value);
  if (proto !== Object.prototype && proto !== null) return value;
  const out: Record<string, unknown> = proto === null ? Object.create(null) : {};
  for (const [key, item] of Object.entries(value)) {
    const next = PATH_KEYS.has(key) && typeof item === 'string' ? confine(item, root) : confinePaths(item, root);
    Object.defineProperty(out, key, { value: next, enumerable: true, configurable: true, writable: true });
  }
  return out;
}

/** Scalars that have broken parsers before: prototype keys, huge and odd numbers, odd strings. */
export const hostileScalar: fc.Arbitrary<unknown> = fc.constantFrom<unknown>(
  '__proto__',
  'constructor',
  'toString',
  '',
  ' ',
  '\u0000',
  '\uD800',
  'a'.repeat(5000),
  '../../../../etc/passwd',
  "'; DROP TABLE conversation_analysis; --",
  '${jndi:ldap://x}',
  '<script>alert(1)</script>',
  '%s%n%x',
  '2026-02-30',
  '2026-1-1',
  '0000-01-01',
  '9999-12-31',
  '1900-01-01',
  'NaN',
  'null',
  '{}',
  -1,
  -0,
  0.5,
  1e21,
  -1e21,
  Number.MAX_SAFE_INTEGER + 2,
  Number.MAX_VALUE,
  Number.MIN_VALUE,
  true,
  false,
  null,
  [],
  {},
  { __proto__: { polluted: true } },
  JSON.parse('{"__proto__": {"polluted": true}}') as unknown,
  [[[[[[[[[[[]]]]]]]]]]],
);

/** Values a structured-clone transport (Electron IPC) can carry, beyond JSON. */
export const cloneable: fc.Arbitrary<unknown> = fc.anything({
  maxDepth: 3,
  withBigInt: true,
  withDate: true,
  withMap: true,
  withSet: true,
  withTypedArray: true,
  withSparseArray: true,
  withNullPrototype: true,
  withBoxedValues: true,
});

export const jsonish: fc.Arbitrary<unknown> = fc.oneof(fc.jsonValue({ maxDepth: 4 }), hostileScalar);

type Path = Array<string | number>;

function pathsOf(value: unknown, at: Path = [], out: Path[] = []): Path[] {
  out.push(at);
  if (at.length >= 8) return out;
  if (Array.isArray(value)) value.forEach((item, i) => pathsOf(item, [...at, i], out));
  else if (value && typeof value === 'object') for (const [k, v] of Object.entries(value)) pathsOf(v, [...at, k], out);
  return out;
}

function getAt(value: unknown, path: Path): unknown {
  let node = value;
  for (const key of path) node = (node as Record<string | number, unknown>)[key];
  return node;
}

/** Replaces the node at `path` (the root when the path is empty). */
function setAt(value: unknown, path: Path, next: unknown): unknown {
  if (path.length === 0) return next;
  const copy = structuredClone(value) as Record<string | number, unknown>;
  const parent = getAt(copy, path.slice(0, -1)) as Record<string | number, unknown>;
  parent[path.at(-1)!] = next;
  return copy;
}

function deleteAt(value: unknown, path: Path): unknown {
  if (path.length === 0) return undefined;
  const copy = structuredClone(value) as Record<string | number, unknown>;
  const parent = getAt(copy, path.slice(0, -1));
  if (Array.isArray(parent)) parent.splice(Number(path.at(-1)), 1);
  else delete (parent as Record<string | number, unknown>)[path.at(-1)!];
  return copy;
}

type Mutation =
  | { op: 'replace'; at: number; with: unknown }
  | { op: 'drop'; at: number }
  | { op: 'add'; at: number; key: string; with: unknown }
  | { op: 'nudge'; at: number; how: 'typo' | 'upper' | 'stringify' | 'negate' | 'fraction' | 'huge' | 'wrap' }
  | { op: 'retype'; as: 'array' | 'string' | 'number' | 'deep' };

const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  fc.record({ op: fc.constant('replace' as const), at: fc.nat(), with: jsonish }),
  fc.record({ op: fc.constant('drop' as const), at: fc.nat() }),
  fc.record({ op: fc.constant('add' as const), at: fc.nat(), key: fc.oneof(fc.string({ maxLength: 12 }), fc.constantFrom('__proto__', 'constructor', 'prototype', 'extra')), with: jsonish }),
  fc.record({ op: fc.constant('nudge' as const), at: fc.nat(), how: fc.constantFrom('typo' as const, 'upper' as const, 'stringify' as const, 'negate' as const, 'fraction' as const, 'huge' as const, 'wrap' as const) }),
  fc.record({ op: fc.constant('retype' as const), as: fc.constantFrom('array' as const, 'string' as const, 'number' as const, 'deep' as const) }),
);

function nudged(node: unknown, how: Extract<Mutation, { op: 'nudge' }>['how']): unknown {
  switch (how) {
    case 'typo':
      return typeof node === 'string' ? `${node}x` : node;
    case 'upper':
      return typeof node === 'string' ? node.toUpperCase() : node;
    case 'stringify':
      return JSON.stringify(node) ?? 'undefined';
    case 'negate':
      return typeof node === 'number' ? -node - 1 : typeof node === 'boolean' ? String(node) : node;
    case 'fraction':
      return typeof node === 'number' ? node + 0.5 : node;
    case 'huge':
      return typeof node === 'number' ? node * 1e9 + 1 : typeof node === 'string' ? node.repeat(2000) : node;
    case 'wrap':
      return [node];
  }
}

function deep(levels: number): unknown {
  let node: unknown = {};
  for (let i = 0; i < levels; i++) node = { a: node };
  return node;
}

export function applyMutation(value: unknown, m: Mutation): unknown {
  if (m.op === 'retype') {
    if (m.as === 'array') return [value];
    if (m.as === 'string') return JSON.stringify(value);
    if (m.as === 'number') return 1;
    return { ...(value as object), nested: deep(300) };
  }
  const paths = pathsOf(value);
  const path = paths[m.at % paths.length]!;
  if (m.op === 'replace') return setAt(value, path, m.with);
  if (m.op === 'drop') return deleteAt(value, path);
  if (m.op === 'nudge') return setAt(value, path, nudged(getAt(value, path), m.how));
  const target = getAt(value, path);
  if (target && typeof target === 'object' && !Array.isArray(target)) {
    const copy = structuredClone(value);
    const node = getAt(copy, path) as Record<string, unknown>;
    // defineProperty, so "__proto__" becomes an own key as JSON.parse would make it.
    Object.defineProperty(node, m.key, { value: m.with, enumerable: true, configurable: true, writable: true });
    return copy;
  }
  return setAt(value, path, { [m.key]: m.with });
}

/** A valid example of the channel, changed by one to three mutations. */
export function mutatedPayload(channel: Channel): fc.Arbitrary<unknown> {
  const samples = (VALID[channel] ?? [{}]) as unknown[];
  return fc.tuple(fc.constantFrom(...samples), fc.array(mutation, { minLength: 1, maxLength: 3 })).map(([sample, ms]) => ms.reduce<unknown>((v, m) => applyMutation(v, m), sample));
}
