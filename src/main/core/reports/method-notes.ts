// The method notes every PDF report carries (SPEC §10, condensed from docs/method.md): how the
// figures are made, how uncertain they are, and what is left out. Plain data so tests can look
// for them in the PDF's text and the console could show the same words.

export interface NoteSection {
  title: string;
  paragraphs: string[];
}

export function methodNotes(context: { idleThresholdMinutes: number; heuristicShare: number | null }): NoteSection[] {
  const heuristic =
    context.heuristicShare === null
      ? ''
      : context.heuristicShare >= 0.995
        ? ' All estimates in this report come from the offline heuristic.'
        : context.heuristicShare <= 0.005
          ? ' All estimates in this report come from the language model.'
          : ` In this report ${Math.round(context.heuristicShare * 100)} % of the estimates come from the offline heuristic, the rest from the language model.`;
  return [
    {
      title: 'How the estimates are made',
      paragraphs: [
        'Time saved is an estimate. For every conversation the console compares how long the person actually worked with the assistant with how long a competent person would have needed for the same task without AI, and keeps the difference, never below zero: time saved = max(0, most likely manual minutes − minutes with AI). The value of time saved is the hours saved times the configured hourly rate.',
        'The manual time comes from a language model that receives only a compact, redacted summary of the conversation (task type, language, message and word counts, code and attachments, and short samples with e-mail addresses, phone numbers, account numbers, keys and similar data removed) and answers with low, most likely and high minutes, a confidence of 0–100, a task category, and whether the task was work-related and completed. Where no model may be used, a documented offline heuristic adds up writing, code, reading, attachment and framing minutes; it is cruder and reports a lower confidence.' +
          heuristic,
      ],
    },
    {
      title: 'Minutes with AI: active time and engaged time',
      paragraphs: [
        `Active time (the original formula) counts every gap between consecutive messages that is no longer than the idle threshold (${context.idleThresholdMinutes} minutes); idle time is the rest of the span from the first to the last message. Because Open WebUI stamps an answer with the same second as its question, a one-question conversation shows 0 active minutes however long the person spent writing and reading.`,
        'Engaged time (recommended) adds a composing window before each question (its words at typing speed, 40 words per minute) and a reading window after each answer (230 words per minute); pasted material and code are timed at skimming speed. Engaged time is never less than active time, and parallel conversations of one person are counted once per day. Both figures are stored, and this report shows time saved on both bases, leading with the one chosen in Settings.',
      ],
    },
    {
      title: 'How uncertain the figures are',
      paragraphs: [
        'Anthropic (November 2025) had a model estimate how long tasks from 100,000 real conversations would take without AI: about 90 minutes on average, with about an 80 % time reduction. Checked against real task durations, the estimates correlated at about 0.44 (Spearman): useful in aggregate, unreliable for a single task; the model overestimates short tasks and underestimates long ones.',
        'METR (February 2026) measured time with AI from message timestamps and took a model’s estimate of the time without AI — the same design as this report — and calls the result a soft upper bound on the time saved.',
        'Microsoft’s “Copilot assisted hours” multiplies counts of actions by fixed minutes per action and prices the hours at $72 per hour by default: a cruder method, useful as a comparison for the value figures.',
        'Read the figures therefore as sums over many conversations and as ranges — the band around the daily trend and the low–high range on the cards — not as a stopwatch reading for any single conversation. Each estimate records its source and confidence.',
      ],
    },
    {
      title: 'What is excluded',
      paragraphs: [
        'Each estimate records whether the task was work-related and whether it was completed; analysts can exclude non-work conversations and unfinished tasks from the dashboard and the detailed export. Conversations the source cannot read (no timestamps, unparsable data, internal or shared snapshot chats) are skipped with a reason and never counted. Names and e-mail addresses never enter the analytics database: people are identified by a salted hash and named only while the Open WebUI database can be read.',
      ],
    },
  ];
}
