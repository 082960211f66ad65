// OpenAI Batch API for overnight runs: the night's estimate requests go up as one JSONL file,
// OpenAI answers within 24 hours at half the price, and the answers come back through the same
// validation as synchronous ones (validate.ts). A line that failed, was refused or cannot be
// parsed becomes a failed estimate for that conversation — retried next run, never a number.
//
// This module is the client and the translation (requests → JSONL, JSONL → estimates); the
// run-level flow (select, submit, wait, collect) is in pipeline/batch-run.ts.

import crypto from 'node:crypto';
import OpenAI, { toFile } from 'openai';
import type { ChatCompletion, ChatCompletionCreateParamsNonStreaming } from 'openai/resources/chat/completions';
import { BATCH_PRICE_FACTOR, priceUsage, type PriceTable } from './pricing.ts';
import { buildMessages, buildUserMessage, PROMPT_VERSION, responseFormatFor } from './prompt.ts';
import { scrubSecrets, DEFAULT_BASE_URL } from './openai.ts';
import { EstimateError, type ConversationSummary, type Estimate, type Estimator } from './types.ts';
import { parseAnswer } from './validate.ts';

export const BATCH_ENDPOINT = '/v1/chat/completions';
export const BATCH_COMPLETION_WINDOW = '24h';

export interface BatchRequestLine {
  custom_id: string;
  method: 'POST';
  url: typeof BATCH_ENDPOINT;
  body: ChatCompletionCreateParamsNonStreaming;
}

/**
 * Identifies a request by what is sent: the rendered, redacted summary. The run that collects
 * the answers rebuilds the summaries and finds each answer by this key, so a conversation that
 * changed since submission simply finds none (and is estimated again instead).
 */
export function summaryKey(summary: ConversationSummary, model: string): string {
  return crypto.createHash('sha256').update(`${model}\n${PROMPT_VERSION}\n${buildUserMessage(summary)}`).digest('hex');
}

/** One JSONL line: the same request the synchronous estimator sends first (structured output, temperature 0). */
export function batchRequestLine(customId: string, summary: ConversationSummary, model: string, maxOutputTokens = 1_000): BatchRequestLine {
  const body: ChatCompletionCreateParamsNonStreaming = {
    model,
    messages: buildMessages(summary),
    temperature: 0,
    max_completion_tokens: maxOutputTokens,
  };
  const format = responseFormatFor('json_schema');
  if (format) body.response_format = format;
  return { custom_id: customId, method: 'POST', url: BATCH_ENDPOINT, body };
}

export type RemoteBatchStatus = 'validating' | 'in_progress' | 'finalizing' | 'completed' | 'failed' | 'expired' | 'cancelling' | 'cancelled';

export interface RemoteBatch {
  id: string;
  status: RemoteBatchStatus;
  outputFileId: string | null;
  errorFileId: string | null;
  counts: { total: number; completed: number; failed: number };
  /** Batch-level errors (a malformed file, quota), joined for a person. */
  errors: string | null;
}

/** Finished one way or another: collect what there is. */
export function isFinished(status: RemoteBatchStatus): boolean {
  return status === 'completed' || status === 'failed' || status === 'expired' || status === 'cancelled';
}

export interface BatchApi {
  submit(lines: BatchRequestLine[], metadata: Record<string, string>, signal?: AbortSignal): Promise<{ batchId: string; inputFileId: string }>;
  retrieve(batchId: string, signal?: AbortSignal): Promise<RemoteBatch>;
  download(fileId: string, signal?: AbortSignal): Promise<string>;
}

export interface BatchApiOptions {
  apiKey?: string;
  baseUrl?: string;
  timeoutMs?: number;
}

export function createBatchApi(options: BatchApiOptions): BatchApi {
  const apiKey = options.apiKey || undefined;
  const client = new OpenAI({
    apiKey: apiKey ?? 'no-key-configured',
    baseURL: options.baseUrl || DEFAULT_BASE_URL,
    // Each call is cheap and idempotent to repeat at the next poll; the SDK may retry transient errors.
    maxRetries: 2,
    timeout: options.timeoutMs ?? 120_000,
    logLevel: 'off',
  });
  const explain = (error: unknown, what: string): Error => {
    const message = error instanceof Error ? error.message : String(error);
    return new Error(scrubSecrets(`OpenAI batch API: ${what} failed: ${message}`, apiKey));
  };
  return {
    async submit(lines, metadata, signal) {
      const jsonl = lines.map((line) => JSON.stringify(line)).join('\n') + '\n';
      let inputFileId: string;
      try {
        const file = await client.files.create({ file: await toFile(Buffer.from(jsonl, 'utf8'), 'cogniforce-batch.jsonl'), purpose: 'batch' }, { signal });
        inputFileId = file.id;
      } catch (error) {
        throw explain(error, 'uploading the requests');
      }
      try {
        const batch = await client.batches.create({ input_file_id: inputFileId, endpoint: BATCH_ENDPOINT, completion_window: BATCH_COMPLETION_WINDOW, metadata }, { signal });
        return { batchId: batch.id, inputFileId };
      } catch (error) {
        throw explain(error, 'creating the batch');
      }
    },
    async retrieve(batchId, signal) {
      try {
        const batch = await client.batches.retrieve(batchId, { signal });
        const errors = batch.errors?.data?.map((e) => e.message ?? e.code ?? 'error').join('; ') || null;
        return {
          id: batch.id,
          status: batch.status,
          outputFileId: batch.output_file_id ?? null,
          errorFileId: batch.error_file_id ?? null,
          counts: { total: batch.request_counts?.total ?? 0, completed: batch.request_counts?.completed ?? 0, failed: batch.request_counts?.failed ?? 0 },
          errors,
        };
      } catch (error) {
        throw explain(error, `checking batch ${batchId}`);
      }
    },
    async download(fileId, signal) {
      try {
        const response = await client.files.content(fileId, { signal });
        return await response.text();
      } catch (error) {
        throw explain(error, `downloading file ${fileId}`);
      }
    },
  };
}

