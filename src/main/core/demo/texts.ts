import type { Random } from './random.ts';

// Text material for the demo conversations: realistic enough that the summary, language
// detection, code-block counting and PII redaction all have something to chew on.

export type TaskKind = 'coding' | 'writing' | 'translation' | 'analysis' | 'summary' | 'brainstorm';

export const HUNGARIAN_FAMILY = ['Szabó', 'Kovács', 'Nagy', 'Tóth', 'Horváth', 'Varga', 'Kiss', 'Molnár', 'Németh', 'Farkas', 'Balogh', 'Papp', 'Takács', 'Juhász', 'Lakatos', 'Mészáros', 'Oláh', 'Simon', 'Rácz', 'Fekete'];
export const HUNGARIAN_GIVEN = ['Éva', 'Péter', 'Zsófia', 'Ádám', 'Gábor', 'Katalin', 'Dániel', 'Réka', 'Balázs', 'Anna', 'Zoltán', 'Eszter', 'Bence', 'Ildikó', 'Márton', 'Orsolya', 'Tamás', 'Júlia', 'Levente', 'Noémi'];
export const ENGLISH_GIVEN = ['Emma', 'Oliver', 'Sophie', 'James', 'Amelia', 'Harry', 'Chloe', 'Jack', 'Grace', 'Thomas'];
export const ENGLISH_FAMILY = ['Clarke', 'Smith', 'Walker', 'Hughes', 'Patel', 'Evans', 'Wright', 'Turner', 'Hall', 'Green'];

const CODE_TASKS = [
  { ask: 'Write a Python function that deduplicates a list of customer records by e-mail, keeping the newest.', lang: 'python' },
  { ask: 'Write a SQL query that returns monthly active users from an events(user_id, ts) table.', lang: 'sql' },
  { ask: 'Convert this bash loop into a TypeScript script that renames files by their creation date.', lang: 'typescript' },
  { ask: 'Írj egy Python szkriptet, ami összefűzi a mappában lévő CSV fájlokat egy Excel táblába.', lang: 'python' },
  { ask: 'Refactor this Java class so the retry logic uses exponential backoff.', lang: 'java' },
  { ask: 'Why does my React component re-render on every keystroke? Here is the code.', lang: 'tsx' },
  { ask: 'Write a regex-free parser for ISO week dates in Go, with tests.', lang: 'go' },
];

const CODE_SNIPPETS: Record<string, string[]> = {
  python: [
    'def dedupe(records):\n    newest = {}\n    for r in sorted(records, key=lambda r: r["updated_at"]):\n        newest[r["email"].lower()] = r\n    return list(newest.values())',
    'import pandas as pd\nfrom pathlib import Path\n\nframes = [pd.read_csv(p) for p in Path(".").glob("*.csv")]\npd.concat(frames).to_excel("osszesito.xlsx", index=False)',
  ],
  sql: [
    "SELECT date_trunc('month', ts) AS month,\n       COUNT(DISTINCT user_id) AS mau\nFROM events\nGROUP BY 1\nORDER BY 1;",
  ],
  typescript: [
    "import { readdir, rename, stat } from 'node:fs/promises';\n\nfor (const name of await readdir('.')) {\n  const { birthtime } = await stat(name);\n  await rename(name, `${birthtime.toISOString().slice(0, 10)}-${name}`);\n}",
  ],
  java: [
    'for (int attempt = 0; attempt < maxAttempts; attempt++) {\n    try {\n        return call.get();\n    } catch (IOException e) {\n        Thread.sleep((long) Math.pow(2, attempt) * 100L);\n    }\n}\nthrow new RetryExhaustedException();',
  ],
  tsx: [
    'const onChange = useCallback((e: ChangeEvent<HTMLInputElement>) => setQuery(e.target.value), []);\nconst results = useMemo(() => search(items, query), [items, query]);',
  ],
  go: [
    'func ParseISOWeek(s string) (time.Time, error) {\n\tvar year, week, day int\n\tif _, err := fmt.Sscanf(s, "%4d-W%2d-%1d", &year, &week, &day); err != nil {\n\t\treturn time.Time{}, err\n\t}\n\treturn isoWeekStart(year, week).AddDate(0, 0, day-1), nil\n}',
  ],
};

const WRITING_TASKS = [
  'Draft a polite e-mail to a supplier asking to move the delivery date to next Friday.',
  'Write a LinkedIn post announcing our new office in Debrecen.',
  'Rewrite this paragraph of the quarterly report so it reads more confidently.',
  'Írj egy rövid, barátságos emlékeztetőt a csapatnak a pénteki leadási határidőről.',
  'Prepare talking points for tomorrow’s meeting with the works council about the new shift plan.',
  'Write a job advert for a junior data analyst, hybrid, Budapest.',
];

