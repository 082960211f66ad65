// A small OpenAI-compatible server of our own for tests and benchmarks: real HTTP on
// 127.0.0.1, so the openai SDK, undici, keep-alive, timeouts and socket resets all behave as
// they do against a real endpoint — no mocks.
//
// - POST /v1/chat/completions answers with an estimate computed deterministically from the
//   request (see fakeAnswerFor), in the response format the client asked for, with usage.
// - GET /v1/models lists the configured models.
// - Behaviour per request is programmable: a script (queue) consumed first, then a function of
//   the request, else a normal answer. Faults: 429 with/without Retry-After, 5xx, hang, reset,
//   invalid JSON, refusal, out-of-order/negative/absurd numbers, unknown model, json_schema
//   rejected, ...
// - Every request is recorded with a precise arrival time, so tests can compute the most
//   requests in any window; the server can also enforce its own RPM limit with 429s.

import http from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { TASK_CATEGORIES } from '../../src/main/core/llm/types.ts';

export type FakeBehaviour =
  | { kind: 'ok'; latencyMs?: number }
  /** Answer with this JSON object as the content. */
  | { kind: 'answer'; answer: Record<string, unknown>; latencyMs?: number }
  /** Answer with this raw content string. */
  | { kind: 'content'; content: string; finishReason?: 'stop' | 'length' | 'content_filter'; latencyMs?: number }
  | { kind: 'rate_limit'; retryAfterSeconds?: number; retryAfterMs?: number; code?: string; latencyMs?: number }
  | { kind: 'error'; status: number; message?: string; code?: string; param?: string; retryAfterSeconds?: number; latencyMs?: number }
  /** Any HTTP answer, e.g. an HTML page from a misconfigured base URL. */
  | { kind: 'raw'; status: number; contentType: string; body: string; latencyMs?: number }
  /** Accepts the request and never answers (until the client gives up or the server closes). */
  | { kind: 'hang' }
  /** Destroys the socket without an HTTP answer (ECONNRESET / "other side closed"). */
  | { kind: 'reset'; latencyMs?: number }
  | { kind: 'invalid_json'; latencyMs?: number }
  | { kind: 'missing_fields'; latencyMs?: number }
  | { kind: 'refusal'; message?: string; latencyMs?: number }
  | { kind: 'content_filter'; latencyMs?: number }
  /** high < low. */
  | { kind: 'out_of_order'; latencyMs?: number }
  | { kind: 'negative'; latencyMs?: number }
  /** Way above 40 hours. */
  | { kind: 'absurd'; latencyMs?: number }
  /** A normal answer without a usage block. */
  | { kind: 'no_usage'; latencyMs?: number }
  | { kind: 'reject_json_schema'; latencyMs?: number };

export type FakeBehaviourKind = FakeBehaviour['kind'];

export interface ChatRequestBody {
  model?: unknown;
  messages?: unknown;
  response_format?: { type?: unknown } | null;
  [key: string]: unknown;
}

export interface FakeRequestContext {
  /** 0-based index among chat completion requests. */
  index: number;
  body: ChatRequestBody;
  userMessage: string;
  headers: http.IncomingHttpHeaders;
}

export type BehaviourFn = (ctx: FakeRequestContext) => FakeBehaviour | undefined;

export interface RecordedRequest {
  /** 0-based index among chat completion requests; -1 for other routes. */
  index: number;
  /** Arrival time, epoch milliseconds with sub-millisecond precision. */
  at: number;
  method: string;
  path: string;
  model: string | undefined;
  responseFormat: 'json_schema' | 'json_object' | 'none' | undefined;
  behaviour: FakeBehaviourKind | 'rpm_limit' | 'not_found' | 'unauthorized' | 'bad_request' | 'models' | 'files' | 'batches';
  /** HTTP status sent, or what happened instead. */
  outcome: number | 'hang' | 'reset' | 'client_gone';
  authorization: string | undefined;
  userMessage: string | undefined;
  body: ChatRequestBody | undefined;
}

