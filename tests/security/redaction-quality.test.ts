import fs from 'node:fs';
import { describe, expect, test } from 'vitest';
import { redact, REDACTION_TYPES, type RedactionType } from '../../src/main/core/pipeline/redact.ts';
import { REDACTION_CORPUS } from '../unit/pipeline/redaction-corpus.ts';
import { REDACTION_HOLDOUT } from './support/redaction-holdout.ts';
import { formatScore, scoreCorpus, type CorpusScore } from '../support/redaction-score.ts';

// Redaction quality, measured and reported: recall and precision per type on the labelled corpus
// (tests/unit/pipeline/redaction-corpus.ts) and on a hold-out corpus the redactor was never tuned
// on. The figures go to the console and to test-results/redaction-quality.json.

/** Personal data with a fixed shape: what the privacy promise is about. */
const STRUCTURED_PII: readonly RedactionType[] = ['EMAIL', 'PHONE', 'IBAN', 'CARD', 'IP'];

const main = scoreCorpus(REDACTION_CORPUS, redact);
const holdout = scoreCorpus(REDACTION_HOLDOUT, redact);
const combined = scoreCorpus([...REDACTION_CORPUS, ...REDACTION_HOLDOUT], redact);

function pooledRecall(score: CorpusScore, types: readonly RedactionType[]): number {
  const rows = score.types.filter((t) => types.includes(t.type));
  return rows.reduce((n, r) => n + r.found, 0) / rows.reduce((n, r) => n + r.expected, 0);
}

describe('redaction quality', () => {
  test('the figures are reported per type', () => {
    for (const [title, score] of [['labelled corpus', main], ['hold-out corpus', holdout], ['both', combined]] as const) console.log(formatScore(title, score));
    fs.mkdirSync('test-results', { recursive: true });
    const strip = (s: CorpusScore) => ({ ...s, misses: s.misses });
    fs.writeFileSync('test-results/redaction-quality.json', JSON.stringify({ corpus: strip(main), holdout: strip(holdout), combined: strip(combined) }, null, 2));
    expect(main.types.map((t) => t.type)).toEqual([...REDACTION_TYPES]);
  });

  test('corpus: ≥ 300 snippets in English and Hungarian, with look-alikes', () => {
    expect(combined.snippets).toBeGreaterThanOrEqual(300);
    expect(main.snippets).toBeGreaterThanOrEqual(300);
    for (const score of [main, holdout]) {
      expect(score.byLanguage.en).toBeGreaterThanOrEqual(score === main ? 100 : 40);
      expect(score.byLanguage.hu).toBeGreaterThanOrEqual(score === main ? 100 : 30);
      expect(score.lookAlikes).toBeGreaterThanOrEqual(score === main ? 100 : 40);
    }
    for (const type of REDACTION_TYPES) expect(holdout.types.find((t) => t.type === type)!.expected, type).toBeGreaterThanOrEqual(7);
  });

  test.each([
    ['labelled corpus', main],
    ['hold-out corpus', holdout],
  ] as const)('%s: structured PII recall ≥ 99 % (each type and pooled), no type below 97 % precision', (_title, score) => {
    expect(pooledRecall(score, STRUCTURED_PII)).toBeGreaterThanOrEqual(0.99);
    for (const row of score.types) {
      if (STRUCTURED_PII.includes(row.type)) expect(row.recall, `${row.type} recall`).toBeGreaterThanOrEqual(0.99);
      expect(row.precision, `${row.type} precision`).toBeGreaterThanOrEqual(0.97);
    }
  });

  test('secrets, URLs and long numbers: recall ≥ 99 % on the labelled corpus, ≥ 95 % on the hold-out', () => {
    for (const type of ['SECRET', 'URL', 'NUMBER'] as const) {
      expect(main.types.find((t) => t.type === type)!.recall, type).toBeGreaterThanOrEqual(0.99);
      expect(holdout.types.find((t) => t.type === type)!.recall, type).toBeGreaterThanOrEqual(0.95);
    }
  });

  test('control: the scoring fails a redactor that misses phones or redacts every number', () => {
    const noPhones = scoreCorpus(REDACTION_CORPUS, (text) => ({ spans: redact(text).spans.filter((s) => s.type !== 'PHONE') }));
    expect(noPhones.types.find((t) => t.type === 'PHONE')!.recall).toBeLessThan(0.5);
    expect(pooledRecall(noPhones, STRUCTURED_PII)).toBeLessThan(0.99);
    const greedy = scoreCorpus(REDACTION_CORPUS, (text) => ({
      spans: [...text.matchAll(/\d[\d .-]{3,}\d/g)].map((m) => ({ start: m.index, end: m.index + m[0].length, type: 'NUMBER' as const, replacement: '[NUMBER]' })),
    }));
    expect(greedy.types.find((t) => t.type === 'NUMBER')!.precision).toBeLessThan(0.97);
  });
});
