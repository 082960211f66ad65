import { describe, expect, test } from 'vitest';
import { checkOrStoreSaltFingerprint, replaceSaltFingerprint, saltFingerprint, storedSaltFingerprint } from '../../../src/main/core/store/salt.ts';
import { migratedDb } from './helpers.ts';

describe('salt fingerprint in the analytics database', () => {
  test('first writer stores it, the same salt matches, another salt mismatches', async () => {
    const { db } = await migratedDb('salt');
    const mine = saltFingerprint('salt-of-workstation-a');
    const theirs = saltFingerprint('salt-of-workstation-b');
    expect(await storedSaltFingerprint(db)).toBeNull();
    expect(await checkOrStoreSaltFingerprint(db, mine)).toBe('stored');
    expect(await checkOrStoreSaltFingerprint(db, mine)).toBe('match');
    expect(await checkOrStoreSaltFingerprint(db, theirs)).toBe('mismatch');
    expect(await storedSaltFingerprint(db)).toBe(mine);
    await replaceSaltFingerprint(db, theirs);
    expect(await checkOrStoreSaltFingerprint(db, theirs)).toBe('match');
  });

  test('two first writers racing: exactly one stores', async () => {
    const { db } = await migratedDb('salt_race');
    const results = await Promise.all([
      checkOrStoreSaltFingerprint(db, saltFingerprint('a')),
      checkOrStoreSaltFingerprint(db, saltFingerprint('b')),
      checkOrStoreSaltFingerprint(db, saltFingerprint('a')),
    ]);
    expect(results.filter((r) => r === 'stored')).toHaveLength(1);
  });
});
