// The LLM estimator: one chat completion per conversation summary against any OpenAI-compatible
// endpoint (OpenAI, Azure OpenAI v1, Ollama, vLLM, LM Studio).
//
// Retries are ours, not the SDK's (the client is built with maxRetries: 0), because every
// attempt has to pass through the shared rate limiter and be counted: the SDK's internal retry
// would send requests the limiter never saw. Failures end in an EstimateError with a code and a
// message a person can act on; they never turn into numbers.

import { AsyncLocalStorage } from 'node:async_hooks';
import OpenAI, {
  APIConnectionError,
  APIConnectionTimeoutError,
  APIError,
  APIUserAbortError,
} from 'openai';
import type { ChatCompletion, ChatCompletionCreateParamsNonStreaming } from 'openai/resources/chat/completions';
import { Semaphore } from './pool.ts';
import { priceUsage, type PriceTable } from './pricing.ts';
import {
  buildMessages,
  buildUserMessage,
  PROMPT_VERSION,
  RESPONSE_FORMAT_MODES,
  responseFormatFor,
  type ResponseFormatMode,
} from './prompt.ts';
import { AcquireAbortedError, RateLimiter, type RateLimitGrant } from './ratelimit.ts';
import { EstimateError, type ConversationSummary, type Estimate, type Estimator } from './types.ts';
import { parseAnswer, type Repair } from './validate.ts';

export const DEFAULT_BASE_URL = 'https://api.openai.com/v1';

export interface OpenAIEstimatorOptions {
  /** Optional: local servers (Ollama, vLLM, LM Studio) usually need none. */
  apiKey?: string;
  /** OpenAI-compatible base URL ending in /v1; default api.openai.com. */
  baseUrl?: string;
  model: string;
  requestsPerMinute: number;
  /** Most requests in flight at once; callers may run more estimates, the rest queue here. */
  concurrency: number;
  /** Per attempt, including reading the body. */
  timeoutMs: number;
  /** Retries after 429/5xx/timeouts/connection failures (so up to maxRetries + 1 attempts). */
  maxRetries: number;
  prices: PriceTable;
  /** Share one limiter between estimators, or use a scaled window in tests. */
  limiter?: RateLimiter;
  /** Exponential backoff when the server gives no Retry-After. */
  backoffBaseMs?: number;
  backoffMaxMs?: number;
  /**
   * Longest Retry-After we are willing to sit out. A longer one (quota windows, maintenance)
   * fails the estimate at once; the conversation is retried next run instead of blocking this one.
   */
  maxRetryAfterMs?: number;
  /** Fresh requests after an unusable answer (bad JSON, missing fields). */
  invalidResponseRetries?: number;
  /** Output cap; keeps a rambling local model from running into the timeout. */
  maxOutputTokens?: number;
}

/** What the LLM estimator returns: an Estimate plus details for logs and diagnostics. */
export interface LlmEstimate extends Estimate {
  source: 'llm';
  /** Requests this estimate took (1 when the first answer was good). */
  attempts: number;
  repairs: Repair[];
  /** False when the price table has no entry for the model; costUsd is then 0. */
  priced: boolean;
  /** Model name the endpoint reported (often a dated snapshot of `model`). */
  responseModel: string | undefined;
  responseFormat: ResponseFormatMode;
  /** The exact user message sent (the rendered, redacted summary). */
  userMessage: string;
}

export interface EstimatorStats {
  /** HTTP requests sent, every attempt included. */
  requests: number;
  /** Requests that repeated an earlier attempt of the same estimate. */
  retries: number;
  /** 429 answers received. */
  rateLimited: number;
  serverErrors: number;
  timeouts: number;
  connectionErrors: number;
  invalidResponses: number;
  refusals: number;
  /** Estimates that ended in an EstimateError (cancellations excluded). */
  failures: number;
  cancelled: number;
  succeeded: number;
  repaired: number;
  inputTokens: number;
  outputTokens: number;
  /** Includes tokens of failed attempts: they are billed too. */
  costUsd: number;
  /** Models answered for which no price is known (costed at 0). */
  unpricedModels: string[];
  /** Answers without a usage block (tokens counted as 0). */
  missingUsage: number;
  responseFormat: ResponseFormatMode;
  /** Optional request parameters dropped because the endpoint rejected them. */
  droppedParams: string[];
  inFlight: number;
  maxInFlight: number;
}