export interface FakeOpenAIOptions {
  /** Default latency before answering, ms. */
  latencyMs?: number;
  /** Models the server knows; others get 404 model_not_found. */
  models?: string[];
  /** Model name reported in answers (e.g. a dated snapshot); default: the requested one. */
  reportedModel?: string;
  /** When set, requests must carry `Authorization: Bearer <apiKey>`. */
  apiKey?: string;
  supportsJsonSchema?: boolean;
  supportsJsonObject?: boolean;
  /** When false, GET /v1/models answers 404 (some proxies have no models API). */
  modelsEndpoint?: boolean;
  /** Enforce a limit of its own: 429 when `limit` chat requests already arrived in the last `windowMs`. */
  rpmLimit?: { limit: number; windowMs?: number };
  behaviour?: BehaviourFn;
  script?: FakeBehaviour[];
}

export interface FakeOpenAIStats {
  /** Chat completion requests received. */
  chatRequests: number;
  /** Requests on any route. */
  totalRequests: number;
  byOutcome: Record<string, number>;
  /** 429s sent, for any reason. */
  served429: number;
  /** 429s sent because the server's own RPM limit was exceeded. */
  rejectedByRpm: number;
  inFlight: number;
  maxConcurrent: number;
  /** Most chat requests in any window of `windowMs` (the rpmLimit window, else 60 s). */
  maxInAnyWindow: number;
  windowMs: number;
}

/** How one line of a batch is answered when the batch is completed. */
export type FakeBatchLineOutcome = 'ok' | 'invalid_json' | 'refusal' | 'server_error' | 'missing' | 'out_of_order';

export interface FakeBatch {
  id: string;
  status: 'validating' | 'in_progress' | 'finalizing' | 'completed' | 'failed' | 'expired' | 'cancelling' | 'cancelled';
  inputFileId: string;
  outputFileId: string | null;
  errorFileId: string | null;
  endpoint: string;
  completionWindow: string;
  metadata: Record<string, string> | null;
  /** The uploaded request lines, parsed. */
  lines: Array<{ custom_id: string; method: string; url: string; body: ChatRequestBody }>;
  counts: { total: number; completed: number; failed: number };
  createdAt: number;
  errors: Array<{ code: string; message: string }> | null;
}

/** The Batch API side of the fake: /v1/files and /v1/batches, finished by the test's hand. */
export interface FakeBatches {
  list(): FakeBatch[];
  /** Puts waiting batches (all, or one) through: every line answered like a chat request. */
  complete(id?: string, outcome?: (line: { custom_id: string; index: number; userMessage: string }) => FakeBatchLineOutcome): void;
  /** Ends a batch without (or with partial) output, as OpenAI does for failed/expired/cancelled ones. */
  fail(id: string, status: 'failed' | 'expired' | 'cancelled', message?: string, answered?: number): void;
  /** File contents by id (uploads and outputs). */
  file(id: string): string | undefined;
}

export interface FakeOpenAI {
  /** Base URL ending in /v1, for the SDK's baseURL. */
  url: string;
  port: number;
  /** Live list of recorded requests, arrival order. */
  requests: RecordedRequest[];
  setBehaviour(fn: BehaviourFn | undefined): void;
  /** Queues behaviours for the next requests, consumed before the behaviour function. */
  enqueue(...behaviours: FakeBehaviour[]): void;
  setLatency(ms: number): void;
  stats(): FakeOpenAIStats;
  /** Most chat requests that arrived in any half-open window [t, t + windowMs). */
  maxInWindow(windowMs: number): number;
  /** Arrival times (epoch ms) of chat requests. */
  chatTimestamps(): number[];
  /** Forgets recorded requests and counters (behaviour and options stay). */
  reset(): void;
  close(): Promise<void>;
  batches: FakeBatches;
}

export const FAKE_DEFAULT_MODELS = ['gpt-4o-mini', 'gpt-4o', 'gpt-4.1-mini', 'fake-estimator'];

// ---------------------------------------------------------------------------------------------
// Deterministic answers

function fnv1a(text: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash;
}

export interface FakeAnswer {
  reasoning: string;
  task_category: string;
  work_related: boolean;
  task_completed: boolean;
  low: number;
  most_likely: number;
  high: number;
  confidence: number;
}

