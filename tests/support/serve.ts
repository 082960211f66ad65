import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { startServer, type RunningServer } from '../../src/main/server/serve.ts';
import type { FixtureContext } from '../unit/handlers/support.ts';

// The loopback transport as tests meet it: a server over a fixture context with a stand-in
// renderer folder, and raw HTTP exchanges (any Host header, any body, every byte kept).

export interface RawReply {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: Buffer;
}

export interface RawRequest {
  port: number;
  method?: string;
  path: string;
  headers?: Record<string, string>;
  body?: string | Buffer;
  /** The address to connect to (default 127.0.0.1). */
  address?: string;
  timeoutMs?: number;
}

/** One raw HTTP exchange (any Host header, any body), with a timeout so nothing hangs a test. */
export function rawRequest(options: RawRequest): Promise<RawReply> {
  return new Promise((resolve, reject) => {
    const req = http.request(
      {
        host: options.address ?? '127.0.0.1',
        port: options.port,
        method: options.method ?? 'GET',
        path: options.path,
        headers: { host: `127.0.0.1:${options.port}`, ...options.headers },
        timeout: options.timeoutMs ?? 30_000,
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }));
        res.on('error', reject);
      },
    );
    req.on('timeout', () => req.destroy(new Error(`no answer from ${options.method ?? 'GET'} ${options.path} within ${options.timeoutMs ?? 30_000} ms`)));
    req.on('error', reject);
    req.end(options.body);
  });
}

export interface FixtureServer {
  server: RunningServer;
  rendererDir: string;
  close(): Promise<void>;
}

/**
 * `serve` over a fixture context, its renderer a temporary folder holding `files` (relative
 * path → content), settings kept in memory and errors not logged.
 */
export async function serveFixture(base: FixtureContext, files: Record<string, string>): Promise<FixtureServer> {
  const rendererDir = fs.mkdtempSync(path.join(os.tmpdir(), 'cogniforce-renderer-'));
  for (const [name, content] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(rendererDir, name)), { recursive: true });
    fs.writeFileSync(path.join(rendererDir, name), content);
  }
  const server = await startServer(base.context, { rendererDir, runtime: { env: {}, persisted: base.settings, writeFile: false, log: { error: () => undefined } } });
  return {
    server,
    rendererDir,
    close: async () => {
      await server.close();
      fs.rmSync(rendererDir, { recursive: true, force: true });
    },
  };
}