export interface OpenAIEstimator extends Estimator {
  readonly source: 'llm';
  estimate(summary: ConversationSummary, signal?: AbortSignal): Promise<LlmEstimate>;
  stats(): EstimatorStats;
  readonly limiter: RateLimiter;
  readonly responseFormat: ResponseFormatMode;
}

/** Errors after which continuing the run is pointless (bad key, unknown model, no quota). */
export function isFatalForRun(error: unknown): boolean {
  return error instanceof EstimateError && error.code === 'config';
}

type RetryCode = 'rate_limited' | 'server_error' | 'timeout' | 'connection';
type OptionalParam = 'temperature' | 'max_completion_tokens';

type Failure =
  | { kind: 'retry'; code: RetryCode; retryAfterMs: number | undefined; detail: string }
  | { kind: 'fatal'; code: EstimateError['code']; message: string }
  | { kind: 'downgrade_format' }
  | { kind: 'drop_param'; param: OptionalParam }
  | { kind: 'cancelled' };

// ---------------------------------------------------------------------------------------------
// Helpers shared with checkLlmReachable

function hostOf(baseUrl: string): string {
  try {
    return new URL(baseUrl).host || baseUrl;
  } catch {
    return baseUrl;
  }
}

/** Removes the API key and anything shaped like a secret from text that may reach a person or a log. */
export function scrubSecrets(text: string, apiKey: string | undefined): string {
  let out = text;
  if (apiKey && apiKey.length >= 4) out = out.split(apiKey).join('[redacted]');
  return out
    .replace(/\b(sk|rk|pk)-[A-Za-z0-9_*-]{6,}/g, '[redacted]')
    .replace(/\bBearer\s+[A-Za-z0-9._~+/=-]{8,}/gi, 'Bearer [redacted]');
}

function clip(text: string, max = 240): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length <= max ? flat : `${flat.slice(0, max - 1)}…`;
}

function apiErrorDetail(error: APIError): string {
  const body = error.error as { message?: unknown } | undefined;
  if (body && typeof body.message === 'string' && body.message) return body.message;
  return error.message;
}

/** Retry-After (seconds or HTTP date) and the non-standard but common retry-after-ms. */
export function parseRetryAfter(headers: Headers | undefined, now = Date.now()): number | undefined {
  if (!headers) return undefined;
  const ms = headers.get('retry-after-ms');
  if (ms !== null && ms.trim() !== '') {
    const value = Number(ms);
    if (Number.isFinite(value) && value >= 0) return value;
  }
  const after = headers.get('retry-after');
  if (after !== null && after.trim() !== '') {
    const seconds = Number(after);
    if (Number.isFinite(seconds) && seconds >= 0) return seconds * 1000;
    const date = Date.parse(after);
    if (Number.isFinite(date)) return Math.max(0, date - now);
  }
  return undefined;
}

function connectionCause(error: unknown): string {
  // undici wraps the useful part ("ECONNREFUSED", "other side closed") a few causes deep.
  let current: unknown = error;
  for (let depth = 0; depth < 5 && current; depth++) {
    if (typeof current === 'object' && current !== null) {
      const code = (current as { code?: unknown }).code;
      if (typeof code === 'string' && /^E[A-Z]+|^UND_ERR/.test(code)) return code;
      current = (current as { cause?: unknown }).cause;
    } else break;
  }
  return error instanceof Error ? error.message : String(error);
}

interface Context {
  apiKey: string | undefined;
  baseUrl: string;
  model: string;
  timeoutMs: number;
}

function mentions(error: APIError, ...words: string[]): boolean {
  const haystack = `${error.param ?? ''} ${error.code ?? ''} ${apiErrorDetail(error)}`.toLowerCase();
  return words.some((word) => haystack.includes(word));
}

