import { afterEach, describe, expect, it } from 'vitest';
import { checkLlmReachable } from '../../../src/main/core/llm/openai.ts';
import { startFakeOpenAI, type FakeOpenAI } from '../../support/fake-openai-server.ts';

let server: FakeOpenAI | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

describe('checkLlmReachable', () => {
  it('lists the models and confirms the configured one', async () => {
    server = await startFakeOpenAI({ apiKey: 'sk-good-key-1234567' });
    const result = await checkLlmReachable({ baseUrl: server.url, apiKey: 'sk-good-key-1234567', model: 'gpt-4o-mini' });
    expect(result).toMatchObject({ ok: true, modelAvailable: true });
    expect(result.models).toContain('gpt-4o-mini');
    expect(result.message).toBe(`Connected to 127.0.0.1:${server.port}; model "gpt-4o-mini" is available.`);
    expect(result.latencyMs).toBeGreaterThanOrEqual(0);
    expect(server.stats().chatRequests).toBe(0); // listing models costs no tokens
  });

  it('says when the model is not offered', async () => {
    server = await startFakeOpenAI();
    const result = await checkLlmReachable({ baseUrl: server.url, model: 'gpt-9-imaginary' });
    expect(result.ok).toBe(false);
    expect(result.modelAvailable).toBe(false);
    expect(result.message).toContain('does not offer the model "gpt-9-imaginary"');
    expect(result.message).toContain('gpt-4o-mini');
  });

  it('falls back to a one-token completion when there is no models API', async () => {
    server = await startFakeOpenAI({ modelsEndpoint: false });
    const result = await checkLlmReachable({ baseUrl: server.url, model: 'gpt-4o-mini' });
    expect(result).toMatchObject({ ok: true, modelAvailable: true });
    expect(server.stats().chatRequests).toBe(1);
  });

  it('reports a refused key without repeating it', async () => {
    server = await startFakeOpenAI({ apiKey: 'sk-good-key-1234567' });
    const result = await checkLlmReachable({ baseUrl: server.url, apiKey: 'sk-wrong-key-7654321', model: 'gpt-4o-mini' });
    expect(result.ok).toBe(false);
    expect(result.message).toBe('The LLM endpoint refused the API key (401). Check the key in Settings.');
    expect(JSON.stringify(result)).not.toContain('sk-wrong-key-7654321');
  });

  it('reports an unreachable endpoint', async () => {
    server = await startFakeOpenAI();
    const url = server.url;
    await server.close();
    const result = await checkLlmReachable({ baseUrl: url, model: 'gpt-4o-mini', timeoutMs: 2_000 });
    expect(result.ok).toBe(false);
    expect(result.message).toMatch(/^Could not reach the LLM endpoint at 127\.0\.0\.1:\d+ \(ECONNREFUSED\)/);
  });

  it('reports a timeout', async () => {
    server = await startFakeOpenAI({ latencyMs: 2_000 });
    const result = await checkLlmReachable({ baseUrl: server.url, timeoutMs: 200 });
    expect(result.ok).toBe(false);
    expect(result.message).toContain('did not answer within');
  });
});
