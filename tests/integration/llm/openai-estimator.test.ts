// The OpenAI estimator against our fake OpenAI-compatible server over real HTTP.

import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DEFAULT_PRICES } from '../../../src/main/core/config/settings.ts';
import { createOpenAIEstimator, isFatalForRun, type OpenAIEstimatorOptions } from '../../../src/main/core/llm/openai.ts';
import { buildUserMessage, PROMPT_VERSION } from '../../../src/main/core/llm/prompt.ts';
import { EstimateError } from '../../../src/main/core/llm/types.ts';
import { fakeAnswerFor, startFakeOpenAI, type FakeOpenAI, type FakeOpenAIOptions } from '../../support/fake-openai-server.ts';
import { sampleSummary } from '../../unit/llm/summary-fixture.ts';

const API_KEY = 'sk-test-0123456789abcdefSECRET';

let server: FakeOpenAI;

async function start(options: FakeOpenAIOptions = {}): Promise<FakeOpenAI> {
  server = await startFakeOpenAI(options);
  return server;
}

afterEach(async () => {
  await server?.close();
});

function estimator(overrides: Partial<OpenAIEstimatorOptions> = {}) {
  return createOpenAIEstimator({
    apiKey: API_KEY,
    baseUrl: server.url,
    model: 'gpt-4o-mini',
    requestsPerMinute: 6_000,
    concurrency: 4,
    timeoutMs: 5_000,
    maxRetries: 3,
    prices: DEFAULT_PRICES,
    backoffBaseMs: 20,
    backoffMaxMs: 200,
    ...overrides,
  });
}

async function expectEstimateError(promise: Promise<unknown>): Promise<EstimateError> {
  try {
    await promise;
  } catch (error) {
    expect(error).toBeInstanceOf(EstimateError);
    return error as EstimateError;
  }
  throw new Error('expected an EstimateError');
}

