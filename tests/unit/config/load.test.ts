import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, test } from 'vitest';
import { applyEnv, ConfigError, loadConfig, readSettingsFile, writeSettingsFile } from '../../../src/main/core/config/load.ts';
import { defaultSettings } from '../../../src/main/core/config/settings.ts';

describe('settings and environment', () => {
  test('defaults follow the seed', () => {
    const s = defaultSettings();
    expect(s.processing).toMatchObject({ timezone: 'Europe/Budapest', idleThresholdMinutes: 10, maxConversations: 1000, timeBasis: 'engaged' });
    expect(s.llm).toMatchObject({ model: 'gpt-4o-mini', requestsPerMinute: 50 });
    expect(s.analytics.mode).toBe('embedded');
  });

  test('environment variables override the settings file', () => {
    const s = applyEnv(defaultSettings(), {
      DATABASE_URL: 'sqlite:////data/webui.db',
      COGNIFORCE_DATABASE_URL: 'postgresql://u@h/db',
      OPENAI_BASE_URL: 'http://127.0.0.1:1234/v1',
      ANALYTICS_OPENAI_MODEL: 'llama3.1:8b',
      ANALYTICS_ESTIMATOR: 'heuristic',
      TZ: 'America/New_York',
      ANALYTICS_IDLE_THRESHOLD: '15',
      ANALYTICS_MAX_CONVERSATIONS: '20',
      ANALYTICS_LLM_RPM: '600',
    });
    expect(s.source.url).toBe('sqlite:////data/webui.db');
    expect(s.analytics).toEqual({ mode: 'url', url: 'postgresql://u@h/db' });
    expect(s.llm).toMatchObject({ baseUrl: 'http://127.0.0.1:1234/v1', model: 'llama3.1:8b', estimator: 'heuristic', requestsPerMinute: 600 });
    expect(s.processing).toMatchObject({ timezone: 'America/New_York', idleThresholdMinutes: 15, maxConversations: 20 });
  });

  test.each([
    ['ANALYTICS_IDLE_THRESHOLD', 'ten'],
    ['ANALYTICS_LLM_RPM', '-5'],
    ['ANALYTICS_ESTIMATOR', 'guess'],
    ['TZ', 'Mars/Olympus'],
  ])('%s=%s is a configuration error with a one-line reason', (name, value) => {
    expect(() => applyEnv(defaultSettings(), { [name]: value })).toThrow(ConfigError);
  });

  test('a settings file round-trips and a broken one gives an actionable error', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cf-settings-'));
    const s = defaultSettings();
    s.value.hourlyRate = 72;
    writeSettingsFile(dir, s);
    expect(readSettingsFile(dir).value.hourlyRate).toBe(72);
    expect(loadConfig({ COGNIFORCE_HOME: dir }).settings.value.hourlyRate).toBe(72);
    fs.writeFileSync(path.join(dir, 'settings.json'), '{ not json');
    expect(() => readSettingsFile(dir)).toThrow(/not valid JSON/);
  });
});
