import { describe, expect, test } from 'vitest';
import { deriveAnalyticsUrl, describeDatabaseUrl, explainConnectionError, scrubPassword } from '../../../src/main/core/store/connect.ts';

describe('deriveAnalyticsUrl', () => {
  test('same server, credentials and parameters, database cogniforce', () => {
    expect(deriveAnalyticsUrl('postgresql://webui:pw@db.internal:5433/openwebui?sslmode=require')).toBe(
      'postgresql://webui:pw@db.internal:5433/cogniforce?sslmode=require',
    );
  });

  test("accepts Open WebUI's DATABASE_URL spellings", () => {
    expect(deriveAnalyticsUrl('postgres://u:p@h/openwebui')).toBe('postgresql://u:p@h/cogniforce');
    expect(deriveAnalyticsUrl('postgresql+psycopg2://u:p@h:5432/openwebui')).toBe('postgresql://u:p@h:5432/cogniforce');
    expect(deriveAnalyticsUrl('  postgresql://u@h  ')).toBe('postgresql://u@h/cogniforce');
  });

  test('keeps a percent-encoded password intact', () => {
    const derived = deriveAnalyticsUrl('postgresql://u:p%40ss%2Fw%3Ard@h/db');
    expect(derived).toBe('postgresql://u:p%40ss%2Fw%3Ard@h/cogniforce');
    expect(decodeURIComponent(new URL(derived).password)).toBe('p@ss/w:rd');
  });

  test('another database name can be asked for', () => {
    expect(deriveAnalyticsUrl('postgresql://u:p@h/db', 'analytics test')).toBe('postgresql://u:p@h/analytics%20test');
  });

  test('refuses SQLite and non-URLs with a readable message', () => {
    expect(() => deriveAnalyticsUrl('sqlite:///app/backend/data/webui.db')).toThrow(/SQLite.*embedded analytics database/);
    expect(() => deriveAnalyticsUrl('not a url')).toThrow(/not a valid URL/);
    expect(() => deriveAnalyticsUrl('mysql://u:p@h/db')).toThrow(/must be PostgreSQL/);
  });
});

describe('messages never carry the password', () => {
  const url = 'postgresql://admin:Sup3r%2Fsecret@db.example:5432/cogniforce';

  test('describeDatabaseUrl', () => {
    expect(describeDatabaseUrl(url)).toBe('admin@db.example:5432/cogniforce');
  });

  test('scrubPassword removes raw, encoded and URL-embedded spellings', () => {
    expect(scrubPassword('failed for Sup3r/secret and Sup3r%2Fsecret at postgresql://admin:Sup3r%2Fsecret@db', url)).toBe(
      'failed for *** and *** at postgresql://admin:***@db',
    );
  });

  test('explainConnectionError names the target and gives a hint', () => {
    const error = Object.assign(new Error('connect ECONNREFUSED 10.0.0.1:5432'), { code: 'ECONNREFUSED' });
    const explained = explainConnectionError(error, url);
    expect(explained.message).toBe(
      'Could not use the analytics database at admin@db.example:5432/cogniforce: connect ECONNREFUSED 10.0.0.1:5432. Nothing is listening there: is the server running and the host/port right?',
    );
    expect(explained.code).toBe('ECONNREFUSED');
    const auth = explainConnectionError(Object.assign(new Error('password authentication failed for user "admin"'), { code: '28P01' }), url);
    expect(auth.message).toMatch(/credentials/);
    expect(auth.message).not.toContain('Sup3r');
  });
});
