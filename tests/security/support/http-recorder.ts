import http from 'node:http';
import { rawRequest, type RawReply } from '../../support/serve.ts';

// Talks to the `serve` transport the way the browser console does and keeps every byte it
// receives: each response body, and the whole server-sent event stream.

export interface RecordedResponse {
  label: string;
  status: number;
  body: Buffer;
}

export class ConsoleRecorder {
  readonly responses: RecordedResponse[] = [];
  private readonly eventChunks: Buffer[] = [];
  private events: http.IncomingMessage | null = null;

  constructor(
    private readonly port: number,
    private readonly token: string,
  ) {}

  /** Calls a channel; returns the parsed envelope and records the raw body. */
  async call<T = unknown>(channel: string, args: unknown = {}): Promise<{ ok: true; data: T } | { ok: false; error: { code: string; message: string } }> {
    const reply = await rawRequest({
      port: this.port,
      method: 'POST',
      path: `/api/invoke/${channel}`,
      headers: { 'content-type': 'application/json', 'x-cogniforce-token': this.token, origin: `http://127.0.0.1:${this.port}` },
      body: JSON.stringify(args),
      timeoutMs: 120_000,
    });
    this.responses.push({ label: `POST ${channel}`, status: reply.status, body: reply.body });
    return JSON.parse(reply.body.toString('utf8')) as { ok: true; data: T } | { ok: false; error: { code: string; message: string } };
  }

  /** Like call, but fails the test with the error when the call does not succeed. */
  async data<T = unknown>(channel: string, args: unknown = {}): Promise<T> {
    const result = await this.call<T>(channel, args);
    if (!result.ok) throw new Error(`${channel} failed: ${result.error.code}: ${result.error.message}`);
    return result.data;
  }

  async get(path: string): Promise<RawReply> {
    const reply = await rawRequest({ port: this.port, path });
    this.responses.push({ label: `GET ${path}`, status: reply.status, body: reply.body });
    return reply;
  }

  /** Subscribes to /api/events and records everything that arrives until stopEvents(). */
  async startEvents(): Promise<void> {
    this.events = await new Promise<http.IncomingMessage>((resolve, reject) => {
      const req = http.get(
        { host: '127.0.0.1', port: this.port, path: `/api/events?token=${encodeURIComponent(this.token)}`, headers: { host: `127.0.0.1:${this.port}` } },
        resolve,
      );
      req.on('error', reject);
    });
    this.events.on('data', (chunk: Buffer) => this.eventChunks.push(chunk));
    this.events.on('error', () => undefined);
  }

  stopEvents(): Buffer {
    this.events?.destroy();
    this.events = null;
    return Buffer.concat(this.eventChunks);
  }

  eventStream(): Buffer {
    return Buffer.concat(this.eventChunks);
  }
}
