import { hashUserId, shortHash } from '../store/hash.ts';
import type { AppContext } from '../app/context.ts';
import type { UserLabel } from '../../../shared/types.ts';

// Names and e-mails never reach the analytics database (SPEC "Privacy"): the console resolves
// "Name (email)" live by hashing the source's user ids with the salt. The directory is cached
// briefly so a dashboard's several calls read the source once, and a failure is remembered
// briefly too so an unreachable source does not slow every call down.

const TTL_MS = 60_000;
const FAILURE_TTL_MS = 15_000;

interface Person {
  name: string | null;
  email: string | null;
}

type Directory = { ok: true; byHash: Map<string, Person> } | { ok: false; reason: string };

interface CacheEntry {
  at: number;
  directory: Promise<Directory>;
  settled: Directory | null;
}

export class UserDirectory {
  private cached: CacheEntry | null = null;

  constructor(
    private readonly context: () => AppContext,
    private readonly now: () => number = Date.now,
  ) {}

  /** Forget the cache (after the source or the salt changed). */
  invalidate(): void {
    this.cached = null;
  }

  async resolve(hashes: readonly string[]): Promise<{ labels: Map<string, UserLabel>; unavailable: string | null }> {
    const directory = await this.directory();
    const labels = new Map<string, UserLabel>();
    for (const hash of hashes) {
      const person = directory.ok ? directory.byHash.get(hash) : undefined;
      labels.set(hash, labelOf(hash, person));
    }
    return { labels, unavailable: directory.ok ? null : directory.reason };
  }

  private directory(): Promise<Directory> {
    const now = this.now();
    const cached = this.cached;
    if (cached) {
      if (!cached.settled) return cached.directory;
      const ttl = cached.settled.ok ? TTL_MS : FAILURE_TTL_MS;
      if (now - cached.at < ttl) return cached.directory;
    }
    const entry: CacheEntry = { at: now, directory: this.load(), settled: null };
    void entry.directory.then((d) => (entry.settled = d));
    this.cached = entry;
    return entry.directory;
  }

  private async load(): Promise<Directory> {
    const context = this.context();
    try {
      const salt = await context.secrets.get('salt');
      if (!salt) return { ok: false, reason: 'No salt is set yet, so user ids cannot be matched to names.' };
      const source = await context.openSource();
      try {
        const users = await source.users();
        const byHash = new Map<string, Person>();
        for (const user of users) byHash.set(hashUserId(salt, user.id), { name: user.name, email: user.email });
        return { ok: true, byHash };
      } finally {
        await source.close().catch(() => undefined);
      }
    } catch (error) {
      const detail = error instanceof Error ? error.message.split('\n')[0] : String(error);
      return { ok: false, reason: `Names are shown as short hashes because the Open WebUI database could not be read: ${detail}` };
    }
  }
}

export function labelOf(hash: string, person: Person | undefined): UserLabel {
  if (!person || (!person.name && !person.email)) {
    return { userHash: hash, label: `user ${shortHash(hash)}`, name: null, email: null, resolved: false };
  }
  const label = person.name && person.email ? `${person.name} (${person.email})` : (person.name ?? person.email ?? shortHash(hash));
  return { userHash: hash, label, name: person.name, email: person.email, resolved: true };
}
