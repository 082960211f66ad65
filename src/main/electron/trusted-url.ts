import path from 'node:path';
import { fileURLToPath } from 'node:url';

// Which page may call the main process: the app's own index.html (or the dev server during
// development), never a frame or a page navigated elsewhere. A pure predicate, unit-tested.

export interface TrustedOrigin {
  /** Absolute path of the built renderer's index.html. */
  rendererIndex: string;
  /** electron-vite's dev server URL, only when not packaged. */
  devServerUrl?: string | undefined;
}

export function isTrustedRendererUrl(url: string | undefined, trusted: TrustedOrigin): boolean {
  if (!url) return false;
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return false;
  }
  if (parsed.username || parsed.password) return false;
  if (parsed.protocol === 'file:') {
    try {
      return path.resolve(fileURLToPath(`file://${parsed.host}${parsed.pathname}`)) === path.resolve(trusted.rendererIndex);
    } catch {
      return false;
    }
  }
  if (trusted.devServerUrl) {
    try {
      return parsed.origin === new URL(trusted.devServerUrl).origin;
    } catch {
      return false;
    }
  }
  return false;
}

const EXTERNAL_PROTOCOLS = new Set(['http:', 'https:']);

/** What may be handed to the system browser: http(s) URLs without embedded credentials, nothing else (file:, javascript:, custom schemes). */
export function isSafeExternalUrl(url: unknown): url is string {
  if (typeof url !== 'string') return false;
  try {
    const parsed = new URL(url);
    return EXTERNAL_PROTOCOLS.has(parsed.protocol) && parsed.username === '' && parsed.password === '';
  } catch {
    return false;
  }
}
