import crypto from 'node:crypto';

// User ids never reach the analytics database in clear (SPEC "Privacy"): only this keyed hash.
// HMAC rather than a plain hash so nobody without the salt can test guessed ids against it.

/** HMAC-SHA256(key = salt, message = userId), lowercase hex (64 characters). */
export function hashUserId(salt: string, userId: string): string {
  if (!salt) throw new Error('No salt is configured, so user ids cannot be hashed. Generate or import the salt in Settings → Privacy.');
  return crypto.createHmac('sha256', salt).update(userId, 'utf8').digest('hex');
}

/** A short form of a hash for display when the source cannot resolve the name. */
export function shortHash(hash: string): string {
  return hash.slice(0, 8);
}