const TRANSLATION_TASKS = [
  { ask: 'Translate into Hungarian:', text: 'Please find attached the signed contract. Payment is due within 30 days of the invoice date.', to: 'Mellékelten küldöm az aláírt szerződést. A fizetési határidő a számla keltétől számított 30 nap.' },
  { ask: 'Fordítsd le angolra:', text: 'A szállítás a jövő héten várható, a pontos időpontról e-mailben értesítjük.', to: 'Delivery is expected next week; we will let you know the exact time by e-mail.' },
  { ask: 'Translate this customer complaint into English and suggest a reply:', text: 'A megrendelt termék sérülten érkezett, kérem a cseréjét vagy a vételár visszatérítését.', to: 'The ordered product arrived damaged; I request a replacement or a refund of the purchase price.' },
  { ask: 'Translate the safety notice into Hungarian:', text: 'Wear protective goggles at all times in the workshop. Report every incident to your supervisor.', to: 'A műhelyben mindig viseljen védőszemüveget. Minden balesetet jelentsen a felettesének.' },
];

const ANALYSIS_TASKS = [
  'Here are our Q3 sales by region. Which region is underperforming and why might that be?',
  'Elemezd a csatolt táblázatot: melyik termékcsoport hozza a legtöbb árrést?',
  'Look at the attached survey export and summarise the top three complaints.',
  'Compare the churn rate of the two pricing plans in the attached spreadsheet.',
];

const SUMMARY_TASKS = [
  { ask: 'Summarise the termination clauses of the attached contract in five bullet points.', file: 'supplier-contract-2026.pdf' },
  { ask: 'Foglald össze a csatolt jegyzőkönyv főbb döntéseit.', file: 'vezetoi-ertekezlet-jegyzokonyv.pdf' },
  { ask: 'What are the key obligations for us in the attached data processing agreement?', file: 'dpa-final.pdf' },
  { ask: 'Give me a one-paragraph executive summary of the attached audit report.', file: 'internal-audit-2025.pdf' },
];

const BRAINSTORM_TASKS = [
  'Give me ten ideas for a team-building day under 5,000 HUF per person.',
  'Brainstorm names for our internal knowledge-base tool.',
  'What could we do to reduce no-shows at customer appointments?',
  'Ötleteket kérek a nyári gyakornoki program népszerűsítésére.',
];

const PROSE = [
  'The main point is that the change can be rolled out gradually without interrupting the current process.',
  'Keep in mind that the numbers for September are still preliminary and may be revised.',
  'A good first step is to agree on a single owner for the decision and a date for the review.',
  'This approach keeps the logic in one place, which makes it easier to test and to change later.',
  'If the budget allows, a short pilot with one team would show whether the effort pays off.',
  'The risk is mostly on the supplier side, so the contract should spell out the penalties clearly.',
  'Customers mentioned delivery times far more often than price, which suggests where to focus.',
  'A javasolt megoldás nem igényel új szoftvert, csak a meglévő folyamat átszervezését.',
  'Érdemes a döntést a következő negyedéves értekezlet előtt meghozni.',
  'Overall the trend is positive, but the variance between regions has grown since spring.',
  'You can make the function safer by validating the input and returning early on empty lists.',
  'The tone should stay friendly but firm; avoid apologising for things that are not our fault.',
];

const FOLLOW_UPS = [
  'Can you make it shorter?',
  'Thanks. Could you add a short example?',
  'Rövidebben, kérlek.',
  'What about edge cases, for example an empty input?',
  'Please format it as a table.',
  'Now do the same for last year’s figures.',
  'Looks good. One more thing: can you add error handling?',
];

/** PII of every kind the redactor must catch, sprinkled into user messages. */
export function piiSnippet(rng: Random): string {
  const digits = (n: number): string => Array.from({ length: n }, () => rng.int(0, 9)).join('');
  const options = [
    () => `You can reach me at ${rng.pick(['kiss.reka', 'j.walker', 'szabo.gabor', 'ops-team'])}@${rng.pick(['example.hu', 'acme-corp.com', 'gmail.com'])}.`,
    () => `Call me on +36 30 ${digits(3)} ${digits(4)} if anything is unclear.`,
    () => `Hívj a +36 20 ${digits(3)} ${digits(4)} számon.`,
    () => `Our bank account: HU42 1177 3016 1111 1018 0000 0000.`,
    () => `The customer paid with card 4111 1111 1111 1111, exp 12/27.`,
    () => `Here is the key I used: sk-proj-${rng.hex(40)}`,
    () => `The token is ghp_${rng.hex(36)} (please do not share).`,
    () => `AWS key AKIA${rng.hex(16).toUpperCase()} stopped working.`,
    () => `The server at 10.20.${rng.int(0, 255)}.${rng.int(1, 254)} returns 502 on https://intranet.example.hu/reports?id=${digits(6)}.`,
    () => `Tax number 1234${digits(4)}-2-41, customer ID ${digits(10)}.`,
  ];
  return rng.pick(options)();
}