/** The answer the server gives for a user message: same message, same numbers. */
export function fakeAnswerFor(userMessage: string): FakeAnswer {
  const words = userMessage.split(/\s+/).filter(Boolean).length;
  const hash = fnv1a(userMessage);
  const guess = /Task type guess:\s*([a-z]+)/i.exec(userMessage)?.[1]?.toLowerCase();
  const categories = TASK_CATEGORIES as readonly string[];
  const category =
    guess && categories.includes(guess) ? guess : (categories.find((c) => new RegExp(`\\b${c}\\b`, 'i').test(userMessage)) ?? 'other');
  const mostLikely = 10 + (words % 50) + (hash % 20);
  return {
    reasoning: `A ${category} task with about ${words} words of context.`,
    task_category: category,
    work_related: !/\b(joke|game|recipe|holiday|poem for my)\b/i.test(userMessage),
    task_completed: hash % 7 !== 0,
    low: Math.max(1, Math.round(mostLikely * 0.6)),
    most_likely: mostLikely,
    high: mostLikely * 2,
    confidence: 40 + (hash % 50),
  };
}

function userMessageOf(body: ChatRequestBody): string {
  if (!Array.isArray(body.messages)) return '';
  const parts: string[] = [];
  for (const message of body.messages as unknown[]) {
    if (typeof message !== 'object' || message === null) continue;
    const { role, content } = message as { role?: unknown; content?: unknown };
    if (role === 'user' && typeof content === 'string') parts.push(content);
  }
  return parts.join('\n');
}

function allText(body: ChatRequestBody): string {
  return Array.isArray(body.messages) ? JSON.stringify(body.messages) : '';
}

const approxTokens = (text: string): number => Math.max(1, Math.ceil(text.length / 4));

// ---------------------------------------------------------------------------------------------

