import { describe, expect, it } from 'vitest';
import { REDACTION_TYPES, redact, type RedactionSpan, type RedactionType } from '../../../src/main/core/pipeline/redact.ts';
import { REDACTION_CORPUS, type ExpectedSpan } from './redaction-corpus.ts';

// Recall: an expected span counts as found when spans of the same type cover all of it.
// Precision: a detected span counts as correct when it overlaps an expected span of its type.
// Thresholds (later issue): recall ≥ 99 %, precision ≥ 97 % per type.

interface Score {
  expected: number;
  found: number;
  detected: number;
  correct: number;
}

function covered(expected: ExpectedSpan, detected: readonly RedactionSpan[]): boolean {
  const same = detected.filter((d) => d.type === expected.type && d.end > expected.start && d.start < expected.end).sort((a, b) => a.start - b.start);
  let at = expected.start;
  for (const d of same) {
    if (d.start > at) return false;
    at = Math.max(at, d.end);
  }
  return at >= expected.end;
}

function score(): { table: Record<RedactionType, Score>; misses: string[] } {
  const table = Object.fromEntries(REDACTION_TYPES.map((t) => [t, { expected: 0, found: 0, detected: 0, correct: 0 }])) as Record<RedactionType, Score>;
  const misses: string[] = [];
  for (const snippet of REDACTION_CORPUS) {
    const { spans } = redact(snippet.text);
    for (const e of snippet.expected) {
      const row = table[e.type];
      row.expected++;
      if (covered(e, spans)) row.found++;
      else misses.push(`MISSED ${e.type} "${snippet.text.slice(e.start, e.end)}" in: ${snippet.text}`);
    }
    for (const d of spans) {
      const row = table[d.type];
      row.detected++;
      if (snippet.expected.some((e) => e.type === d.type && e.end > d.start && e.start < d.end)) row.correct++;
      else misses.push(`FALSE ${d.type} "${snippet.text.slice(d.start, d.end)}" in: ${snippet.text}`);
    }
  }
  return { table, misses };
}

describe('redaction corpus', () => {
  it('has ≥ 300 labelled snippets in English and Hungarian, with look-alikes', () => {
    expect(REDACTION_CORPUS.length).toBeGreaterThanOrEqual(300);
    expect(REDACTION_CORPUS.filter((s) => s.lang === 'hu').length).toBeGreaterThanOrEqual(100);
    expect(REDACTION_CORPUS.filter((s) => s.lang === 'en').length).toBeGreaterThanOrEqual(100);
    expect(REDACTION_CORPUS.filter((s) => s.expected.length === 0).length).toBeGreaterThanOrEqual(100);
    for (const type of REDACTION_TYPES) expect(REDACTION_CORPUS.flatMap((s) => s.expected).filter((e) => e.type === type).length).toBeGreaterThanOrEqual(30);
  });

  it('meets recall ≥ 99 % and precision ≥ 97 % for every type', () => {
    const { table, misses } = score();
    const rows = REDACTION_TYPES.map((type) => {
      const r = table[type];
      const recall = r.expected === 0 ? 1 : r.found / r.expected;
      const precision = r.detected === 0 ? 1 : r.correct / r.detected;
      return { type, expected: r.expected, found: r.found, detected: r.detected, correct: r.correct, recall, precision };
    });
    console.log(
      ['type    expected found detected correct recall  precision', ...rows.map((r) => `${r.type.padEnd(8)}${String(r.expected).padStart(8)}${String(r.found).padStart(6)}${String(r.detected).padStart(9)}${String(r.correct).padStart(8)} ${(r.recall * 100).toFixed(1).padStart(6)} % ${(r.precision * 100).toFixed(1).padStart(6)} %`)].join('\n') +
        (misses.length > 0 ? `\n${misses.join('\n')}` : ''),
    );
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