function describeStatusError(error: APIError, ctx: Context): Failure {
  const status = error.status ?? 0;
  const host = hostOf(ctx.baseUrl);
  const detail = clip(scrubSecrets(apiErrorDetail(error), ctx.apiKey));
  const retryAfterMs = parseRetryAfter(error.headers);
  if (status === 401) {
    return {
      kind: 'fatal',
      code: 'config',
      message: ctx.apiKey
        ? 'The LLM endpoint refused the API key (401). Check the key in Settings.'
        : `The LLM endpoint at ${host} requires an API key (401) and none is configured. Add the key in Settings.`,
    };
  }
  if (status === 403) {
    return { kind: 'fatal', code: 'config', message: `The LLM endpoint denied access (403): ${detail}. Check that the API key may use model "${ctx.model}".` };
  }
  if (status === 404) {
    if (error.code === 'model_not_found' || mentions(error, 'model')) {
      return {
        kind: 'fatal',
        code: 'config',
        message: `The model "${ctx.model}" is not available at ${host} (404). Choose another model in Settings.`,
      };
    }
    return {
      kind: 'fatal',
      code: 'config',
      message: `${host} has no chat completions API at this address (404). Check the base URL in Settings; it usually ends in /v1.`,
    };
  }
  if (status === 429) {
    if (error.code === 'insufficient_quota' || mentions(error, 'insufficient_quota', 'exceeded your current quota')) {
      return {
        kind: 'fatal',
        code: 'config',
        message: 'The LLM account has no quota left (429 insufficient_quota). Check billing for the API key, then run again.',
      };
    }
    return { kind: 'retry', code: 'rate_limited', retryAfterMs, detail };
  }
  if (status === 408 || status === 409 || status >= 500) {
    return { kind: 'retry', code: status === 408 ? 'timeout' : 'server_error', retryAfterMs, detail: `HTTP ${status}: ${detail}` };
  }
  if (status === 400 || status === 422) {
    // Azure answers a filtered prompt with 400 content_filter, OpenAI with invalid_prompt: that
    // is about this conversation, not the configuration, so it must not stop the run.
    if (error.code === 'content_filter' || error.code === 'invalid_prompt' || mentions(error, 'content management policy', 'content_policy')) {
      return { kind: 'fatal', code: 'refused', message: `The endpoint's content filter declined this conversation (${status}): ${detail}` };
    }
    if (mentions(error, 'response_format', 'json_schema', 'json_object', 'structured output')) return { kind: 'downgrade_format' };
    if (mentions(error, 'max_completion_tokens')) return { kind: 'drop_param', param: 'max_completion_tokens' };
    if (mentions(error, 'temperature')) return { kind: 'drop_param', param: 'temperature' };
  }
  return { kind: 'fatal', code: 'config', message: `The LLM endpoint rejected the request (${status}): ${detail}` };
}

function classify(error: unknown, ctx: Context, userSignal: AbortSignal | undefined, attemptSignal: AbortSignal): Failure {
  // Which signal fired decides, whatever shape the error took on the way up.
  if (userSignal?.aborted) return { kind: 'cancelled' };
  if (error instanceof APIConnectionTimeoutError || (attemptSignal.aborted && !userSignal?.aborted)) {
    return { kind: 'retry', code: 'timeout', retryAfterMs: undefined, detail: `no answer within ${Math.round(ctx.timeoutMs / 1000)} s` };
  }
  if (error instanceof APIUserAbortError) return { kind: 'cancelled' };
  if (error instanceof APIConnectionError) {
    return { kind: 'retry', code: 'connection', retryAfterMs: undefined, detail: clip(scrubSecrets(connectionCause(error), ctx.apiKey)) };
  }
  if (error instanceof APIError) return describeStatusError(error, ctx);
  // A body that broke off mid-read surfaces as a plain TypeError/Error from fetch.
  return { kind: 'retry', code: 'connection', retryAfterMs: undefined, detail: clip(scrubSecrets(connectionCause(error), ctx.apiKey)) };
}

function exhaustedMessage(code: RetryCode, attempts: number, detail: string, ctx: Context): string {
  const host = hostOf(ctx.baseUrl);
  const tail = 'The conversation will be retried next run.';
  switch (code) {
    case 'rate_limited':
      return `The LLM endpoint kept answering "too many requests" (429) after ${attempts} attempts. Lower the requests per minute in Settings if this persists. ${tail}`;
    case 'server_error':
      return `The LLM endpoint at ${host} kept failing (${detail}) after ${attempts} attempts. ${tail}`;
    case 'timeout':
      return `The LLM endpoint at ${host} did not answer within ${Math.round(ctx.timeoutMs / 1000)} s (${attempts} attempts). Raise the timeout in Settings or check the server's load. ${tail}`;
    case 'connection':
      return `Could not reach the LLM endpoint at ${host} (${detail}) after ${attempts} attempts. Check the base URL and that the server is running. ${tail}`;
  }
}

