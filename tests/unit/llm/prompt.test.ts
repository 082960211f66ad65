import { describe, expect, it } from 'vitest';
import {
  buildMessages,
  buildUserMessage,
  ESTIMATE_JSON_SCHEMA,
  PROMPT_VERSION,
  responseFormatFor,
  SYSTEM_PROMPT,
} from '../../../src/main/core/llm/prompt.ts';
import { TASK_CATEGORIES } from '../../../src/main/core/llm/types.ts';
import { sampleSummary } from './summary-fixture.ts';

describe('prompt', () => {
  it('has a version', () => {
    expect(PROMPT_VERSION).toMatch(/^estimate-v\d+$/);
  });

  it('asks for minutes without AI and names every field (needed in json_object mode)', () => {
    expect(SYSTEM_PROMPT).toContain('WITHOUT AI');
    expect(SYSTEM_PROMPT).toContain('JSON');
    for (const key of ESTIMATE_JSON_SCHEMA.required) expect(SYSTEM_PROMPT).toContain(key);
    for (const category of TASK_CATEGORIES) expect(SYSTEM_PROMPT).toContain(category);
  });

  it('builds a strict JSON schema OpenAI accepts: all properties required, nothing extra', () => {
    expect(Object.keys(ESTIMATE_JSON_SCHEMA.properties).sort()).toEqual([...ESTIMATE_JSON_SCHEMA.required].sort());
    expect(ESTIMATE_JSON_SCHEMA.additionalProperties).toBe(false);
    expect(ESTIMATE_JSON_SCHEMA.properties.task_category.enum).toEqual([...TASK_CATEGORIES]);
    expect(responseFormatFor('json_schema')).toMatchObject({ type: 'json_schema', json_schema: { strict: true, schema: ESTIMATE_JSON_SCHEMA } });
    expect(responseFormatFor('json_object')).toEqual({ type: 'json_object' });
    expect(responseFormatFor('prompt_only')).toBeUndefined();
  });

  it('renders only the summary, without the with-AI timing', () => {
    const summary = sampleSummary({ activeMinutes: 37, totalMinutes: 91 });
    const text = buildUserMessage(summary);
    expect(text).toContain('Task type guess: coding');
    expect(text).toContain('3 requests from the person');
    expect(text).toContain('Code blocks: 4');
    expect(text).toContain('1 pdf');
    expect(text).toContain(summary.userRequestSamples[0]);
    expect(text).toContain(summary.finalAnswerSample);
    expect(text).not.toContain('37');
    expect(text).not.toContain('91');
  });

  it('keeps the message small even for an oversized summary', () => {
    const huge = 'x'.repeat(20_000);
    const text = buildUserMessage(sampleSummary({ userRequestSamples: [huge, huge, huge, huge, huge], finalAnswerSample: huge }));
    expect(text.length).toBeLessThan(3_000);
  });

  it('handles empty samples and attachments', () => {
    const text = buildUserMessage(sampleSummary({ userRequestSamples: [], finalAnswerSample: '', attachments: {} }));
    expect(text).toContain('Attachments: none');
    expect(text).toContain('(none)');
  });

  it('sends a system and a user message', () => {
    const messages = buildMessages(sampleSummary());
    expect(messages.map((m) => m.role)).toEqual(['system', 'user']);
  });
});
