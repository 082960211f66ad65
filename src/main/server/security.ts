import crypto from 'node:crypto';
import type { IncomingMessage } from 'node:http';

// Checks for the loopback transport. Binding to 127.0.0.1 keeps other machines out; the Host
// check stops DNS-rebinding pages from talking to us under a name they control; the Origin
// check stops other local pages; the per-launch token stops every other local process and page.

/** The console's Content-Security-Policy: no inline or eval'd script, no foreign connections. */
export const CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "script-src 'self'",
  // echarts and React set inline style attributes; styles cannot run code.
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data:",
  "font-src 'self'",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

export const SECURITY_HEADERS: Record<string, string> = {
  'Content-Security-Policy': CONTENT_SECURITY_POLICY,
  'X-Content-Type-Options': 'nosniff',
  'X-Frame-Options': 'DENY',
  'Referrer-Policy': 'no-referrer',
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Resource-Policy': 'same-origin',
  'Permissions-Policy': 'camera=(), microphone=(), geolocation=()',
};

export const TOKEN_HEADER = 'x-cogniforce-token';

export function generateToken(): string {
  return crypto.randomBytes(32).toString('base64url');
}

/** Hosts the browser may call us by: the loopback address and localhost, on our port only. */
export function allowedHosts(port: number): Set<string> {
  return new Set([`127.0.0.1:${port}`, `localhost:${port}`]);
}

export function hostAllowed(request: IncomingMessage, port: number): boolean {
  const host = request.headers.host?.toLowerCase();
  return host !== undefined && allowedHosts(port).has(host);
}

/** No Origin (same-origin GET, curl) is fine; a present Origin must be ours. */
export function originAllowed(request: IncomingMessage, port: number): boolean {
  const origin = request.headers.origin;
  if (origin === undefined) return true;
  return origin === `http://127.0.0.1:${port}` || origin === `http://localhost:${port}`;
}

/** Constant-time comparison (hashing first makes the lengths equal). */
export function tokenMatches(candidate: string | undefined | null, token: string): boolean {
  if (!candidate) return false;
  const a = crypto.createHash('sha256').update(candidate).digest();
  const b = crypto.createHash('sha256').update(token).digest();
  return crypto.timingSafeEqual(a, b);
}

/** The token from the header (API calls) or, for EventSource which cannot set headers, the query. */
export function requestToken(request: IncomingMessage, url: URL, allowQuery: boolean): string | null {
  const header = request.headers[TOKEN_HEADER];
  if (typeof header === 'string' && header) return header;
  const auth = request.headers.authorization;
  if (auth?.startsWith('Bearer ')) return auth.slice('Bearer '.length);
  return allowQuery ? url.searchParams.get('token') : null;
}