export type BatchItemResult = { ok: true; estimate: Estimate } | { ok: false; error: EstimateError };

interface OutputLine {
  custom_id?: unknown;
  response?: { status_code?: unknown; body?: unknown } | null;
  error?: { code?: unknown; message?: unknown } | null;
}

function lineError(line: OutputLine): string {
  const body = line.response?.body as { error?: { message?: unknown } } | undefined;
  const message = line.error?.message ?? body?.error?.message;
  return typeof message === 'string' && message ? message : 'no answer';
}

function codeForStatus(status: number): EstimateError['code'] {
  if (status === 429) return 'rate_limited';
  if (status === 408) return 'timeout';
  if (status >= 500) return 'server_error';
  // Never 'config': one bad line must not stop the whole collection as a misconfiguration would.
  return 'invalid_response';
}

/** One answered line → an Estimate (batch price) or the reason it is unusable. */
export function estimateFromBatchLine(line: OutputLine, options: { model: string; prices: PriceTable }): BatchItemResult {
  const status = typeof line.response?.status_code === 'number' ? line.response.status_code : 0;
  if (line.error || status !== 200) {
    return { ok: false, error: new EstimateError(`The batch could not answer this conversation (${status || 'error'}: ${lineError(line)}). It will be retried next run.`, codeForStatus(status), 1) };
  }
  const completion = line.response?.body as ChatCompletion | undefined;
  const choice = completion?.choices?.[0];
  if (!completion || !choice) return { ok: false, error: new EstimateError('The batch answer had no choices. The conversation will be retried next run.', 'invalid_response', 1) };
  const inputTokens = completion.usage?.prompt_tokens ?? 0;
  const outputTokens = completion.usage?.completion_tokens ?? 0;
  if (choice.message?.refusal || choice.finish_reason === 'content_filter') {
    return { ok: false, error: new EstimateError(`The model declined to estimate this conversation${choice.message?.refusal ? `: ${choice.message.refusal.slice(0, 160)}` : ' (content filter)'}`, 'refused', 1) };
  }
  const parsed = parseAnswer(choice.message?.content ?? '');
  if (!parsed.ok) {
    const reason = choice.finish_reason === 'length' ? 'the answer was cut off (output token limit)' : parsed.reason;
    return { ok: false, error: new EstimateError(`The model's batch answer could not be used (${reason}). The conversation will be retried next run.`, 'invalid_response', 1) };
  }
  const price = priceUsage(options.prices, { inputTokens, outputTokens }, { configured: options.model, reported: completion.model }, BATCH_PRICE_FACTOR);
  const { answer } = parsed;
  return {
    ok: true,
    estimate: {
      low: answer.low,
      mostLikely: answer.mostLikely,
      high: answer.high,
      confidence: answer.confidence,
      taskCategory: answer.taskCategory,
      workRelated: answer.workRelated,
      taskCompleted: answer.taskCompleted,
      reasoning: answer.reasoning,
      repaired: parsed.repairs.length > 0,
      source: 'llm',
      model: options.model,
      promptVersion: PROMPT_VERSION,
      inputTokens,
      outputTokens,
      costUsd: price.costUsd,
      raw: { ...parsed.raw, _batch: true },
    },
  };
}

/**
 * Reads the output and error files into one result per custom_id. Lines that are not JSON are
 * skipped (their conversations then have no answer and fail with `missingMessage`).
 */
export function parseBatchFiles(files: { output: string; errors: string }, options: { model: string; prices: PriceTable }): Map<string, BatchItemResult> {
  const results = new Map<string, BatchItemResult>();
  for (const text of [files.errors, files.output]) {
    for (const raw of text.split('\n')) {
      if (!raw.trim()) continue;
      let line: OutputLine;
      try {
        line = JSON.parse(raw) as OutputLine;
      } catch {
        continue;
      }
      if (typeof line.custom_id !== 'string') continue;
      results.set(line.custom_id, estimateFromBatchLine(line, options));
    }
  }
  return results;
}

export interface BatchResultsEstimator extends Estimator {
  stats(): { fromBatch: number; failedInBatch: number; fallback: number };
}

/**
 * The estimator of the collecting run: answers from the batch by summary key. A conversation
 * the batch does not cover (new or changed since submission) goes to `fallback` — the ordinary
 * synchronous estimator — or, without one, fails and is retried next run.
 */
export function createBatchResultsEstimator(options: {
  model: string;
  results: Map<string, BatchItemResult>;
  fallback?: Estimator;
  missingMessage?: string;
}): BatchResultsEstimator {
  let fromBatch = 0;
  let failedInBatch = 0;
  let fallbackCount = 0;
  return {
    source: 'llm',
    model: options.model,
    get requestCount() {
      return fromBatch + failedInBatch + (options.fallback?.requestCount ?? 0);
    },
    async estimate(summary, signal) {
      const result = options.results.get(summaryKey(summary, options.model));
      if (result?.ok) {
        fromBatch += 1;
        return result.estimate;
      }
      if (result) {
        failedInBatch += 1;
        throw result.error;
      }
      if (options.fallback) {
        fallbackCount += 1;
        return options.fallback.estimate(summary, signal);
      }
      throw new EstimateError(options.missingMessage ?? 'The batch has no answer for this conversation. It will be retried next run.', 'server_error', 0);
    },
    stats: () => ({ fromBatch, failedInBatch, fallback: fallbackCount }),
  };
}
