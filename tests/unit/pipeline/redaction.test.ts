import { describe, expect, it } from 'vitest';
import { REDACTION_TYPES, redact } from '../../../src/main/core/pipeline/redact.ts';
import { formatScore, scoreCorpus } from '../../support/redaction-score.ts';
import { REDACTION_CORPUS } from './redaction-corpus.ts';

// Recall: an expected span counts as found when spans of the same type cover all of it.
// Precision: a detected span counts as correct when it overlaps an expected span of its type.
// Thresholds: recall ≥ 99 %, precision ≥ 97 % per type.

describe('redaction corpus', () => {
  it('has ≥ 300 labelled snippets in English and Hungarian, with look-alikes', () => {
    expect(REDACTION_CORPUS.length).toBeGreaterThanOrEqual(300);
    expect(REDACTION_CORPUS.filter((s) => s.lang === 'hu').length).toBeGreaterThanOrEqual(100);
    expect(REDACTION_CORPUS.filter((s) => s.lang === 'en').length).toBeGreaterThanOrEqual(100);
    expect(REDACTION_CORPUS.filter((s) => s.expected.length === 0).length).toBeGreaterThanOrEqual(100);
    for (const type of REDACTION_TYPES) expect(REDACTION_CORPUS.flatMap((s) => s.expected).filter((e) => e.type === type).length).toBeGreaterThanOrEqual(30);
  });

  it('meets recall ≥ 99 % and precision ≥ 97 % for every type', () => {
    const score = scoreCorpus(REDACTION_CORPUS, redact);
    console.log(formatScore('Labelled corpus', score));
    const rows = score.types;
    for (const r of rows) {
      expect(r.recall, `${r.type} recall`).toBeGreaterThanOrEqual(0.99);
      expect(r.precision, `${r.type} precision`).toBeGreaterThanOrEqual(0.97);
    }
  });

  it('leaves no labelled value in the output (except URL hosts, which are kept)', () => {
    for (const snippet of REDACTION_CORPUS) {
      const out = redact(snippet.text).text;
      for (const e of snippet.expected) {
        if (e.type === 'URL') continue;
        expect(out, snippet.text).not.toContain(snippet.text.slice(e.start, e.end));
      }
      if (snippet.expected.length === 0) expect(out).toBe(snippet.text);
    }
  });
});