describe('OpenAI estimator against the fake server', () => {
  beforeEach(async () => {
    await start();
  });

  it('returns the validated estimate with tokens, cost, model and prompt version', async () => {
    const est = estimator();
    const summary = sampleSummary();
    const result = await est.estimate(summary);
    const expected = fakeAnswerFor(buildUserMessage(summary));

    expect(result).toMatchObject({
      low: expected.low,
      mostLikely: expected.most_likely,
      high: expected.high,
      confidence: expected.confidence,
      taskCategory: 'coding',
      workRelated: expected.work_related,
      taskCompleted: expected.task_completed,
      reasoning: expected.reasoning,
      repaired: false,
      source: 'llm',
      model: 'gpt-4o-mini',
      promptVersion: PROMPT_VERSION,
      attempts: 1,
      priced: true,
      responseFormat: 'json_schema',
    });
    expect(result.raw).toEqual(expected);
    expect(result.inputTokens).toBeGreaterThan(100);
    expect(result.outputTokens).toBeGreaterThan(10);
    const price = DEFAULT_PRICES['gpt-4o-mini']!;
    expect(result.costUsd).toBeCloseTo((result.inputTokens * price.inputPerMTok + result.outputTokens * price.outputPerMTok) / 1e6, 9);
    expect(est.requestCount).toBe(1);

    const [request] = server.requests;
    expect(request?.authorization).toBe(`Bearer ${API_KEY}`);
    expect(request?.responseFormat).toBe('json_schema');
    expect(request?.body?.response_format).toMatchObject({ type: 'json_schema', json_schema: { strict: true } });
    expect(request?.userMessage).toBe(result.userMessage);
    expect(est.stats()).toMatchObject({ requests: 1, retries: 0, succeeded: 1, failures: 0, rateLimited: 0 });
  });

  it('handles slow answers with several estimates in flight, never more than `concurrency`', async () => {
    server.setLatency(250);
    const est = estimator({ concurrency: 3 });
    const started = performance.now();
    const results = await Promise.all(Array.from({ length: 6 }, (_, i) => est.estimate(sampleSummary({ wordsByUser: i }))));
    const elapsed = performance.now() - started;
    expect(results).toHaveLength(6);
    expect(server.stats().maxConcurrent).toBe(3);
    // Two waves of 3 at 250 ms each: parallel, yet bounded.
    expect(elapsed).toBeGreaterThanOrEqual(480);
    expect(elapsed).toBeLessThan(2_500);
  });

  it('honours Retry-After on a 429: the retry waits at least the header', async () => {
    server.enqueue({ kind: 'rate_limit', retryAfterSeconds: 1 });
    const est = estimator();
    const result = await est.estimate(sampleSummary());
    expect(result.attempts).toBe(2);
    const [first, second] = server.requests;
    expect(first?.outcome).toBe(429);
    expect(second!.at - first!.at).toBeGreaterThanOrEqual(1_000);
    expect(est.stats()).toMatchObject({ requests: 2, retries: 1, rateLimited: 1 });
  });

  it('honours retry-after-ms and pauses every worker, not just the one that got the 429', async () => {
    server.enqueue({ kind: 'rate_limit', retryAfterMs: 700 });
    const est = estimator();
    const first = est.estimate(sampleSummary({ wordsByUser: 1 }));
    // Let the 429 arrive, then start an unrelated estimate: it must wait for the pause too.
    await new Promise((resolve) => setTimeout(resolve, 150));
    const second = est.estimate(sampleSummary({ wordsByUser: 2 }));
    await Promise.all([first, second]);
    const [limited, ...rest] = server.requests;
    expect(limited?.outcome).toBe(429);
    expect(rest).toHaveLength(2);
    for (const r of rest) expect(r.at - limited!.at).toBeGreaterThanOrEqual(700);
  });

  it('backs off on a 429 without Retry-After', async () => {
    server.enqueue({ kind: 'rate_limit' }, { kind: 'rate_limit' });
    const est = estimator({ backoffBaseMs: 100 });
    const result = await est.estimate(sampleSummary());
    expect(result.attempts).toBe(3);
    const [a, b, c] = server.requests;
    // Equal jitter: at least half of 100 ms, then half of 200 ms.
    expect(b!.at - a!.at).toBeGreaterThanOrEqual(50);
    expect(c!.at - b!.at).toBeGreaterThanOrEqual(100);
    expect(est.stats().rateLimited).toBe(2);
  });

  it('retries a 500 and succeeds', async () => {
    server.enqueue({ kind: 'error', status: 500 });
    const est = estimator();
    const result = await est.estimate(sampleSummary());
    expect(result.attempts).toBe(2);
    expect(est.stats()).toMatchObject({ serverErrors: 1, retries: 1, succeeded: 1 });
  });

  it('gives up on a persistent 503 after maxRetries with a readable server_error', async () => {
    server.setBehaviour(() => ({ kind: 'error', status: 503, message: 'Service overloaded' }));
    const est = estimator({ maxRetries: 2 });
    const error = await expectEstimateError(est.estimate(sampleSummary()));
    expect(error.code).toBe('server_error');
    expect(error.attempts).toBe(3);
    expect(error.message).toMatch(/kept failing \(HTTP 503: Service overloaded\) after 3 attempts/);
    expect(server.stats().chatRequests).toBe(3);
    expect(est.stats()).toMatchObject({ failures: 1, serverErrors: 3 });
  });

  it('retries invalid JSON once, then fails with invalid_response (no invented numbers)', async () => {
    server.setBehaviour(() => ({ kind: 'invalid_json' }));
    const est = estimator();
    const error = await expectEstimateError(est.estimate(sampleSummary()));
    expect(error.code).toBe('invalid_response');
    expect(error.attempts).toBe(2);
    expect(error.message).toContain('not valid JSON');
    expect(est.stats().invalidResponses).toBe(2);
  });

  it('recovers when the retry after invalid JSON is good, counting both calls’ tokens', async () => {
    server.enqueue({ kind: 'invalid_json' });
    const est = estimator();
    const result = await est.estimate(sampleSummary());
    expect(result.attempts).toBe(2);
    // Both calls were billed, so both count.
    expect(result.inputTokens).toBe(est.stats().inputTokens);
    expect(result.inputTokens).toBe(server.requests.length * Math.ceil(JSON.stringify(server.requests[0]!.body!.messages).length / 4));
  });

  it('treats missing fields as an invalid response', async () => {
    server.setBehaviour(() => ({ kind: 'missing_fields' }));
    const error = await expectEstimateError(estimator().estimate(sampleSummary()));
    expect(error.code).toBe('invalid_response');
    expect(error.message).toContain('missing');
  });

  it('repairs out-of-order estimates by sorting', async () => {
    server.enqueue({ kind: 'out_of_order' });
    const summary = sampleSummary();
    const expected = fakeAnswerFor(buildUserMessage(summary));
    const result = await estimator().estimate(summary);
    expect(result).toMatchObject({ low: expected.low, mostLikely: expected.most_likely, high: expected.high, repaired: true });
    expect(result.repairs).toContain('sorted');
    expect(result.raw).toMatchObject({ low: expected.high, high: expected.low });
  });

  it('repairs negative numbers to 0', async () => {
    server.enqueue({ kind: 'negative' });
    const result = await estimator().estimate(sampleSummary());
    expect(result.low).toBe(0);
    expect(result.repaired).toBe(true);
  });

  it('caps absurd numbers at 2,400 minutes', async () => {
    server.enqueue({ kind: 'absurd' });
    const result = await estimator().estimate(sampleSummary());
    expect(result).toMatchObject({ low: 2_400, mostLikely: 2_400, high: 2_400, repaired: true });
    expect(result.repairs).toContain('capped');
  });

  it('reports a refusal as refused, without retrying', async () => {
    server.setBehaviour(() => ({ kind: 'refusal', message: 'I cannot help with that.' }));
    const est = estimator();
    const error = await expectEstimateError(est.estimate(sampleSummary()));
    expect(error.code).toBe('refused');
    expect(error.attempts).toBe(1);
    expect(error.message).toContain('I cannot help with that.');
    expect(est.stats().refusals).toBe(1);
  });

  it('reports a content-filter stop as refused', async () => {
    server.setBehaviour(() => ({ kind: 'content_filter' }));
    const error = await expectEstimateError(estimator().estimate(sampleSummary()));
    expect(error.code).toBe('refused');
  });

  it('treats an Azure prompt filter (400 content_filter) as refused, not as a configuration error', async () => {
    server.setBehaviour(() => ({
      kind: 'error',
      status: 400,
      code: 'content_filter',
      message: "The response was filtered due to the prompt triggering Azure OpenAI's content management policy.",
    }));
    const error = await expectEstimateError(estimator().estimate(sampleSummary()));
    expect(error.code).toBe('refused');
    expect(isFatalForRun(error)).toBe(false);
  });

  it('explains an unknown model clearly and does not retry', async () => {
    const est = estimator({ model: 'gpt-9-imaginary' });
    const error = await expectEstimateError(est.estimate(sampleSummary()));
    expect(error.code).toBe('config');
    expect(error.message).toBe(`The model "gpt-9-imaginary" is not available at 127.0.0.1:${server.port} (404). Choose another model in Settings.`);
    expect(isFatalForRun(error)).toBe(true);
    expect(server.stats().chatRequests).toBe(1);
  });

  it('times out a hanging server per attempt, retries a bounded number of times, then fails with timeout', async () => {
    server.setBehaviour(() => ({ kind: 'hang' }));
    const est = estimator({ timeoutMs: 300, maxRetries: 2 });
    const started = performance.now();
    const error = await expectEstimateError(est.estimate(sampleSummary()));
    const elapsed = performance.now() - started;
    expect(error.code).toBe('timeout');
    expect(error.attempts).toBe(3);
    expect(error.message).toContain('did not answer within');
    expect(server.stats().chatRequests).toBe(3);
    expect(elapsed).toBeGreaterThanOrEqual(900);
    expect(elapsed).toBeLessThan(4_000);
    expect(est.stats().timeouts).toBe(3);
  });

  it('retries a connection reset and succeeds', async () => {
    server.enqueue({ kind: 'reset' });
    const est = estimator();
    const result = await est.estimate(sampleSummary());
    expect(result.attempts).toBe(2);
    expect(est.stats().connectionErrors).toBe(1);
  });

  it('fails with connection after persistent resets', async () => {
    server.setBehaviour(() => ({ kind: 'reset' }));
    const error = await expectEstimateError(estimator({ maxRetries: 1 }).estimate(sampleSummary()));
    expect(error.code).toBe('connection');
    expect(error.attempts).toBe(2);
    expect(error.message).toContain('Could not reach the LLM endpoint');
  });

  it('explains a base URL that serves a web page instead of the API', async () => {
    server.setBehaviour(() => ({ kind: 'raw', status: 200, contentType: 'text/html', body: '<!doctype html><title>Open WebUI</title>' }));
    const error = await expectEstimateError(estimator().estimate(sampleSummary()));
    expect(error.code).toBe('config');
    expect(error.message).toContain('did not answer like an OpenAI-compatible API');
    expect(server.stats().chatRequests).toBe(1);
  });

  it('records 0 tokens when the endpoint sends no usage', async () => {
    server.enqueue({ kind: 'no_usage' });
    const est = estimator();
    const result = await est.estimate(sampleSummary());
    expect(result).toMatchObject({ inputTokens: 0, outputTokens: 0, costUsd: 0 });
    expect(est.stats().missingUsage).toBe(1);
  });

  it('costs an unpriced model at 0 and notes it', async () => {
    const est = estimator({ model: 'fake-estimator' });
    const result = await est.estimate(sampleSummary());
    expect(result.costUsd).toBe(0);
    expect(result.priced).toBe(false);
    expect(result.inputTokens).toBeGreaterThan(0);
    expect(est.stats().unpricedModels).toEqual(['fake-estimator']);
  });

  it('fails at once when Retry-After is longer than we will wait, and holds back the next estimate', async () => {
    server.enqueue({ kind: 'rate_limit', retryAfterSeconds: 3_600 });
    const est = estimator({ maxRetryAfterMs: 10_000 });
    const error = await expectEstimateError(est.estimate(sampleSummary()));
    expect(error.code).toBe('rate_limited');
    expect(error.message).toContain('60 min');
    const next = await expectEstimateError(est.estimate(sampleSummary()));
    expect(next.code).toBe('rate_limited');
    expect(next.attempts).toBe(0);
    expect(server.stats().chatRequests).toBe(1);
  });

  it('does not retry an exhausted quota', async () => {
    server.setBehaviour(() => ({ kind: 'rate_limit', code: 'insufficient_quota' }));
    const error = await expectEstimateError(estimator().estimate(sampleSummary()));
    expect(error.code).toBe('config');
    expect(error.message).toContain('no quota left');
    expect(server.stats().chatRequests).toBe(1);
  });

  it('drops temperature when the model rejects it, and remembers', async () => {
    server.setBehaviour(({ body }) =>
      body.temperature !== undefined
        ? { kind: 'error', status: 400, message: "Unsupported value: 'temperature' does not support 0 with this model.", param: 'temperature' }
        : undefined,
    );
    const est = estimator();
    await est.estimate(sampleSummary());
    await est.estimate(sampleSummary());
    expect(server.stats().chatRequests).toBe(3);
    expect(est.stats().droppedParams).toEqual(['temperature']);
  });
});

