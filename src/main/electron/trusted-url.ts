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