function sleep(ms: number, signal: AbortSignal | undefined): Promise<void> {
  if (ms <= 0) return Promise.resolve();
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(signal?.reason);
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/** Exponential backoff with "equal jitter": at least half the step, so a retry is never immediate. */
function backoffMs(retry: number, baseMs: number, maxMs: number): number {
  const step = Math.min(maxMs, baseMs * 2 ** retry);
  return step / 2 + Math.random() * (step / 2);
}

/**
 * The grant of the request being sent, visible inside the SDK's call to fetch. Lets the
 * limiter log the moment the request really leaves, not the (earlier) moment it was granted.
 */
const currentGrant = new AsyncLocalStorage<RateLimitGrant>();

const stampingFetch: typeof fetch = (input, init) => {
  currentGrant.getStore()?.markSent();
  return fetch(input, init);
};

function createClient(options: { apiKey?: string | undefined; baseUrl: string; timeoutMs: number }): OpenAI {
  const isAzure = /\.openai\.azure\.com$|\.cognitiveservices\.azure\.com$/i.test(hostOf(options.baseUrl).replace(/:\d+$/, ''));
  return new OpenAI({
    // The SDK insists on some key; local servers ignore it. Passing one explicitly also stops
    // the SDK from silently picking up OPENAI_API_KEY behind the settings' back.
    apiKey: options.apiKey || 'no-key-configured',
    baseURL: options.baseUrl,
    maxRetries: 0,
    // Backstop only: our per-attempt signal enforces timeoutMs over headers AND body.
    timeout: options.timeoutMs + 5_000,
    // Azure's v1 endpoint authenticates API keys via the api-key header.
    ...(isAzure && options.apiKey ? { defaultHeaders: { 'api-key': options.apiKey } } : {}),
    logLevel: 'off',
    fetch: stampingFetch,
  });
}

// ---------------------------------------------------------------------------------------------

export function createOpenAIEstimator(options: OpenAIEstimatorOptions): OpenAIEstimator {
  const ctx: Context = {
    apiKey: options.apiKey || undefined,
    baseUrl: options.baseUrl || DEFAULT_BASE_URL,
    model: options.model,
    timeoutMs: options.timeoutMs,
  };
  const client = createClient({ apiKey: ctx.apiKey, baseUrl: ctx.baseUrl, timeoutMs: options.timeoutMs });
  const limiter = options.limiter ?? new RateLimiter({ requestsPerMinute: options.requestsPerMinute });
  const inFlight = new Semaphore(Math.max(1, options.concurrency));
  const maxRetries = Math.max(0, options.maxRetries);
  const backoffBase = options.backoffBaseMs ?? 1_000;
  const backoffMax = options.backoffMaxMs ?? 60_000;
  const maxRetryAfterMs = options.maxRetryAfterMs ?? 5 * 60_000;
  const invalidRetries = Math.max(0, options.invalidResponseRetries ?? 1);
  const maxOutputTokens = options.maxOutputTokens ?? 1_000;

  // Per instance, remembered across estimates: what the endpoint turned out to accept.
  let formatIndex = 0;
  const dropped = new Set<OptionalParam>();
  const unpriced = new Set<string>();
  const stats = {
    requests: 0,
    retries: 0,
    rateLimited: 0,
    serverErrors: 0,
    timeouts: 0,
    connectionErrors: 0,
    invalidResponses: 0,
    refusals: 0,
    failures: 0,
    cancelled: 0,
    succeeded: 0,
    repaired: 0,
    inputTokens: 0,
    outputTokens: 0,
    costUsd: 0,
    missingUsage: 0,
    inFlight: 0,
    maxInFlight: 0,
  };
  const mode = (): ResponseFormatMode => RESPONSE_FORMAT_MODES[formatIndex]!;

  interface Attempt {
    body: ChatCompletionCreateParamsNonStreaming;
    formatIndex: number;
    sent: Set<OptionalParam>;
  }

  function buildAttempt(summary: ConversationSummary): Attempt {
    const body: ChatCompletionCreateParamsNonStreaming = { model: options.model, messages: buildMessages(summary) };
    const format = responseFormatFor(RESPONSE_FORMAT_MODES[formatIndex]!);
    if (format) body.response_format = format;
    const sent = new Set<OptionalParam>();
    // Deterministic answers make re-analysis of an unchanged conversation stable.
    if (!dropped.has('temperature')) {
      body.temperature = 0;
      sent.add('temperature');
    }
    if (!dropped.has('max_completion_tokens')) {
      body.max_completion_tokens = maxOutputTokens;
      sent.add('max_completion_tokens');
    }
    return { body, formatIndex, sent };
  }

  /**
   * One listener on the caller's signal per estimate, however many waits and requests the
   * estimate goes through; a run usually shares one signal across all its estimates.
   */
  async function estimate(summary: ConversationSummary, callerSignal?: AbortSignal): Promise<LlmEstimate> {
    if (!callerSignal) return estimateLinked(summary, undefined);
    const local = new AbortController();
    const forward = (): void => local.abort(callerSignal.reason);
    if (callerSignal.aborted) forward();
    else callerSignal.addEventListener('abort', forward, { once: true });
    try {
      return await estimateLinked(summary, local.signal);
    } finally {
      callerSignal.removeEventListener('abort', forward);
    }
  }

  async function estimateLinked(summary: ConversationSummary, signal: AbortSignal | undefined): Promise<LlmEstimate> {
    const userMessage = buildUserMessage(summary);
    let attempts = 0;
    let transientRetries = 0;
    let invalidSeen = 0;
    let inputTokens = 0;
    let outputTokens = 0;
    let costUsd = 0;
    let priced = true;

    const fail = (message: string, code: EstimateError['code']): EstimateError => {
      if (code === 'cancelled') stats.cancelled += 1;
      else stats.failures += 1;
      return new EstimateError(scrubSecrets(message, ctx.apiKey), code, attempts);
    };
    const cancelled = (): EstimateError => fail('The estimate was cancelled.', 'cancelled');

    for (;;) {
      if (signal?.aborted) throw cancelled();
      const paused = limiter.pausedForMs();
      if (paused > maxRetryAfterMs) {
        throw fail(
          `The LLM endpoint asked to pause for ${Math.ceil(paused / 60_000)} min (Retry-After). The conversation will be retried next run.`,
          'rate_limited',
        );
      }

      // Order matters: take an in-flight slot first, then the rate-limit slot, so a start is
      // recorded only when the request really goes out.
      let release: () => void;
      try {
        release = await inFlight.acquire(signal);
      } catch {
        throw cancelled();
      }
      let grant: RateLimitGrant;
      try {
        grant = await limiter.acquire(signal);
      } catch (error) {
        release();
        if (error instanceof AcquireAbortedError || signal?.aborted) throw cancelled();
        throw error;
      }

      attempts += 1;
      stats.requests += 1;
      if (attempts > 1) stats.retries += 1;
      stats.inFlight += 1;
      stats.maxInFlight = Math.max(stats.maxInFlight, stats.inFlight);
      const attempt = buildAttempt(summary);
      // The timeout starts now, not while queued, and covers reading the body too.
      const attemptSignal = AbortSignal.timeout(options.timeoutMs);
      const requestSignal = signal ? AbortSignal.any([signal, attemptSignal]) : attemptSignal;
      let completion: ChatCompletion | undefined;
      let failure: Failure | undefined;
      try {
        completion = await currentGrant.run(grant, () =>
          client.chat.completions.create(attempt.body, { signal: requestSignal, maxRetries: 0 }),
        );
      } catch (error) {
        failure = classify(error, ctx, signal, attemptSignal);
      } finally {
        stats.inFlight -= 1;
        release();
      }

      if (failure || !completion) {
        failure ??= { kind: 'retry', code: 'connection', retryAfterMs: undefined, detail: 'empty response' };
        switch (failure.kind) {
          case 'cancelled':
            throw cancelled();
          case 'fatal':
            throw fail(failure.message, failure.code);
          case 'downgrade_format':
            // Workers share the instance: another one may have stepped down already.
            if (formatIndex > attempt.formatIndex) continue;
            if (formatIndex < RESPONSE_FORMAT_MODES.length - 1) {
              formatIndex += 1;
              continue;
            }
            throw fail('The LLM endpoint rejected every structured-output mode. Choose a model that can answer in JSON.', 'config');
          case 'drop_param':
            if (attempt.sent.has(failure.param)) {
              dropped.add(failure.param);
              continue;
            }
            throw fail(`The LLM endpoint rejected the parameter ${failure.param}.`, 'config');
          case 'retry': {
            if (failure.code === 'rate_limited') stats.rateLimited += 1;
            else if (failure.code === 'server_error') stats.serverErrors += 1;
            else if (failure.code === 'timeout') stats.timeouts += 1;
            else stats.connectionErrors += 1;
            if (failure.retryAfterMs !== undefined && failure.retryAfterMs > maxRetryAfterMs) {
              limiter.pauseFor(failure.retryAfterMs);
              throw fail(
                `The LLM endpoint asked to pause for ${Math.ceil(failure.retryAfterMs / 60_000)} min (Retry-After). The conversation will be retried next run.`,
                failure.code,
              );
            }
            if (transientRetries >= maxRetries) throw fail(exhaustedMessage(failure.code, attempts, failure.detail, ctx), failure.code);
            const delay = failure.retryAfterMs ?? backoffMs(transientRetries, backoffBase, backoffMax);
            transientRetries += 1;
            // The server's word, or any 429, holds back every worker: they share its budget.
            if (failure.retryAfterMs !== undefined || failure.code === 'rate_limited') limiter.pauseFor(delay);
            try {
              await sleep(delay, signal);
            } catch {
              throw cancelled();
            }
            continue;
          }
        }
      }

      // ---- an HTTP 200: account for it, then judge the content
      if (typeof completion !== 'object' || !Array.isArray(completion.choices)) {
        // Typically a web page: the base URL points at a UI, not at an OpenAI-compatible API.
        throw fail(
          `${hostOf(ctx.baseUrl)} did not answer like an OpenAI-compatible API (no "choices" in the response). Check the base URL in Settings; it usually ends in /v1.`,
          'config',
        );
      }
      const usage = completion.usage;
      if (!usage) stats.missingUsage += 1;
      const callIn = usage?.prompt_tokens ?? 0;
      const callOut = usage?.completion_tokens ?? 0;
      const price = priceUsage(options.prices, { inputTokens: callIn, outputTokens: callOut }, { configured: options.model, reported: completion.model });
      if (!price.priced) {
        priced = false;
        unpriced.add(options.model);
      }
      inputTokens += callIn;
      outputTokens += callOut;
      costUsd += price.costUsd;
      stats.inputTokens += callIn;
      stats.outputTokens += callOut;
      stats.costUsd += price.costUsd;

      const choice = completion.choices?.[0];
      if (choice?.message?.refusal || choice?.finish_reason === 'content_filter') {
        stats.refusals += 1;
        const why = choice.message?.refusal ? `: ${clip(choice.message.refusal, 160)}` : ' (content filter)';
        throw fail(`The model declined to estimate this conversation${why}`, 'refused');
      }
      const content = choice?.message?.content ?? '';
      const parsed = parseAnswer(content);
      if (!parsed.ok) {
        stats.invalidResponses += 1;
        const reason = choice?.finish_reason === 'length' ? 'the answer was cut off (output token limit)' : parsed.reason;
        if (invalidSeen < invalidRetries) {
          invalidSeen += 1;
          continue;
        }
        throw fail(`The model's answer could not be used (${reason}) after ${attempts} attempts. The conversation will be retried next run.`, 'invalid_response');
      }

      stats.succeeded += 1;
      if (parsed.repairs.length > 0) stats.repaired += 1;
      const { answer } = parsed;
      return {
        low: answer.low,
        mostLikely: answer.mostLikely,
        high: answer.high,
        confidence: answer.confidence,
        taskCategory: answer.taskCategory,
        workRelated: answer.workRelated,
        taskCompleted: answer.taskCompleted,
        reasoning: answer.reasoning,
        repaired: parsed.repairs.length > 0,
        repairs: parsed.repairs,
        source: 'llm',
        model: options.model,
        responseModel: completion.model || undefined,
        promptVersion: PROMPT_VERSION,
        inputTokens,
        outputTokens,
        costUsd: Math.round(costUsd * 1e9) / 1e9,
        priced,
        raw: parsed.raw,
        attempts,
        responseFormat: mode(),
        userMessage,
      };
    }
  }

  return {
    source: 'llm',
    model: options.model,
    limiter,
    estimate,
    get requestCount() {
      return stats.requests;
    },
    get responseFormat() {
      return mode();
    },
    stats(): EstimatorStats {
      return {
        ...stats,
        costUsd: Math.round(stats.costUsd * 1e9) / 1e9,
        unpricedModels: [...unpriced],
        responseFormat: mode(),
        droppedParams: [...dropped],
      };
    },
  };
}

// ---------------------------------------------------------------------------------------------
// "Test connection" for Settings and the Health page.

export interface LlmReachabilityOptions {
  apiKey?: string;
  baseUrl?: string;
  /** When given, also check that the endpoint offers this model. */
  model?: string;
  timeoutMs?: number;
}

export interface LlmReachability {
  ok: boolean;
  latencyMs: number;
  message: string;
  /** Model ids the endpoint listed (first page), when it has a models API. */
  models?: string[];
  modelAvailable?: boolean;
}

/**
 * Lists models (free, no tokens) and, where an endpoint has no models API, falls back to a
 * one-token completion. Never throws; never puts the key in the message.
 */
export async function checkLlmReachable(options: LlmReachabilityOptions): Promise<LlmReachability> {
  const baseUrl = options.baseUrl || DEFAULT_BASE_URL;
  const timeoutMs = options.timeoutMs ?? 10_000;
  const ctx: Context = { apiKey: options.apiKey || undefined, baseUrl, model: options.model ?? '', timeoutMs };
  const host = hostOf(baseUrl);
  const client = createClient({ apiKey: ctx.apiKey, baseUrl, timeoutMs });
  const started = performance.now();
  const elapsed = (): number => Math.round(performance.now() - started);

  const explain = (error: unknown, signal: AbortSignal): string => {
    const failure = classify(error, ctx, undefined, signal);
    switch (failure.kind) {
      case 'fatal':
        return failure.message;
      case 'retry':
        if (failure.code === 'timeout') return `The LLM endpoint at ${host} did not answer within ${Math.round(timeoutMs / 1000)} s.`;
        if (failure.code === 'connection') return `Could not reach the LLM endpoint at ${host} (${failure.detail}). Check the base URL and that the server is running.`;
        if (failure.code === 'rate_limited') return `The LLM endpoint at ${host} is reachable but rate limiting right now (429).`;
        return `The LLM endpoint at ${host} answered with an error (${failure.detail}).`;
      default:
        return `The LLM endpoint at ${host} rejected the test request.`;
    }
  };

  let models: string[] | undefined;
  const listSignal = AbortSignal.timeout(timeoutMs);
  try {
    const page = await client.models.list({ signal: listSignal, maxRetries: 0 });
    models = page.data.map((m) => m.id);
  } catch (error) {
    const notFound = error instanceof APIError && error.status === 404;
    if (!notFound) {
      const limited = error instanceof APIError && error.status === 429;
      return { ok: limited, latencyMs: elapsed(), message: scrubSecrets(explain(error, listSignal), ctx.apiKey) };
    }
  }

  if (models) {
    if (!options.model) return { ok: true, latencyMs: elapsed(), message: `Connected to ${host}; ${models.length} models offered.`, models };
    const modelAvailable = models.includes(options.model);
    return {
      ok: modelAvailable,
      latencyMs: elapsed(),
      models,
      modelAvailable,
      message: modelAvailable
        ? `Connected to ${host}; model "${options.model}" is available.`
        : `Connected to ${host}, but it does not offer the model "${options.model}". Available: ${clip(models.slice(0, 12).join(', '), 300) || 'none'}.`,
    };
  }

  // No models API (some proxies): a one-token completion proves key, model and route.
  if (!options.model) return { ok: true, latencyMs: elapsed(), message: `Connected to ${host} (it has no models list; set a model to test it).` };
  const pingSignal = AbortSignal.timeout(timeoutMs);
  try {
    await client.chat.completions.create(
      { model: options.model, messages: [{ role: 'system', content: 'Reply with OK.' }, { role: 'user', content: 'ping' }], max_completion_tokens: 16 },
      { signal: pingSignal, maxRetries: 0 },
    );
    return { ok: true, latencyMs: elapsed(), message: `Connected to ${host}; model "${options.model}" answered.`, modelAvailable: true };
  } catch (error) {
    return { ok: false, latencyMs: elapsed(), message: scrubSecrets(explain(error, pingSignal), ctx.apiKey) };
  }
}
