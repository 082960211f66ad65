import path from 'node:path';
import type { IncomingMessage } from 'node:http';
import { describe, expect, it } from 'vitest';
import { CONTENT_SECURITY_POLICY, generateToken, hostAllowed, originAllowed, requestToken, tokenMatches } from '../../../src/main/server/security.ts';
import { resolveStaticPath } from '../../../src/main/server/static.ts';
import { isTrustedRendererUrl } from '../../../src/main/electron/trusted-url.ts';

function request(headers: Record<string, string>): IncomingMessage {
  return { headers } as unknown as IncomingMessage;
}

describe('loopback security', () => {
  it('generates long random tokens and compares them exactly', () => {
    const a = generateToken();
    expect(a).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(generateToken()).not.toBe(a);
    expect(tokenMatches(a, a)).toBe(true);
    expect(tokenMatches(`${a}x`, a)).toBe(false);
    expect(tokenMatches('', a)).toBe(false);
    expect(tokenMatches(undefined, a)).toBe(false);
  });

  it('accepts only our own host and port', () => {
    expect(hostAllowed(request({ host: '127.0.0.1:4000' }), 4000)).toBe(true);
    expect(hostAllowed(request({ host: 'localhost:4000' }), 4000)).toBe(true);
    expect(hostAllowed(request({ host: '127.0.0.1:4001' }), 4000)).toBe(false);
    expect(hostAllowed(request({ host: 'evil.example:4000' }), 4000)).toBe(false);
    expect(hostAllowed(request({}), 4000)).toBe(false);
  });

  it('accepts a missing Origin or our own, nothing else', () => {
    expect(originAllowed(request({}), 4000)).toBe(true);
    expect(originAllowed(request({ origin: 'http://127.0.0.1:4000' }), 4000)).toBe(true);
    expect(originAllowed(request({ origin: 'http://evil.example' }), 4000)).toBe(false);
    expect(originAllowed(request({ origin: 'null' }), 4000)).toBe(false);
  });

  it('reads the token from headers, and from the query only where allowed', () => {
    const url = new URL('http://127.0.0.1:1/api/events?token=q');
    expect(requestToken(request({ 'x-cogniforce-token': 'h' }), url, true)).toBe('h');
    expect(requestToken(request({ authorization: 'Bearer b' }), url, false)).toBe('b');
    expect(requestToken(request({}), url, true)).toBe('q');
    expect(requestToken(request({}), url, false)).toBeNull();
  });

  it('has a strict CSP without eval or inline script', () => {
    expect(CONTENT_SECURITY_POLICY).toContain("script-src 'self'");
    expect(CONTENT_SECURITY_POLICY).not.toContain('unsafe-eval');
    expect(CONTENT_SECURITY_POLICY).not.toMatch(/script-src[^;]*unsafe-inline/);
    expect(CONTENT_SECURITY_POLICY).toContain("frame-ancestors 'none'");
  });
});

describe('static path guard', () => {
  const root = path.resolve('/srv/renderer');
  it('maps paths inside the renderer folder', () => {
    expect(resolveStaticPath(root, '/index.html')).toBe(path.join(root, 'index.html'));
    expect(resolveStaticPath(root, '/assets/app-1a2b.js')).toBe(path.join(root, 'assets', 'app-1a2b.js'));
  });
  it('never leaves the renderer folder', () => {
    for (const attempt of ['/../secret', '/%2e%2e/%2e%2e/etc/passwd', '/assets/../../x', '/..%2fx', '/%2e%2e%5cx']) {
      const resolved = resolveStaticPath(root, attempt);
      expect(resolved === null || resolved.startsWith(root + path.sep), attempt).toBe(true);
    }
    expect(resolveStaticPath(root, '/a%00b')).toBeNull();
    expect(resolveStaticPath(root, '/%E0%A4%A')).toBeNull();
  });
});

describe('Electron sender check', () => {
  const trusted = { rendererIndex: path.resolve('/app/out/renderer/index.html') };
  it('trusts only the app page', () => {
    expect(isTrustedRendererUrl('file:///app/out/renderer/index.html', trusted)).toBe(true);
    expect(isTrustedRendererUrl('file:///app/out/renderer/index.html#/runs', trusted)).toBe(true);
    expect(isTrustedRendererUrl('file:///tmp/evil.html', trusted)).toBe(false);
    expect(isTrustedRendererUrl('https://example.com/', trusted)).toBe(false);
    expect(isTrustedRendererUrl(undefined, trusted)).toBe(false);
    expect(isTrustedRendererUrl('http://localhost:5173/', trusted)).toBe(false);
    expect(isTrustedRendererUrl('http://localhost:5173/', { ...trusted, devServerUrl: 'http://localhost:5173' })).toBe(true);
  });
});
