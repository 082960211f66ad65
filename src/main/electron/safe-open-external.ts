import { shell } from 'electron';
import { isSafeExternalUrl } from './trusted-url.ts';

export { isSafeExternalUrl };

/** The one way the app opens anything outside itself (http/https only, see isSafeExternalUrl). */
export async function safeOpenExternal(url: unknown): Promise<boolean> {
  if (!isSafeExternalUrl(url)) return false;
  await shell.openExternal(url);
  return true;
}