describe('structured-output fallback', () => {
  it('falls back to json_object once when json_schema is rejected, and remembers it', async () => {
    await start({ supportsJsonSchema: false });
    const est = estimator();
    const first = await est.estimate(sampleSummary());
    expect(first.responseFormat).toBe('json_object');
    expect(server.requests.map((r) => [r.responseFormat, r.outcome])).toEqual([
      ['json_schema', 400],
      ['json_object', 200],
    ]);
    await est.estimate(sampleSummary());
    expect(server.requests[2]?.responseFormat).toBe('json_object');
    expect(est.responseFormat).toBe('json_object');
  });

  it('falls back to prompt-only JSON when both structured modes are rejected', async () => {
    await start({ supportsJsonSchema: false, supportsJsonObject: false });
    const est = estimator();
    const summary = sampleSummary();
    const result = await est.estimate(summary);
    expect(result.responseFormat).toBe('prompt_only');
    expect(result.mostLikely).toBe(fakeAnswerFor(buildUserMessage(summary)).most_likely);
    expect(server.requests.map((r) => r.responseFormat)).toEqual(['json_schema', 'json_object', 'none']);
  });

  it('steps down only once when concurrent workers hit the rejection together', async () => {
    await start({ supportsJsonSchema: false, latencyMs: 50 });
    const est = estimator({ concurrency: 4 });
    const results = await Promise.all(Array.from({ length: 4 }, () => est.estimate(sampleSummary())));
    expect(results.every((r) => r.responseFormat === 'json_object')).toBe(true);
    expect(server.requests.some((r) => r.responseFormat === 'none')).toBe(false);
  });
});

