import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { countWords } from '../../../src/main/core/pipeline/engaged.ts';

// countWords scans character codes for speed; its definition is the plain one below. They must
// agree on every string: the counts decide how long a message took to write or read.
function countWordsByDefinition(text: string): number {
  return text.split(/\s+/).filter((token) => /[\p{L}\p{N}]/u.test(token)).length;
}

// Every character \s matches, and look-alikes that it does not (zero-width space, NEL, ogham's
// neighbours), so both sides of each range are covered.
const SPACES = ['\t', '\n', '\v', '\f', '\r', ' ', '\u00a0', '\u1680', '\u2000', '\u2005', '\u200a', '\u2028', '\u2029', '\u202f', '\u205f', '\u3000', '\ufeff'];
const NOT_SPACES = ['\u0085', '\u200b', '\u200c', '\u180e', '\u1681', '\u2009\u0301', '\u0008', '\u000e', '\u001f', '\u007f', '\u009f', '\u00a1'];
const PIECES = [...SPACES, ...NOT_SPACES, 'a', 'Z', '0', '9', '@', '[', '`', '{', '_', '-', 'é', 'ő', 'ß', 'Ж', '中', '٣', '²', '½', '𝐀', '😀', '\ud835', '\udc00', '\u0301', '--', '...', '—'];

describe('countWords', () => {
  it('counts tokens with a letter or a digit', () => {
    expect(countWords('')).toBe(0);
    expect(countWords('  Hello,   world!  ')).toBe(2);
    expect(countWords('— ... 42 ½ 𝐀 😀 中文 é\u00a0x')).toBe(6);
    expect(countWords('a\u200bb c')).toBe(2); // a zero-width space does not separate
  });

  it('agrees with the definition on strings made of the tricky characters', () => {
    fc.assert(
      fc.property(fc.array(fc.constantFrom(...PIECES), { maxLength: 60 }), (pieces) => {
        const text = pieces.join('');
        expect(countWords(text)).toBe(countWordsByDefinition(text));
      }),
      { numRuns: 3_000 },
    );
  });

  it('agrees with the definition on any Unicode string, lone surrogates included', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 200 }), fc.string({ unit: 'grapheme', maxLength: 80 }), (binary, graphemes) => {
        for (const text of [binary, graphemes, `${graphemes} ${binary}`]) expect(countWords(text)).toBe(countWordsByDefinition(text));
      }),
      { numRuns: 2_000 },
    );
  });
});
