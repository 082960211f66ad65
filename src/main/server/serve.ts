import fs from 'node:fs';
import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { AppContext } from '../core/app/context.ts';
import { runsFromSources } from '../core/runs-from.ts';
import { closeRuntime, createHandlers, createRuntime, dispatch, openAnalyticsInBackground, type ConsoleRuntime, type RuntimeOptions } from '../core/handlers.ts';
import { DESKTOP_ONLY_CHANNELS, isChannel } from '../../shared/channels.ts';
import type { Envelope, JobEvent } from '../../shared/types.ts';
import { generateToken, hostAllowed, originAllowed, requestToken, SECURITY_HEADERS, tokenMatches } from './security.ts';
import { serveStatic } from './static.ts';

// The `serve` transport: the console in a browser on this machine. Same handler registry as the
// Electron IPC adapter; bound to 127.0.0.1 only, with a random token per launch.

export interface ServeOptions {
  /** 0 (default) picks a free port. */
  port?: number;
  /** The built renderer (out/renderer). */
  rendererDir: string;
  runtime?: RuntimeOptions;
}

export interface RunningServer {
  url: string;
  token: string;
  port: number;
  runtime: ConsoleRuntime;
  /** Stops the server, cancels running work and closes the context. */
  close(): Promise<void>;
}

const MAX_BODY_BYTES = 1024 * 1024;
const HEARTBEAT_MS = 15_000;

/** Where `npm run build` puts the renderer: from this file in the sources, or from the built out/main. */
export function defaultRendererDir(): string {
  return fileURLToPath(new URL(runsFromSources(import.meta.url) ? '../../../out/renderer/' : '../renderer/', import.meta.url));
}

function sendJson(response: ServerResponse, status: number, body: Envelope<unknown>): void {
  const text = JSON.stringify(body);
  response.writeHead(status, {
    ...SECURITY_HEADERS,
    'Content-Type': 'application/json; charset=utf-8',
    'Content-Length': String(Buffer.byteLength(text)),
    'Cache-Control': 'no-store',
  });
  response.end(text);
}

function refuse(response: ServerResponse, status: number, code: 'forbidden' | 'validation' | 'not_found' | 'internal', message: string): void {
  sendJson(response, status, { ok: false, error: { code, message } });
}

async function readBody(request: IncomingMessage): Promise<string | null> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_BODY_BYTES) return null;
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString('utf8');
}

export async function startServer(context: AppContext, options: ServeOptions): Promise<RunningServer> {
  const rendererDir = path.resolve(options.rendererDir);
  if (!fs.existsSync(path.join(rendererDir, 'index.html'))) {
    throw new Error(`The console is not built: ${path.join(rendererDir, 'index.html')} is missing. Run "npm run build" first.`);
  }
  const runtime = createRuntime(context, options.runtime);
  const handlers = createHandlers(runtime);
  const token = generateToken();
  const streams = new Set<ServerResponse>();
  let port = 0;

  async function invoke(request: IncomingMessage, response: ServerResponse, channel: string): Promise<void> {
    if (request.method !== 'POST') {
      response.setHeader('Allow', 'POST');
      refuse(response, 405, 'validation', 'Calls are POST requests.');
      return;
    }
    if (!isChannel(channel)) {
      refuse(response, 404, 'not_found', `Unknown channel "${channel.slice(0, 100)}".`);
      return;
    }
    if (!(request.headers['content-type'] ?? '').startsWith('application/json')) {
      refuse(response, 415, 'validation', 'Send the arguments as JSON (Content-Type: application/json).');
      return;
    }
    if (DESKTOP_ONLY_CHANNELS.includes(channel)) {
      sendJson(response, 200, {
        ok: false,
        error: { code: 'unavailable', message: 'This needs the desktop app; in the browser console type the path instead.' },
      });
      return;
    }
    const text = await readBody(request);
    if (text === null) {
      refuse(response, 413, 'validation', 'The request is larger than 1 MB.');
      return;
    }
    let args: unknown;
    try {
      args = text.trim() === '' ? {} : JSON.parse(text);
    } catch {
      refuse(response, 400, 'validation', 'The request body is not valid JSON.');
      return;
    }
    const result = await dispatch(runtime, handlers, channel, args);
    sendJson(response, !result.ok && result.error.code === 'validation' ? 400 : 200, result);
  }

  function events(request: IncomingMessage, response: ServerResponse): void {
    if (request.method !== 'GET') {
      refuse(response, 405, 'validation', 'Subscribe with GET.');
      return;
    }
    response.writeHead(200, {
      ...SECURITY_HEADERS,
      'Content-Type': 'text/event-stream; charset=utf-8',
      'Cache-Control': 'no-store',
      Connection: 'keep-alive',
    });
    response.write('retry: 2000\n\n');
    const write = (event: JobEvent): void => {
      response.write(`event: jobs.update\ndata: ${JSON.stringify(event)}\n\n`);
    };
    const unsubscribe = runtime.jobs.subscribe(write);
    const heartbeat = setInterval(() => response.write(': keep-alive\n\n'), HEARTBEAT_MS);
    heartbeat.unref();
    streams.add(response);
    const stop = (): void => {
      clearInterval(heartbeat);
      unsubscribe();
      streams.delete(response);
    };
    request.on('close', stop);
    response.on('error', stop);
  }

  async function handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    if (!hostAllowed(request, port) || !originAllowed(request, port)) {
      refuse(response, 403, 'forbidden', 'Refused: the console answers only to http://127.0.0.1 on its own port.');
      return;
    }
    const url = new URL(request.url ?? '/', `http://127.0.0.1:${port}`);
    if (url.pathname.startsWith('/api/')) {
      const isEvents = url.pathname === '/api/events';
      if (!tokenMatches(requestToken(request, url, isEvents), token)) {
        refuse(response, 401, 'forbidden', 'Missing or wrong access token: open the console with the address printed by "serve".');
        return;
      }
      if (isEvents) return events(request, response);
      const prefix = '/api/invoke/';
      if (url.pathname.startsWith(prefix)) {
        let channel: string;
        try {
          channel = decodeURIComponent(url.pathname.slice(prefix.length));
        } catch {
          // A malformed %-escape is the caller's mistake, not a server failure.
          refuse(response, 400, 'validation', 'The channel name in the address is not valid percent-encoding.');
          return;
        }
        return invoke(request, response, channel);
      }
      refuse(response, 404, 'not_found', 'No such endpoint.');
      return;
    }
    await serveStatic(rendererDir, request, response, url.pathname);
  }

  const server = http.createServer((request, response) => {
    handle(request, response).catch((error: unknown) => {
      runtime.log.error(`serve: ${request.method} ${request.url} failed`, error);
      if (!response.headersSent) refuse(response, 500, 'internal', 'The request could not be handled; see the log.');
      else response.destroy();
    });
  });
  // Slow-loris protection; SSE streams are exempt because they write heartbeats.
  server.headersTimeout = 20_000;
  server.requestTimeout = 60_000;

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen({ port: options.port ?? 0, host: '127.0.0.1' }, () => {
      server.off('error', reject);
      resolve();
    });
  });
  port = (server.address() as AddressInfo).port;
  openAnalyticsInBackground(runtime);

  let closing: Promise<void> | null = null;
  return {
    url: `http://127.0.0.1:${port}/#token=${token}`,
    token,
    port,
    runtime,
    close() {
      closing ??= (async () => {
        for (const stream of streams) stream.end();
        await new Promise<void>((resolve) => {
          server.close(() => resolve());
          server.closeAllConnections();
        });
        await closeRuntime(runtime);
      })();
      return closing;
    },
  };
}
