import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, test } from 'vitest';
import { hardenWebContents, mainWindowOptions, denyAllPermissions, WINDOW_WEB_PREFERENCES, type HardenableContents, type PermissionSession } from '../../../src/main/electron/window-options.ts';
import { isSafeExternalUrl } from '../../../src/main/electron/trusted-url.ts';

// The main window's security (Electron security checklist, reference §5) checked on the very
// values and functions window.ts applies, plus the renderer's CSP as the page ships it.

describe('window options', () => {
  test('sandboxed, isolated, no Node, web security on, no webview', () => {
    expect(WINDOW_WEB_PREFERENCES).toMatchObject({
      sandbox: true,
      contextIsolation: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      experimentalFeatures: false,
      webviewTag: false,
    });
    expect(WINDOW_WEB_PREFERENCES).not.toHaveProperty('enableBlinkFeatures');
  });

  test('the constructor options carry them unchanged, with the bundled preload and the remembered bounds', () => {
    const options = mainWindowOptions('/app/out/preload', { x: 10, y: 20, width: 1400, height: 900, maximized: false });
    expect(options.webPreferences).toEqual({ ...WINDOW_WEB_PREFERENCES, preload: path.join('/app/out/preload', 'index.cjs') });
    expect(options).toMatchObject({ x: 10, y: 20, width: 1400, height: 900, minWidth: 960, minHeight: 600, show: false });
    const centred = mainWindowOptions('/p', { width: 1280, height: 820, maximized: false });
    expect(centred).not.toHaveProperty('x');
    expect(centred).not.toHaveProperty('y');
  });

  test('window.ts builds the window from these options and hardens its contents', () => {
    const source = fs.readFileSync('src/main/electron/window.ts', 'utf8');
    expect(source).toMatch(/new BrowserWindow\(mainWindowOptions\(/);
    expect(source).toMatch(/hardenWebContents\(window\.webContents,/);
    expect(source.match(/new BrowserWindow\(/g)).toHaveLength(1);
  });

  test('no file in src relaxes a security preference', () => {
    const relaxed = /\b(sandbox|contextIsolation|webSecurity)\s*:\s*false\b|\b(nodeIntegration\w*|allowRunningInsecureContent|webviewTag|experimentalFeatures)\s*:\s*true\b|enableBlinkFeatures|disable-web-security/;
    const offenders: string[] = [];
    const walk = (dir: string): void => {
      for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
        const file = path.join(dir, entry.name);
        if (entry.isDirectory()) walk(file);
        else if (/\.(ts|tsx|html)$/.test(entry.name) && relaxed.test(fs.readFileSync(file, 'utf8'))) offenders.push(file);
      }
    };
    walk('src');
    expect(offenders).toEqual([]);
  });
});

describe('navigation and new windows', () => {
  function fakeContents() {
    const listeners = new Map<string, (event: { preventDefault(): void }) => void>();
    let openHandler: ((details: { url: string }) => { action: string }) | null = null;
    const contents = {
      on(event: string, listener: (event: { preventDefault(): void }) => void) {
        listeners.set(event, listener);
        return contents;
      },
      setWindowOpenHandler(handler: (details: { url: string }) => { action: string }) {
        openHandler = handler;
      },
    };
    return { contents: contents as unknown as HardenableContents, listeners, open: (url: string) => openHandler!({ url }) };
  }

  test('navigating away, redirects and <webview> are prevented', () => {
    const fake = fakeContents();
    hardenWebContents(fake.contents, () => undefined);
    for (const event of ['will-navigate', 'will-redirect', 'will-attach-webview']) {
      let prevented = false;
      fake.listeners.get(event)!({ preventDefault: () => void (prevented = true) });
      expect(prevented, event).toBe(true);
    }
  });

  test('window.open is always denied; only http(s) links reach the browser', () => {
    const fake = fakeContents();
    const opened: string[] = [];
    // What safeOpenExternal does, without Electron's shell.
    hardenWebContents(fake.contents, (url) => void (isSafeExternalUrl(url) && opened.push(url)));
    for (const url of ['https://docs.example/method', 'file:///etc/passwd', 'javascript:alert(1)', 'http://user:pw@evil.example/', 'smb://share/x', 'cogniforce://x']) {
      expect(fake.open(url), url).toEqual({ action: 'deny' });
    }
    expect(opened).toEqual(['https://docs.example/method']);
  });
});

describe('permissions', () => {
  test('every permission request, check and device request is refused', () => {
    let request: ((contents: unknown, permission: string, callback: (granted: boolean) => void) => void) | null = null;
    let check: (() => boolean) | null = null;
    let device: (() => boolean) | null = null;
    const session = {
      setPermissionRequestHandler: (handler: typeof request) => void (request = handler),
      setPermissionCheckHandler: (handler: typeof check) => void (check = handler),
      setDevicePermissionHandler: (handler: typeof device) => void (device = handler),
    };
    denyAllPermissions(session as unknown as PermissionSession);
    for (const permission of ['media', 'notifications', 'geolocation', 'clipboard-read', 'openExternal', 'fullscreen']) {
      const answers: boolean[] = [];
      request!(null, permission, (granted) => answers.push(granted));
      expect(answers, permission).toEqual([false]);
    }
    expect(check!()).toBe(false);
    expect(device!()).toBe(false);
  });
});

describe('content security policy of the desktop page', () => {
  const html = fs.readFileSync('src/renderer/index.html', 'utf8');
  const meta = /<meta\s+http-equiv="Content-Security-Policy"\s+content="([^"]+)"/i.exec(html);
  const directives = new Map(
    (meta?.[1] ?? '')
      .split(';')
      .map((d) => d.trim().split(/\s+/))
      .filter((parts) => parts[0])
      .map(([name, ...sources]) => [name!, sources]),
  );

  test('is set in the page itself (file:// has no response headers)', () => {
    expect(meta).not.toBeNull();
  });

  test("default-src 'self'; scripts only from the app: no inline, no eval, no remote", () => {
    expect(directives.get('default-src')).toEqual(["'self'"]);
    expect(directives.get('script-src')).toEqual(["'self'"]);
    expect(meta![1]).not.toContain('unsafe-eval');
    expect(meta![1]).not.toContain('wasm-unsafe-eval');
    expect(directives.get('object-src')).toEqual(["'none'"]);
    expect(directives.get('base-uri')).toEqual(["'none'"]);
    // The page talks to main over IPC only; nothing is fetched from elsewhere.
    expect(directives.get('connect-src')).toEqual(["'self'"]);
    for (const sources of directives.values()) {
      expect(sources).not.toContain('*');
      expect(sources.some((s) => /^https?:/.test(s))).toBe(false);
    }
  });

  test('the page loads no inline script', () => {
    const scripts = [...html.matchAll(/<script\b([^>]*)>([\s\S]*?)<\/script>/gi)];
    expect(scripts.length).toBeGreaterThan(0);
    for (const [, attributes, body] of scripts) {
      expect(attributes).toMatch(/\bsrc=/);
      expect(body!.trim()).toBe('');
    }
  });
});
