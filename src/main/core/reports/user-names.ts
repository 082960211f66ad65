import type { AppContext } from '../app/context.ts';
import { UserDirectory } from '../handlers/user-directory.ts';
import type { UserLabel } from '../../../shared/types.ts';

// Reports name people the way the console does: "Name (email)" resolved live from the Open
// WebUI database by hashing its user ids with the salt. Names never come from the analytics
// database; when the source cannot be read, reports carry the hashes and say why.

export interface UserNames {
  /** "Name (email)" for a resolved hash, null when the source could not name it. */
  name(hash: string): string | null;
  /** The full label object (short-hash label when unresolved), for the PDF. */
  label(hash: string): UserLabel;
  /** Why names are missing, when the source was unreachable; null when it was read. */
  unavailable: string | null;
}

export async function resolveUserNames(context: AppContext, hashes: Iterable<string>): Promise<UserNames> {
  const unique = [...new Set(hashes)];
  if (unique.length === 0) return { name: () => null, label: unresolved, unavailable: null };
  const directory = new UserDirectory(() => context);
  const { labels, unavailable } = await directory.resolve(unique);
  return {
    name: (hash) => {
      const l = labels.get(hash);
      return l?.resolved ? l.label : null;
    },
    label: (hash) => labels.get(hash) ?? unresolved(hash),
    unavailable,
  };
}

function unresolved(hash: string): UserLabel {
  return { userHash: hash, label: `user ${hash.slice(0, 8)}`, name: null, email: null, resolved: false };
}