describe('keys and cancellation', () => {
  it('says the key was refused on a 401 and never repeats the key', async () => {
    await start({ apiKey: 'sk-the-right-key-000000' });
    const error = await expectEstimateError(estimator().estimate(sampleSummary()));
    expect(error.code).toBe('config');
    expect(error.message).toBe('The LLM endpoint refused the API key (401). Check the key in Settings.');
    expect(error.message).not.toContain(API_KEY);
  });

  it('scrubs the key from server messages it passes on', async () => {
    await start();
    server.setBehaviour(() => ({ kind: 'error', status: 400, message: `Bad request for key ${API_KEY}` }));
    const error = await expectEstimateError(estimator().estimate(sampleSummary()));
    expect(error.message).toContain('rejected the request (400)');
    expect(error.message).not.toContain(API_KEY);
    expect(error.message).not.toContain('SECRET');
  });

  it('cancels an in-flight request', async () => {
    await start();
    server.setBehaviour(() => ({ kind: 'hang' }));
    const est = estimator();
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 100);
    const started = performance.now();
    const error = await expectEstimateError(est.estimate(sampleSummary(), controller.signal));
    expect(error.code).toBe('cancelled');
    expect(performance.now() - started).toBeLessThan(1_000);
    expect(est.stats()).toMatchObject({ cancelled: 1, failures: 0 });
  });

  it('cancels an estimate still waiting for a rate-limit slot, without sending it', async () => {
    await start();
    const est = estimator({ requestsPerMinute: 1 });
    await est.estimate(sampleSummary());
    const controller = new AbortController();
    const waiting = est.estimate(sampleSummary(), controller.signal);
    setTimeout(() => controller.abort(), 50);
    const error = await expectEstimateError(waiting);
    expect(error.code).toBe('cancelled');
    expect(error.attempts).toBe(0);
    expect(server.stats().chatRequests).toBe(1);
  });

  it('cancels during a Retry-After wait', async () => {
    await start();
    server.enqueue({ kind: 'rate_limit', retryAfterSeconds: 30 });
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 100);
    const error = await expectEstimateError(estimator({ maxRetryAfterMs: 60_000 }).estimate(sampleSummary(), controller.signal));
    expect(error.code).toBe('cancelled');
  });

  it('fails fast with connection when nothing listens on the port', async () => {
    await start();
    const url = server.url;
    await server.close();
    const est = createOpenAIEstimator({
      baseUrl: url,
      model: 'gpt-4o-mini',
      requestsPerMinute: 600,
      concurrency: 1,
      timeoutMs: 2_000,
      maxRetries: 1,
      prices: DEFAULT_PRICES,
      backoffBaseMs: 10,
    });
    const error = await expectEstimateError(est.estimate(sampleSummary()));
    expect(error.code).toBe('connection');
    expect(error.message).toContain('ECONNREFUSED');
  });
});
