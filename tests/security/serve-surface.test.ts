import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { RunningServer } from '../../src/main/server/serve.ts';
import { CHANNELS, DESKTOP_ONLY_CHANNELS, type Channel } from '../../src/shared/channels.ts';
import { contract } from '../../src/shared/contract.ts';
import { fixtureContext, type FixtureContext } from '../unit/handlers/support.ts';
import { rawRequest, serveFixture, type FixtureServer, type RawReply } from '../support/serve.ts';
import { confinePaths, jsonish, mutatedPayload } from './support/payloads.ts';

// The loopback transport as an attacker on the same machine (or the LAN) meets it: it listens on
// 127.0.0.1 only, every API path needs the per-launch token, a foreign Host (DNS rebinding) or
// Origin (another local page) is refused before anything runs, and every channel answers
// invalid payloads — valid JSON or not — with a validation envelope over HTTP too.

const CASES_PER_CHANNEL = 40;

let base: FixtureContext;
let served: FixtureServer;
let server: RunningServer;
let fuzzed = 0;

beforeAll(async () => {
  base = await fixtureContext();
  fs.mkdirSync(path.join(base.dataDir, 'confined'), { recursive: true });
  served = await serveFixture(base, { 'index.html': '<!doctype html><title>console</title>' });
  server = served.server;
}, 120_000);

afterAll(async () => {
  await served?.close();
  await base?.cleanup();
  fs.mkdirSync('test-results', { recursive: true });
  fs.writeFileSync('test-results/security-fuzz-http.json', JSON.stringify({ httpCases: fuzzed, channels: CHANNELS.length }, null, 2));
});

const api = (channel: string, body: string | Buffer, headers: Record<string, string> = {}): Promise<RawReply> =>
  rawRequest({
    port: server.port,
    method: 'POST',
    path: `/api/invoke/${encodeURIComponent(channel)}`,
    headers: { 'content-type': 'application/json', 'x-cogniforce-token': server.token, ...headers },
    body,
  });

const envelope = (reply: RawReply): { ok: boolean; error?: { code: string; message: string } } => JSON.parse(reply.body.toString('utf8')) as { ok: boolean; error?: { code: string; message: string } };

/** Whether `address:port` accepts a TCP connection. */
function connects(address: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ host: address, port });
    socket.setTimeout(2_000);
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('timeout', () => {
      socket.destroy();
      resolve(false);
    });
    socket.once('error', () => resolve(false));
  });
}

/** Local addresses of TCP sockets listening on `port`, from the kernel's own table (Linux). */
function listeningAddresses(port: number): string[] {
  const out: string[] = [];
  for (const [file, v6] of [['/proc/net/tcp', false], ['/proc/net/tcp6', true]] as const) {
    if (!fs.existsSync(file)) continue;
    for (const line of fs.readFileSync(file, 'utf8').split('\n').slice(1)) {
      const [, local, , state] = line.trim().split(/\s+/);
      if (!local || state !== '0A') continue; // 0A = LISTEN
      const [hexAddress, hexPort] = local.split(':') as [string, string];
      if (parseInt(hexPort, 16) !== port) continue;
      if (!v6) {
        const bytes = hexAddress.match(/../g)!.map((h) => parseInt(h, 16)).reverse();
        out.push(bytes.join('.'));
      } else out.push(`v6:${hexAddress}`);
    }
  }
  return out;
}

describe('listening', () => {
  test.runIf(process.platform === 'linux')('the kernel shows one listening socket, on 127.0.0.1', () => {
    expect(listeningAddresses(server.port)).toEqual(['127.0.0.1']);
  });

  test('reachable on 127.0.0.1, not on other loopback addresses, IPv6 or any other interface', async () => {
    expect(await connects('127.0.0.1', server.port)).toBe(true);
    // A server bound to 0.0.0.0 would accept these; one bound to 127.0.0.1 does not.
    if (process.platform === 'linux') expect(await connects('127.0.0.2', server.port)).toBe(false);
    expect(await connects('::1', server.port)).toBe(false);
    const external = Object.values(os.networkInterfaces())
      .flat()
      .filter((i): i is os.NetworkInterfaceInfo => Boolean(i) && !i!.internal)
      .map((i) => i.address);
    console.log(`non-loopback interface addresses tried: ${external.join(', ') || 'none on this machine'}`);
    for (const address of external) expect(await connects(address, server.port), address).toBe(false);
  });
});

