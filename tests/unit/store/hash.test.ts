import crypto from 'node:crypto';
import { describe, expect, test } from 'vitest';
import { hashUserId, shortHash } from '../../../src/main/core/store/hash.ts';
import { saltFingerprint } from '../../../src/main/core/store/salt.ts';

describe('hashUserId', () => {
  test('is HMAC-SHA256 keyed with the salt, lowercase hex', () => {
    // RFC 4231 test case 2: key "Jefe", data "what do ya want for nothing?".
    expect(hashUserId('Jefe', 'what do ya want for nothing?')).toBe('5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843');
    const h = hashUserId('salt', '6f1c0f3e-user');
    expect(h).toMatch(/^[0-9a-f]{64}$/);
    expect(h).toBe(crypto.createHmac('sha256', 'salt').update('6f1c0f3e-user').digest('hex'));
    expect(shortHash(h)).toBe(h.slice(0, 8));
  });

  test('depends on the salt and the user', () => {
    expect(hashUserId('s1', 'u')).not.toBe(hashUserId('s2', 'u'));
    expect(hashUserId('s1', 'u1')).not.toBe(hashUserId('s1', 'u2'));
  });

  test('refuses an empty salt', () => {
    expect(() => hashUserId('', 'u')).toThrow(/No salt/);
  });
});

describe('saltFingerprint', () => {
  test('16 hex characters of sha256 over a versioned prefix, never the salt itself', () => {
    const fp = saltFingerprint('my-secret-salt');
    expect(fp).toBe(crypto.createHash('sha256').update('cogniforce-salt-v1:my-secret-salt').digest('hex').slice(0, 16));
    expect(fp).toMatch(/^[0-9a-f]{16}$/);
    expect(saltFingerprint('other')).not.toBe(fp);
    // Not the first characters of the user hash under the same salt (different constructions).
    expect(hashUserId('my-secret-salt', '')).not.toContain(fp);
  });
});