export async function startFakeOpenAI(options: FakeOpenAIOptions = {}): Promise<FakeOpenAI> {
  const models = options.models ?? FAKE_DEFAULT_MODELS;
  let latencyMs = options.latencyMs ?? 0;
  let behaviourFn = options.behaviour;
  const script: FakeBehaviour[] = [...(options.script ?? [])];
  const limitWindowMs = options.rpmLimit?.windowMs ?? 60_000;

  let requests: RecordedRequest[] = [];
  let chatCount = 0;
  let inFlight = 0;
  let maxConcurrent = 0;
  let rejectedByRpm = 0;
  /** Arrival times of chat requests, for the server's own limit (all arrivals count, as at OpenAI). */
  let arrivals: number[] = [];
  const sockets = new Set<Socket>();
  const pendingTimers = new Set<NodeJS.Timeout>();

  const now = (): number => performance.timeOrigin + performance.now();

  const later = (ms: number, fn: () => void): void => {
    if (ms <= 0) return fn();
    const timer = setTimeout(() => {
      pendingTimers.delete(timer);
      fn();
    }, ms);
    pendingTimers.add(timer);
  };

  function sendJson(res: http.ServerResponse, record: RecordedRequest, status: number, payload: unknown, headers: Record<string, string> = {}): void {
    if (res.destroyed || res.writableEnded) {
      record.outcome = 'client_gone';
      return;
    }
    const body = JSON.stringify(payload);
    record.outcome = status;
    res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body).toString(), ...headers });
    res.end(body);
  }

  const errorPayload = (message: string, type: string, code: string | null, param: string | null = null): unknown => ({
    error: { message, type, param, code },
  });

  function completion(body: ChatRequestBody, content: string | null, extras: { finishReason?: string; refusal?: string; usage?: boolean } = {}): unknown {
    const requested = typeof body.model === 'string' ? body.model : 'unknown';
    const completionTokens = content ? approxTokens(content) : 1;
    const promptTokens = approxTokens(allText(body));
    return {
      id: `chatcmpl-fake-${chatCount}`,
      object: 'chat.completion',
      created: Math.floor(Date.now() / 1000),
      model: options.reportedModel ?? requested,
      choices: [
        {
          index: 0,
          message: { role: 'assistant', content, refusal: extras.refusal ?? null },
          logprobs: null,
          finish_reason: extras.finishReason ?? 'stop',
        },
      ],
      ...(extras.usage === false
        ? {}
        : { usage: { prompt_tokens: promptTokens, completion_tokens: completionTokens, total_tokens: promptTokens + completionTokens } }),
    };
  }

  /** Content as a real model would give it for the requested response format. */
  function render(answer: Record<string, unknown>, format: RecordedRequest['responseFormat']): string {
    const json = JSON.stringify(answer);
    // Without structured output, models wrap JSON in prose and a fence; the client must cope.
    return format === 'none' ? `Here is my estimate:\n\`\`\`json\n${JSON.stringify(answer, null, 2)}\n\`\`\`` : json;
  }

  function respondChat(req: http.IncomingMessage, res: http.ServerResponse, record: RecordedRequest, body: ChatRequestBody): void {
    const index = record.index;
    const format = record.responseFormat;
    const model = typeof body.model === 'string' ? body.model : undefined;

    // The server's own RPM limit comes first, like a real gateway.
    if (options.rpmLimit) {
      const arrived = record.at;
      while (arrivals.length > 0 && arrived - arrivals[0]! >= limitWindowMs) arrivals.shift();
      const exceeded = arrivals.length >= options.rpmLimit.limit;
      arrivals.push(arrived);
      // Bodies can finish parsing slightly out of arrival order; keep the log sorted.
      if (arrivals.length > 1 && arrivals[arrivals.length - 2]! > arrived) arrivals.sort((a, b) => a - b);
      if (exceeded) {
        rejectedByRpm += 1;
        record.behaviour = 'rpm_limit';
        // Rejected requests count too (as at OpenAI), so the wait is until enough of the
        // window's arrivals, this one included, have left it.
        const freeAt = arrivals[arrivals.length - options.rpmLimit.limit]! + limitWindowMs;
        const retryMs = Math.max(1, Math.ceil(freeAt - arrived));
        return sendJson(
          res,
          record,
          429,
          errorPayload(`Rate limit reached for requests: limit ${options.rpmLimit.limit} per ${limitWindowMs} ms.`, 'requests', 'rate_limit_exceeded'),
          { 'retry-after-ms': String(retryMs), 'retry-after': String(Math.ceil(retryMs / 1000)) },
        );
      }
    }

    if (!model || !Array.isArray(body.messages)) {
      record.behaviour = 'bad_request';
      return sendJson(res, record, 400, errorPayload('You must provide a model and messages.', 'invalid_request_error', null, 'messages'));
    }
    if (!models.includes(model)) {
      record.behaviour = 'not_found';
      return sendJson(
        res,
        record,
        404,
        errorPayload(`The model \`${model}\` does not exist or you do not have access to it.`, 'invalid_request_error', 'model_not_found'),
      );
    }

    const ctx: FakeRequestContext = { index, body, userMessage: record.userMessage ?? '', headers: req.headers };
    let behaviour: FakeBehaviour = script.shift() ?? behaviourFn?.(ctx) ?? { kind: 'ok' };
    if ((format === 'json_schema' && options.supportsJsonSchema === false) || (format === 'json_object' && options.supportsJsonObject === false)) {
      behaviour = { kind: 'reject_json_schema' };
    }
    record.behaviour = behaviour.kind;

    const delay = 'latencyMs' in behaviour && behaviour.latencyMs !== undefined ? behaviour.latencyMs : latencyMs;
    const base = fakeAnswerFor(record.userMessage ?? '');
    const answerWith = (answer: Record<string, unknown>): void => sendJson(res, record, 200, completion(body, render(answer, format)));

    if (behaviour.kind === 'hang') {
      record.outcome = 'hang';
      return;
    }

    later(delay, () => {
      switch (behaviour.kind) {
        case 'ok':
          return answerWith({ ...base });
        case 'answer':
          return answerWith(behaviour.answer);
        case 'content':
          return sendJson(res, record, 200, completion(body, behaviour.content, { finishReason: behaviour.finishReason ?? 'stop' }));
        case 'no_usage':
          return sendJson(res, record, 200, completion(body, render({ ...base }, format), { usage: false }));
        case 'rate_limit': {
          const headers: Record<string, string> = {};
          if (behaviour.retryAfterSeconds !== undefined) headers['retry-after'] = String(behaviour.retryAfterSeconds);
          if (behaviour.retryAfterMs !== undefined) headers['retry-after-ms'] = String(behaviour.retryAfterMs);
          return sendJson(
            res,
            record,
            429,
            errorPayload('Rate limit reached for requests. Please try again later.', 'requests', behaviour.code ?? 'rate_limit_exceeded'),
            headers,
          );
        }
        case 'error': {
          const headers: Record<string, string> = {};
          if (behaviour.retryAfterSeconds !== undefined) headers['retry-after'] = String(behaviour.retryAfterSeconds);
          return sendJson(
            res,
            record,
            behaviour.status,
            errorPayload(behaviour.message ?? `Fake server error ${behaviour.status}.`, behaviour.status >= 500 ? 'server_error' : 'invalid_request_error', behaviour.code ?? null, behaviour.param ?? null),
            headers,
          );
        }
        case 'raw':
          if (res.destroyed) return;
          record.outcome = behaviour.status;
          res.writeHead(behaviour.status, { 'content-type': behaviour.contentType });
          res.end(behaviour.body);
          return;
        case 'reset':
          record.outcome = 'reset';
          req.socket.destroy();
          return;
        case 'invalid_json':
          return sendJson(res, record, 200, completion(body, '{"low": 10, "most_likely": 20, "high": ', { finishReason: 'stop' }));
        case 'missing_fields':
          return answerWith({ reasoning: base.reasoning, task_category: base.task_category, low: base.low });
        case 'refusal':
          return sendJson(res, record, 200, completion(body, null, { refusal: behaviour.message ?? "I'm sorry, I can't help with that." }));
        case 'content_filter':
          return sendJson(res, record, 200, completion(body, null, { finishReason: 'content_filter' }));
        case 'out_of_order':
          return answerWith({ ...base, low: base.high, most_likely: base.most_likely, high: base.low });
        case 'negative':
          return answerWith({ ...base, low: -5, most_likely: base.most_likely, high: base.high });
        case 'absurd':
          return answerWith({ ...base, low: 100_000, most_likely: 500_000, high: 9_000_000 });
        case 'reject_json_schema':
          return sendJson(
            res,
            record,
            400,
            errorPayload(`Invalid parameter: 'response_format' of type '${format}' is not supported with this model.`, 'invalid_request_error', null, 'response_format'),
          );
      }
    });
  }

  const server = http.createServer((req, res) => {
    const record: RecordedRequest = {
      index: -1,
      at: now(),
      method: req.method ?? 'GET',
      path: (req.url ?? '/').split('?')[0]!,
      model: undefined,
      responseFormat: undefined,
      behaviour: 'ok',
      outcome: 'client_gone',
      authorization: req.headers.authorization,
      userMessage: undefined,
      body: undefined,
    };
    requests.push(record);
    inFlight += 1;
    maxConcurrent = Math.max(maxConcurrent, inFlight);
    let done = false;
    const finish = (): void => {
      if (done) return;
      done = true;
      inFlight -= 1;
    };
    res.on('close', finish);

    const path = record.path.replace(/\/+$/, '');
    if (options.apiKey && req.headers.authorization !== `Bearer ${options.apiKey}`) {
      record.behaviour = 'unauthorized';
      req.resume();
      // Echoes what it got, as some servers do, so tests prove the client never repeats it.
      const got = (req.headers.authorization ?? '').replace(/^Bearer\s+/i, '');
      return sendJson(res, record, 401, errorPayload(`Incorrect API key provided: ${got}.`, 'invalid_request_error', 'invalid_api_key'));
    }

    if (req.method === 'GET' && path === '/v1/models') {
      record.behaviour = 'models';
      req.resume();
      if (options.modelsEndpoint === false) {
        return sendJson(res, record, 404, errorPayload('Not found', 'invalid_request_error', null));
      }
      return later(latencyMs, () =>
        sendJson(res, record, 200, { object: 'list', data: models.map((id) => ({ id, object: 'model', created: 1_700_000_000, owned_by: 'fake' })) }),
      );
    }

    if (req.method === 'POST' && path === '/v1/chat/completions') {
      record.index = chatCount++;
      const chunks: Buffer[] = [];
      req.on('data', (chunk: Buffer) => chunks.push(chunk));
      req.on('error', () => finish());
      req.on('end', () => {
        let body: ChatRequestBody;
        try {
          const parsed: unknown = JSON.parse(Buffer.concat(chunks).toString('utf8'));
          if (typeof parsed !== 'object' || parsed === null) throw new Error('not an object');
          body = parsed as ChatRequestBody;
        } catch {
          record.behaviour = 'bad_request';
          return sendJson(res, record, 400, errorPayload('We could not parse the JSON body of your request.', 'invalid_request_error', null));
        }
        record.body = body;
        record.model = typeof body.model === 'string' ? body.model : undefined;
        const type = body.response_format && typeof body.response_format === 'object' ? body.response_format.type : undefined;
        record.responseFormat = type === 'json_schema' ? 'json_schema' : type === 'json_object' ? 'json_object' : 'none';
        record.userMessage = userMessageOf(body);
        respondChat(req, res, record, body);
      });
      return;
    }

    if (path === '/v1/files' || path.startsWith('/v1/files/') || path === '/v1/batches' || path.startsWith('/v1/batches/')) {
      record.behaviour = path.startsWith('/v1/files') ? 'files' : 'batches';
      const chunks: Buffer[] = [];
      req.on('data', (chunk: Buffer) => chunks.push(chunk));
      req.on('end', () => {
        void handleBatchRoute(req, res, record, path, Buffer.concat(chunks)).catch((error: unknown) =>
          sendJson(res, record, 500, errorPayload(`Fake batch API error: ${error instanceof Error ? error.message : String(error)}`, 'server_error', null)),
        );
      });
      return;
    }

    record.behaviour = 'not_found';
    req.resume();
    sendJson(res, record, 404, errorPayload(`Unknown route ${req.method} ${record.path}`, 'invalid_request_error', null));
  });

  // ---- Batch API: files and batches (https://platform.openai.com/docs/api-reference/batch)

  const files = new Map<string, { id: string; filename: string; purpose: string; content: string; createdAt: number }>();
  const batchStore = new Map<string, FakeBatch>();
  let fileSeq = 0;
  let batchSeq = 0;

  const fileObject = (f: { id: string; filename: string; purpose: string; content: string; createdAt: number }): unknown => ({
    id: f.id,
    object: 'file',
    bytes: Buffer.byteLength(f.content),
    created_at: f.createdAt,
    filename: f.filename,
    purpose: f.purpose,
    status: 'processed',
  });
  const addFile = (filename: string, purpose: string, content: string): string => {
    const id = `file-fake${++fileSeq}`;
    files.set(id, { id, filename, purpose, content, createdAt: Math.floor(Date.now() / 1000) });
    return id;
  };
  const batchObject = (b: FakeBatch): unknown => ({
    id: b.id,
    object: 'batch',
    endpoint: b.endpoint,
    errors: b.errors ? { object: 'list', data: b.errors.map((e) => ({ ...e, line: null, param: null })) } : null,
    input_file_id: b.inputFileId,
    completion_window: b.completionWindow,
    status: b.status,
    output_file_id: b.outputFileId,
    error_file_id: b.errorFileId,
    created_at: b.createdAt,
    in_progress_at: b.status === 'validating' ? null : b.createdAt,
    expires_at: b.createdAt + 86_400,
    completed_at: b.status === 'completed' ? Math.floor(Date.now() / 1000) : null,
    failed_at: b.status === 'failed' ? Math.floor(Date.now() / 1000) : null,
    expired_at: b.status === 'expired' ? Math.floor(Date.now() / 1000) : null,
    cancelled_at: b.status === 'cancelled' ? Math.floor(Date.now() / 1000) : null,
    request_counts: b.counts,
    metadata: b.metadata,
  });

  async function handleBatchRoute(req: http.IncomingMessage, res: http.ServerResponse, record: RecordedRequest, path: string, raw: Buffer): Promise<void> {
    const method = req.method ?? 'GET';
    if (method === 'POST' && path === '/v1/files') {
      // The SDK uploads multipart/form-data; undici's Request parses it like a server would.
      const form = await new Request('http://fake/upload', { method: 'POST', headers: { 'content-type': req.headers['content-type'] ?? '' }, body: new Uint8Array(raw) }).formData();
      const file = form.get('file');
      const purpose = form.get('purpose');
      if (!(file instanceof Blob) || typeof purpose !== 'string') {
        return sendJson(res, record, 400, errorPayload('Expected multipart fields "file" and "purpose".', 'invalid_request_error', null));
      }
      const id = addFile((file as File).name ?? 'upload.jsonl', purpose, await file.text());
      return sendJson(res, record, 200, fileObject(files.get(id)!));
    }
    const fileContent = /^\/v1\/files\/([^/]+)\/content$/.exec(path);
    if (method === 'GET' && fileContent) {
      const f = files.get(fileContent[1]!);
      if (!f) return sendJson(res, record, 404, errorPayload(`No such File object: ${fileContent[1]}`, 'invalid_request_error', null));
      record.outcome = 200;
      res.writeHead(200, { 'content-type': 'application/octet-stream' });
      res.end(f.content);
      return;
    }
    if (method === 'POST' && path === '/v1/batches') {
      const body = JSON.parse(raw.toString('utf8') || '{}') as { input_file_id?: string; endpoint?: string; completion_window?: string; metadata?: Record<string, string> };
      const input = body.input_file_id ? files.get(body.input_file_id) : undefined;
      if (!input) return sendJson(res, record, 400, errorPayload('input_file_id does not name an uploaded file.', 'invalid_request_error', null, 'input_file_id'));
      if (body.endpoint !== '/v1/chat/completions') return sendJson(res, record, 400, errorPayload('Unsupported endpoint.', 'invalid_request_error', null, 'endpoint'));
      const lines = input.content
        .split('\n')
        .filter((line) => line.trim() !== '')
        .map((line) => JSON.parse(line) as FakeBatch['lines'][number]);
      const id = `batch_fake${++batchSeq}`;
      const batch: FakeBatch = {
        id,
        status: 'validating',
        inputFileId: input.id,
        outputFileId: null,
        errorFileId: null,
        endpoint: body.endpoint,
        completionWindow: body.completion_window ?? '24h',
        metadata: body.metadata ?? null,
        lines,
        counts: { total: lines.length, completed: 0, failed: 0 },
        createdAt: Math.floor(Date.now() / 1000),
        errors: null,
      };
      batchStore.set(id, batch);
      return sendJson(res, record, 200, batchObject(batch));
    }
    const batchPath = /^\/v1\/batches\/([^/]+)(\/cancel)?$/.exec(path);
    if (batchPath) {
      const batch = batchStore.get(batchPath[1]!);
      if (!batch) return sendJson(res, record, 404, errorPayload(`No batch found with id '${batchPath[1]}'.`, 'invalid_request_error', null));
      if (method === 'GET' && !batchPath[2]) {
        // A real batch moves from validating to in_progress on its own.
        if (batch.status === 'validating') batch.status = 'in_progress';
        return sendJson(res, record, 200, batchObject(batch));
      }
      if (method === 'POST' && batchPath[2]) {
        if (['validating', 'in_progress', 'finalizing'].includes(batch.status)) batch.status = 'cancelled';
        return sendJson(res, record, 200, batchObject(batch));
      }
    }
    return sendJson(res, record, 404, errorPayload(`Unknown route ${method} ${path}`, 'invalid_request_error', null));
  }

  function answerLine(line: FakeBatch['lines'][number], index: number, outcome: FakeBatchLineOutcome): { output?: unknown; error?: unknown } {
    const requestId = `req_fake_b${index}`;
    const body = line.body;
    const format = body.response_format && typeof body.response_format === 'object' ? (body.response_format.type === 'json_schema' ? 'json_schema' : 'json_object') : 'none';
    const base = fakeAnswerFor(userMessageOf(body));
    const ok = (content: string | null, extras: { refusal?: string } = {}): { output: unknown } => ({
      output: { id: `batch_req_${index}`, custom_id: line.custom_id, response: { status_code: 200, request_id: requestId, body: completion(body, content, extras) }, error: null },
    });
    switch (outcome) {
      case 'ok':
        return ok(render({ ...base }, format));
      case 'out_of_order':
        return ok(render({ ...base, low: base.high, high: base.low }, format));
      case 'invalid_json':
        return ok('{"low": 10, "most_likely": ');
      case 'refusal':
        return ok(null, { refusal: "I'm sorry, I can't help with that." });
      case 'server_error':
        return {
          error: {
            id: `batch_req_${index}`,
            custom_id: line.custom_id,
            response: { status_code: 500, request_id: requestId, body: errorPayload('The server had an error processing your request.', 'server_error', null) },
            error: null,
          },
        };
      case 'missing':
        return {};
    }
  }

  const batches: FakeBatches = {
    list: () => [...batchStore.values()],
    file: (id) => files.get(id)?.content,
    complete(id, outcome) {
      for (const batch of batchStore.values()) {
        if (id && batch.id !== id) continue;
        if (!['validating', 'in_progress', 'finalizing'].includes(batch.status)) continue;
        const outputs: string[] = [];
        const errors: string[] = [];
        batch.lines.forEach((line, index) => {
          const answered = answerLine(line, index, outcome?.({ custom_id: line.custom_id, index, userMessage: userMessageOf(line.body) }) ?? 'ok');
          if (answered.output) outputs.push(JSON.stringify(answered.output));
          if (answered.error) errors.push(JSON.stringify(answered.error));
        });
        batch.counts = { total: batch.lines.length, completed: outputs.length, failed: errors.length };
        batch.outputFileId = outputs.length > 0 ? addFile(`${batch.id}_output.jsonl`, 'batch_output', outputs.join('\n') + '\n') : null;
        batch.errorFileId = errors.length > 0 ? addFile(`${batch.id}_error.jsonl`, 'batch_output', errors.join('\n') + '\n') : null;
        batch.status = 'completed';
      }
    },
    fail(id, status, message, answered = 0) {
      const batch = batchStore.get(id);
      if (!batch) throw new Error(`no batch ${id}`);
      const outputs = batch.lines.slice(0, answered).map((line, index) => JSON.stringify(answerLine(line, index, 'ok').output));
      batch.outputFileId = outputs.length > 0 ? addFile(`${batch.id}_output.jsonl`, 'batch_output', outputs.join('\n') + '\n') : null;
      batch.counts = { total: batch.lines.length, completed: outputs.length, failed: status === 'failed' ? batch.lines.length : 0 };
      batch.errors = message ? [{ code: status === 'failed' ? 'invalid_request' : status, message }] : null;
      batch.status = status;
    },
  };

  server.keepAliveTimeout = 30_000;
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  // A reset socket or an aborted client must never take the test server down.
  server.on('clientError', (_error, socket) => socket.destroy());

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;

  const chatTimestamps = (): number[] => requests.filter((r) => r.index >= 0).map((r) => r.at);
  const maxInWindow = (windowMs: number): number => {
    const times = chatTimestamps().sort((a, b) => a - b);
    let best = 0;
    let start = 0;
    for (let end = 0; end < times.length; end++) {
      while (times[end]! - times[start]! >= windowMs) start++;
      best = Math.max(best, end - start + 1);
    }
    return best;
  };

  let closed = false;
  return {
    url: `http://127.0.0.1:${port}/v1`,
    port,
    batches,
    get requests() {
      return requests;
    },
    setBehaviour(fn) {
      behaviourFn = fn;
    },
    enqueue(...behaviours) {
      script.push(...behaviours);
    },
    setLatency(ms) {
      latencyMs = ms;
    },
    chatTimestamps,
    maxInWindow,
    stats() {
      const byOutcome: Record<string, number> = {};
      let served429 = 0;
      for (const r of requests) {
        const key = String(r.outcome);
        byOutcome[key] = (byOutcome[key] ?? 0) + 1;
        if (r.outcome === 429) served429 += 1;
      }
      return {
        chatRequests: chatCount,
        totalRequests: requests.length,
        byOutcome,
        served429,
        rejectedByRpm,
        inFlight,
        maxConcurrent,
        maxInAnyWindow: maxInWindow(limitWindowMs),
        windowMs: limitWindowMs,
      };
    },
    reset() {
      requests = [];
      arrivals = [];
      chatCount = 0;
      rejectedByRpm = 0;
      maxConcurrent = inFlight;
    },
    async close() {
      if (closed) return;
      closed = true;
      for (const timer of pendingTimers) clearTimeout(timer);
      pendingTimers.clear();
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        // Hanging requests and idle keep-alive sockets would otherwise hold close() forever.
        server.closeAllConnections();
        for (const socket of sockets) socket.destroy();
      });
    },
  };
}

/** Behaviour function from a list: request i gets list[i], later requests get `then` (default ok). */
export function scripted(list: FakeBehaviour[], then: FakeBehaviour = { kind: 'ok' }): BehaviourFn {
  return ({ index }) => list[index] ?? then;
}
