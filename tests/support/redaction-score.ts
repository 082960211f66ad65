import { REDACTION_TYPES, type RedactionSpan, type RedactionType } from '../../src/main/core/pipeline/redact.ts';

// Recall and precision of a redactor on a labelled corpus, per type, for the unit corpus and the
// security suite's hold-out alike: an expected span is found when detected spans of its type
// cover all of it; a detected span is correct when it overlaps an expected span of its type.

export interface ExpectedSpan {
  start: number;
  end: number;
  type: RedactionType;
}

export interface LabelledSnippet {
  lang: 'en' | 'hu';
  text: string;
  expected: ExpectedSpan[];
}

export type Raw = readonly ['en' | 'hu', string];

const MARK = /⟦(EMAIL|PHONE|IBAN|CARD|IP|URL|SECRET|NUMBER):([\s\S]*?)⟧/g;

/** `⟦TYPE:text⟧` marks a span that must be redacted as TYPE. */
export function parseMarked(lang: 'en' | 'hu', marked: string): LabelledSnippet {
  const expected: ExpectedSpan[] = [];
  let text = '';
  let at = 0;
  for (const m of marked.matchAll(MARK)) {
    text += marked.slice(at, m.index);
    const start = text.length;
    text += m[2] ?? '';
    expected.push({ start, end: text.length, type: m[1] as RedactionType });
    at = m.index + m[0].length;
  }
  text += marked.slice(at);
  return { lang, text, expected };
}

export interface TypeScore {
  type: RedactionType;
  expected: number;
  found: number;
  detected: number;
  correct: number;
  recall: number;
  precision: number;
}

export interface CorpusScore {
  snippets: number;
  byLanguage: Record<'en' | 'hu', number>;
  lookAlikes: number;
  types: TypeScore[];
  misses: string[];
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

export function scoreCorpus(corpus: readonly LabelledSnippet[], redactor: (text: string) => { spans: RedactionSpan[] }): CorpusScore {
  const rows = new Map(REDACTION_TYPES.map((type) => [type, { expected: 0, found: 0, detected: 0, correct: 0 }]));
  const misses: string[] = [];
  for (const snippet of corpus) {
    const { spans } = redactor(snippet.text);
    for (const e of snippet.expected) {
      const row = rows.get(e.type)!;
      row.expected += 1;
      if (covered(e, spans)) row.found += 1;
      else misses.push(`MISSED ${e.type} "${snippet.text.slice(e.start, e.end)}" in: ${snippet.text}`);
    }
    for (const d of spans) {
      const row = rows.get(d.type)!;
      row.detected += 1;
      if (snippet.expected.some((e) => e.type === d.type && e.end > d.start && e.start < d.end)) row.correct += 1;
      else misses.push(`FALSE ${d.type} "${snippet.text.slice(d.start, d.end)}" in: ${snippet.text}`);
    }
  }
  return {
    snippets: corpus.length,
    byLanguage: { en: corpus.filter((s) => s.lang === 'en').length, hu: corpus.filter((s) => s.lang === 'hu').length },
    lookAlikes: corpus.filter((s) => s.expected.length === 0).length,
    types: REDACTION_TYPES.map((type) => {
      const r = rows.get(type)!;
      return { type, ...r, recall: r.expected === 0 ? 1 : r.found / r.expected, precision: r.detected === 0 ? 1 : r.correct / r.detected };
    }),
    misses,
  };
}

export function formatScore(title: string, score: CorpusScore): string {
  const pct = (x: number): string => `${(x * 100).toFixed(1).padStart(5)} %`;
  return [
    `${title}: ${score.snippets} snippets (${score.byLanguage.en} EN, ${score.byLanguage.hu} HU, ${score.lookAlikes} look-alikes)`,
    'type     expected found detected correct  recall   precision',
    ...score.types.map(
      (r) =>
        `${r.type.padEnd(8)} ${String(r.expected).padStart(8)} ${String(r.found).padStart(5)} ${String(r.detected).padStart(8)} ${String(r.correct).padStart(7)}  ${pct(r.recall)}  ${pct(r.precision)}`,
    ),
    ...score.misses,
  ].join('\n');
}