describe('who may call', () => {
  test('every channel: 401 without the token or with a wrong one; 403 for a foreign Host or Origin', async () => {
    for (const channel of CHANNELS) {
      for (const token of ['', 'wrong', `${server.token}x`, server.token.slice(1)]) {
        const reply = await api(channel, '{}', { 'x-cogniforce-token': token });
        expect(reply.status, `${channel} token "${token.slice(0, 8)}"`).toBe(401);
        expect(envelope(reply)).toMatchObject({ ok: false, error: { code: 'forbidden' } });
      }
      expect((await api(channel, '{}', { 'x-cogniforce-token': '', authorization: 'Bearer wrong' })).status).toBe(401);
      // The token in the query string is for the event stream only.
      const inQuery = await rawRequest({ port: server.port, method: 'POST', path: `/api/invoke/${channel}?token=${server.token}`, headers: { 'content-type': 'application/json' }, body: '{}' });
      expect(inQuery.status, channel).toBe(401);
      for (const host of [`evil.example:${server.port}`, `127.0.0.1:${server.port + 1}`, `localhost.evil.example:${server.port}`, '127.0.0.1', `[::1]:${server.port}`]) {
        expect((await api(channel, '{}', { host })).status, `${channel} Host ${host}`).toBe(403);
      }
      for (const origin of ['http://evil.example', `http://127.0.0.1:${server.port + 1}`, `https://127.0.0.1:${server.port}`, 'null', `http://127.0.0.1:${server.port}.evil.example`]) {
        expect((await api(channel, '{}', { origin })).status, `${channel} Origin ${origin}`).toBe(403);
      }
    }
    expect((await rawRequest({ port: server.port, path: '/api/events' })).status).toBe(401);
    expect((await rawRequest({ port: server.port, path: `/api/events?token=${server.token}`, headers: { origin: 'http://evil.example' } })).status).toBe(403);
    expect((await rawRequest({ port: server.port, path: '/', headers: { host: `rebind.evil.example:${server.port}` } })).status).toBe(403);
  });

  test('a refused request runs nothing: a wrong token cannot change a setting', async () => {
    const before = JSON.stringify(server.runtime.contexts.current().settings);
    const patch = JSON.stringify({ patch: { value: { hourlyRate: 999 } } });
    expect((await api('settings.update', patch, { 'x-cogniforce-token': 'wrong' })).status).toBe(401);
    expect((await api('settings.update', patch, { origin: 'http://evil.example' })).status).toBe(403);
    expect(JSON.stringify(server.runtime.contexts.current().settings)).toBe(before);
  });
});

describe('every channel, fuzzed over HTTP', () => {
  test.each(CHANNELS.map((c) => [c]))('%s', { timeout: 300_000 }, async (channel: Channel) => {
    const desktopOnly = DESKTOP_ONLY_CHANNELS.includes(channel);
    await fc.assert(
      fc.asyncProperty(fc.oneof(jsonish, mutatedPayload(channel)), async (generated) => {
        fuzzed += 1;
        const payload = confinePaths(generated, base.dataDir);
        const body = JSON.stringify(payload) ?? '';
        const reply = await api(channel, body);
        const result = envelope(reply);
        const parsed: unknown = body.trim() === '' ? {} : JSON.parse(body);
        const valid = contract[channel].args.safeParse(parsed === null ? {} : parsed).success;
        if (desktopOnly) {
          expect(result).toMatchObject({ ok: false, error: { code: 'unavailable' } });
        } else if (!valid) {
          expect(reply.status, body.slice(0, 200)).toBe(400);
          expect(result).toMatchObject({ ok: false, error: { code: 'validation' } });
        } else {
          expect(reply.status).toBe(result.ok || result.error?.code !== 'validation' ? 200 : 400);
          if (!result.ok) expect(result.error?.code).not.toBe('internal');
        }
        if (!result.ok) expect(result.error?.message).not.toMatch(/\n\s+at /);
      }),
      { numRuns: CASES_PER_CHANNEL },
    );
    for (const job of server.runtime.jobs.recent()) await server.runtime.jobs.waitFor(job.id);
  });

  test('bodies that are not JSON, too large, or of another type are refused without a stack', async () => {
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...CHANNELS), fc.string({ maxLength: 200 }), async (channel, text) => {
        fuzzed += 1;
        let isJson = true;
        try {
          JSON.parse(text);
        } catch {
          isJson = false;
        }
        const reply = await api(channel, text);
        if (!isJson && text.trim() !== '' && !DESKTOP_ONLY_CHANNELS.includes(channel)) {
          expect(reply.status).toBe(400);
          expect(envelope(reply)).toEqual({ ok: false, error: { code: 'validation', message: 'The request body is not valid JSON.' } });
        }
        expect(reply.body.toString('utf8')).not.toMatch(/\n\s+at /);
      }),
      { numRuns: 200 },
    );
    const huge = await api('settings.update', Buffer.alloc(1024 * 1024 + 10, 0x20));
    expect(huge.status).toBe(413);
    const form = await api('app.info', '{}', { 'content-type': 'application/x-www-form-urlencoded' });
    expect(form.status).toBe(415);
    const unknown = await api('secrets.get', JSON.stringify({ key: 'salt' }));
    expect(unknown.status).toBe(404);
    const encoded = await rawRequest({ port: server.port, method: 'POST', path: '/api/invoke/%E0%A4%A', headers: { 'content-type': 'application/json', 'x-cogniforce-token': server.token }, body: '{}' });
    expect(encoded.status).toBe(400);
    expect(envelope(encoded)).toMatchObject({ ok: false, error: { code: 'validation' } });
  });
});
