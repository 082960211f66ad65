import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { countLines, splitFences, type TextSegment } from '../../../src/main/core/pipeline/engaged.ts';

// splitFences scans line ends and slices; its definition is the line-by-line version below
// (split into lines, match each, join each block again). They must agree on every text: the
// segments decide which words are typed, read or skimmed, and what a summary calls code.
const FENCE_RE = /^ {0,3}(`{3,}|~{3,})\s*([^\s`]*)/;

function splitFencesByDefinition(text: string): TextSegment[] {
  const segments: TextSegment[] = [];
  let buffer: string[] = [];
  let fence: { marker: string; lang: string } | null = null;
  const flush = (kind: 'prose' | 'code', lang: string): void => {
    if (buffer.length > 0 || kind === 'code') segments.push({ kind, text: buffer.join('\n'), lang });
    buffer = [];
  };
  for (const line of text.split('\n')) {
    const m = FENCE_RE.exec(line);
    if (fence === null) {
      if (m) {
        flush('prose', '');
        fence = { marker: m[1] ?? '```', lang: (m[2] ?? '').toLowerCase() };
      } else buffer.push(line);
    } else if (m && (m[1] ?? '').startsWith(fence.marker[0] ?? '`') && (m[1] ?? '').length >= fence.marker.length && (m[2] ?? '') === '') {
      flush('code', fence.lang);
      fence = null;
    } else buffer.push(line);
  }
  if (fence !== null) flush('code', fence.lang);
  else flush('prose', '');
  return segments.filter((s) => s.kind === 'code' || s.text.trim() !== '');
}

// Fence markers of every length and kind, indentation of 0–4 spaces, info strings, backticks in
// them, CRLF, blank and whitespace-only lines.
const PIECES = ['```', '````', '~~~', '~~~~', '``', '~~', '`', '~', '```Python', '~~~ js', '```a`b', ' ', '   ', '    ', '\t', '\n', '\r\n', '\n\n', 'word', 'x = 1', 'é', '中', '😀'];

describe('splitFences', () => {
  it('splits prose and code, an unclosed fence running to the end', () => {
    expect(splitFences('Why?\n```py\nx = 1\n```\nThanks')).toEqual([
      { kind: 'prose', text: 'Why?', lang: '' },
      { kind: 'code', text: 'x = 1', lang: 'py' },
      { kind: 'prose', text: 'Thanks', lang: '' },
    ]);
    expect(splitFences('~~~\nopen')).toEqual([{ kind: 'code', text: 'open', lang: '' }]);
    expect(splitFences('```\n```')).toEqual([{ kind: 'code', text: '', lang: '' }]);
    expect(splitFences('  \n\t')).toEqual([]);
    expect(splitFences('    ```\nindented four: not a fence')).toEqual([{ kind: 'prose', text: '    ```\nindented four: not a fence', lang: '' }]);
  });

  it('agrees with the line-by-line definition on texts made of fence pieces', () => {
    fc.assert(
      fc.property(fc.array(fc.constantFrom(...PIECES), { maxLength: 50 }), (pieces) => {
        const text = pieces.join('');
        expect(splitFences(text)).toEqual(splitFencesByDefinition(text));
        expect(countLines(text)).toBe(text.split('\n').length);
      }),
      { numRuns: 5_000 },
    );
  });

  it('agrees with the definition on any string', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 200 }), (text) => {
        expect(splitFences(text)).toEqual(splitFencesByDefinition(text));
        expect(countLines(text)).toBe(text.split('\n').length);
      }),
      { numRuns: 2_000 },
    );
  });
});