export function paragraphs(rng: Random, sentences: number): string {
  const parts: string[] = [];
  for (let i = 0; i < sentences; i++) parts.push(rng.pick(PROSE));
  const out: string[] = [];
  for (let i = 0; i < parts.length; i += 3) out.push(parts.slice(i, i + 3).join(' '));
  return out.join('\n\n');
}

export interface TaskOpening {
  kind: TaskKind;
  title: string;
  prompt: string;
  files: { name: string; content_type: string; size: number }[];
  /** Builds an answer of roughly `sentences` sentences for this task. */
  answer: (rng: Random, sentences: number) => string;
}

function codeAnswer(lang: string) {
  return (rng: Random, sentences: number): string =>
    `${paragraphs(rng, Math.max(1, Math.round(sentences / 3)))}\n\n\`\`\`${lang}\n${rng.pick(CODE_SNIPPETS[lang] ?? CODE_SNIPPETS.python!)}\n\`\`\`\n\n${paragraphs(rng, Math.max(1, Math.round(sentences / 2)))}`;
}

function bulletAnswer(rng: Random, sentences: number): string {
  const bullets = Array.from({ length: Math.max(3, Math.round(sentences / 2)) }, () => `- ${rng.pick(PROSE)}`);
  return `${rng.pick(PROSE)}\n\n${bullets.join('\n')}`;
}

export function taskOpening(rng: Random, kind: TaskKind): TaskOpening {
  switch (kind) {
    case 'coding': {
      const t = rng.pick(CODE_TASKS);
      return { kind, title: t.ask.slice(0, 48), prompt: t.ask, files: [], answer: codeAnswer(t.lang) };
    }
    case 'writing': {
      const ask = rng.pick(WRITING_TASKS);
      return { kind, title: ask.slice(0, 48), prompt: ask, files: [], answer: (r, n) => `Subject: ${r.pick(PROSE).slice(0, 40)}\n\n${paragraphs(r, n)}\n\nBest regards` };
    }
    case 'translation': {
      const t = rng.pick(TRANSLATION_TASKS);
      const repeat = rng.int(1, 4);
      return {
        kind,
        title: 'Translation',
        prompt: `${t.ask}\n\n${Array.from({ length: repeat }, () => t.text).join(' ')}`,
        files: [],
        answer: (r, n) => `${Array.from({ length: repeat }, () => t.to).join(' ')}\n\n${n > 6 ? paragraphs(r, 2) : ''}`.trim(),
      };
    }
    case 'analysis': {
      const ask = rng.pick(ANALYSIS_TASKS);
      const file = rng.chance(0.6)
        ? { name: rng.pick(['q3-sales.xlsx', 'survey-export.csv', 'arres-2025.xlsx']), content_type: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet', size: rng.int(20_000, 900_000) }
        : null;
      const table = file ? '' : '\n\n| region | Q2 | Q3 |\n|---|---|---|\n| North | 412 | 398 |\n| South | 388 | 301 |\n| West | 290 | 305 |';
      return { kind, title: ask.slice(0, 48), prompt: `${ask}${table}`, files: file ? [file] : [], answer: bulletAnswer };
    }
    case 'summary': {
      const t = rng.pick(SUMMARY_TASKS);
      return { kind, title: t.ask.slice(0, 48), prompt: t.ask, files: [{ name: t.file, content_type: 'application/pdf', size: rng.int(80_000, 4_000_000) }], answer: bulletAnswer };
    }
    case 'brainstorm': {
      const ask = rng.pick(BRAINSTORM_TASKS);
      return {
        kind,
        title: ask.slice(0, 48),
        prompt: ask,
        files: [],
        answer: (r, n) => Array.from({ length: Math.max(5, n) }, (_, i) => `${i + 1}. ${r.pick(PROSE)}`).join('\n'),
      };
    }
  }
}

export function followUp(rng: Random): string {
  return rng.pick(FOLLOW_UPS);
}

/** A pasted document well over 1 MB (a log export), for the large-chat share. */
export function largePaste(rng: Random, bytes: number): string {
  const line = `2026-01-0${rng.int(1, 9)}T0${rng.int(0, 9)}:12:45Z INFO worker-${rng.int(1, 9)} processed batch ${rng.hex(8)} in ${rng.int(10, 999)} ms\n`;
  return `Can you find the slowest batches in this log?\n\n${line.repeat(Math.ceil(bytes / line.length))}`;
}
