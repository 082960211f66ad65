import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningServer } from '../../../src/main/server/serve.ts';
import { rawRequest, serveFixture, type FixtureServer } from '../../support/serve.ts';
import { fixtureContext, type FixtureContext } from '../../unit/handlers/support.ts';

// The loopback transport over real HTTP: bound to 127.0.0.1, token required, Host and Origin
// checked, the renderer served with a strict CSP and no way out of its folder.

let base: FixtureContext;
let served: FixtureServer;
let server: RunningServer;

beforeAll(async () => {
  base = await fixtureContext();
  served = await serveFixture(base, { 'index.html': '<!doctype html><title>console</title>', 'assets/app.js': 'console.log(1)' });
  server = served.server;
  fs.writeFileSync(path.join(path.dirname(served.rendererDir), 'cogniforce-outside.txt'), 'secret');
}, 120_000);

afterAll(async () => {
  await served?.close();
  await base?.cleanup();
});

/** A raw request, so tests can send any Host header (fetch would not let us); the body as text. */
async function request(options: { method?: string; path: string; headers?: Record<string, string>; body?: string; host?: string }) {
  const { host, headers, ...rest } = options;
  const reply = await rawRequest({ ...rest, port: server.port, headers: { ...(host ? { host } : {}), ...headers } });
  return { ...reply, body: reply.body.toString('utf8') };
}

const call = (channel: string, body: unknown, headers: Record<string, string> = {}) =>
  request({
    method: 'POST',
    path: `/api/invoke/${channel}`,
    headers: { 'content-type': 'application/json', 'x-cogniforce-token': server.token, ...headers },
    body: JSON.stringify(body),
  });

describe('serve', () => {
  it('prints a loopback URL with the token in the hash and binds to 127.0.0.1 only', async () => {
    expect(server.url).toBe(`http://127.0.0.1:${server.port}/#token=${server.token}`);
    const external = Object.values(os.networkInterfaces())
      .flat()
      .find((i) => i && i.family === 'IPv4' && !i.internal);
    if (external) {
      await expect(
        new Promise((resolve, reject) => {
          const req = http.get({ host: external.address, port: server.port, path: '/' }, resolve);
          req.on('error', reject);
        }),
      ).rejects.toMatchObject({ code: 'ECONNREFUSED' });
    }
  });

  it('answers calls with the token', async () => {
    const reply = await call('app.info', {});
    expect(reply.status).toBe(200);
    expect(JSON.parse(reply.body)).toMatchObject({ ok: true, data: { setup: { complete: true } } });
    const bearer = await call('app.info', {}, { 'x-cogniforce-token': '', authorization: `Bearer ${server.token}` });
    expect(bearer.status).toBe(200);
  });

  it('401 without a token or with a wrong one', async () => {
    expect((await call('app.info', {}, { 'x-cogniforce-token': '' })).status).toBe(401);
    expect((await call('app.info', {}, { 'x-cogniforce-token': 'wrong' })).status).toBe(401);
    expect((await request({ path: '/api/events' })).status).toBe(401);
    expect((await request({ path: '/api/events?token=wrong' })).status).toBe(401);
  });

  it('403 for a foreign Host (DNS rebinding) or Origin', async () => {
    expect((await call('app.info', {}, { host: `evil.example:${server.port}` })).status).toBe(403);
    expect((await request({ path: '/', host: `attacker.test:${server.port}` })).status).toBe(403);
    expect((await call('app.info', {}, { origin: 'http://evil.example' })).status).toBe(403);
    expect((await call('app.info', {}, { origin: `http://127.0.0.1:${server.port}` })).status).toBe(200);
  });

  it('validates every call and never leaks a stack', async () => {
    const bad = await call('dashboard.summary', { from: 'yesterday' });
    expect(bad.status).toBe(400);
    expect(JSON.parse(bad.body)).toMatchObject({ ok: false, error: { code: 'validation' } });
    const notJson = await request({ method: 'POST', path: '/api/invoke/app.info', headers: { 'content-type': 'application/json', 'x-cogniforce-token': server.token }, body: '{' });
    expect(notJson.status).toBe(400);
    const unknown = await call('secrets.get', { key: 'salt' });
    expect(unknown.status).toBe(404);
    const form = await request({ method: 'POST', path: '/api/invoke/app.info', headers: { 'content-type': 'text/plain', 'x-cogniforce-token': server.token }, body: '{}' });
    expect(form.status).toBe(415);
    const get = await request({ path: '/api/invoke/app.info', headers: { 'x-cogniforce-token': server.token } });
    expect(get.status).toBe(405);
  });

  it('answers desktop-only channels with a readable "not available"', async () => {
    const reply = JSON.parse((await call('dialog.pickSqliteFile', {})).body);
    expect(reply).toMatchObject({ ok: false, error: { code: 'unavailable', message: expect.stringMatching(/desktop app/) } });
  });

  it('serves the renderer with a strict CSP and refuses to leave its folder', async () => {
    const index = await request({ path: '/' });
    expect(index.status).toBe(200);
    expect(index.headers['content-security-policy']).toContain("script-src 'self'");
    expect(index.headers['x-content-type-options']).toBe('nosniff');
    expect(index.headers['cache-control']).toBe('no-store');
    const asset = await request({ path: '/assets/app.js' });
    expect(asset.headers['content-type']).toContain('text/javascript');
    expect((await request({ path: '/runs' })).body).toContain('<title>console</title>');
    for (const attempt of ['/../cogniforce-outside.txt', '/%2e%2e/cogniforce-outside.txt', '/assets/..%2f..%2fcogniforce-outside.txt']) {
      const reply = await request({ path: attempt });
      expect(reply.body, attempt).not.toContain('secret');
    }
    expect((await request({ path: '/missing.js' })).status).toBe(404);
    expect((await request({ method: 'DELETE', path: '/' })).status).toBe(405);
  });

  it('streams job events to subscribers', async () => {
    const received: string[] = [];
    const stream = await new Promise<http.IncomingMessage>((resolve, reject) => {
      const req = http.get({ host: '127.0.0.1', port: server.port, path: `/api/events?token=${server.token}`, headers: { host: `127.0.0.1:${server.port}` } }, resolve);
      req.on('error', reject);
    });
    expect(stream.headers['content-type']).toContain('text/event-stream');
    stream.on('data', (chunk: Buffer) => received.push(chunk.toString('utf8')));
    const job = server.runtime.jobs.start('run', { from: '2026-01-01', to: '2026-01-01', force: false }, async ({ onProgress }) => {
      onProgress({ runId: 9, phase: 'reading', scanned: 1, skipped: 0, unchanged: 0, selected: 1, processed: 0, failed: 0, candidates: 2, elapsedSeconds: 0.1, etaSeconds: 0.1 });
      return { runId: 9, status: 'completed', from: '2026-01-01', to: '2026-01-01', processed: 1, skipped: 0, unchanged: 0, failed: 0, deferred: 0, llmRequests: 0, llmCostUsd: 0, durationSeconds: 0.2, touchedDates: [], resumed: [], errorMessage: null };
    });
    await server.runtime.jobs.waitFor(job.id);
    await new Promise((r) => setTimeout(r, 100));
    stream.destroy();
    const text = received.join('');
    expect(text).toContain('event: jobs.update');
    const events = text
      .split('\n')
      .filter((l) => l.startsWith('data: '))
      .map((l) => JSON.parse(l.slice(6)) as { type: string });
    expect(events.map((e) => e.type)).toEqual(['started', 'progress', 'finished']);
  });
});
