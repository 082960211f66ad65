import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ibanValid, luhnValid, redact } from '../../../src/main/core/pipeline/redact.ts';

describe('redact', () => {
  it('replaces each kind with its typed placeholder and counts it', () => {
    const r = redact(
      'Mail kovacs.janos@gmail.com, call +36 30 123 4567, pay HU42 1177 3016 1111 1018 0000 0000 with 4111 1111 1111 1111 ' +
        'from 192.168.1.10 via https://example.com/users/42?x=1 using sk-proj-Ab3dEf6hIj9kLmNoPqRsTuVw1234 for order 100234567891.',
    );
    expect(r.text).toBe('Mail [EMAIL], call [PHONE], pay [IBAN] with [CARD] from [IP] via https://example.com/[…] using [SECRET] for order [NUMBER].');
    expect(r.counts).toEqual({ EMAIL: 1, PHONE: 1, IBAN: 1, CARD: 1, IP: 1, URL: 1, SECRET: 1, NUMBER: 1 });
    expect(r.spans.map((s) => s.type)).toEqual(['EMAIL', 'PHONE', 'IBAN', 'CARD', 'IP', 'URL', 'SECRET', 'NUMBER']);
  });

  it('keeps scheme and host of URLs, drops user info, path and query; hides IP hosts', () => {
    expect(redact('https://jane:pw@Example.COM:8443/a/b?c=d#e').text).toBe('https://example.com/[…]');
    expect(redact('see http://10.0.0.12:3000/d/abc.').text).toBe('see http://[IP]/[…].');
    expect(redact('plain https://example.com and https://example.com/ stay').text).toBe('plain https://example.com and https://example.com/ stay');
  });

  it('keeps the key of key=value secrets and the scheme word of bearer tokens', () => {
    expect(redact('password=hunter2 "token": "abc" Authorization: Bearer abcDEF123456').text).toBe('password=[SECRET] "token": "[SECRET]" Authorization: Bearer [SECRET]');
  });

  it('removes PEM private keys, also when the END line is missing', () => {
    const closed = 'key:\n-----BEGIN RSA PRIVATE KEY-----\nMIIEowIBAAKCAQEA7bq3abcDEF123\n-----END RSA PRIVATE KEY-----\nthen text';
    expect(redact(closed).text).toBe('key:\n[SECRET]\nthen text');
    const truncated = 'key:\n-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAABG5vbmUAAAAEbm9uZQ\nAAAAMwAAAAtzc2gtZWQyNTUxOQ\n\nwhat is wrong?';
    expect(redact(truncated).text).toBe('key:\n[SECRET]\n\nwhat is wrong?');
  });

  it('only Luhn-valid cards and mod-97-valid IBANs', () => {
    expect(luhnValid('4111111111111111')).toBe(true);
    expect(luhnValid('4111111111111112')).toBe(false);
    expect(ibanValid('HU42117730161111101800000000')).toBe(true);
    expect(ibanValid('HU43117730161111101800000000')).toBe(false);
    expect(redact('4111 1111 1111 1112').text).toBe('4111 1111 1111 1112');
    expect(redact('HU43 1177 3016 1111 1018 0000 0000').counts.IBAN).toBe(0);
  });

  it('leaves look-alikes alone', () => {
    const text = 'On 2026-11-22 (22.11.2026, 2026. november 22.) at 10:15:42 we moved from 1.2.3 to v10.0.19045; it costs 1 299 Ft, €12.50 or $1,299.00; 3 500 orders, 45%, room 404.';
    expect(redact(text).text).toBe(text);
  });

  it('is pure text-in/text-out: a private-use mask character in the input is kept', () => {
    expect(redact('a\uE000b').text).toBe('a\uE000b');
  });

  it('handles 5 MB texts, including adversarial ones, without catastrophic backtracking', { timeout: 60_000 }, () => {
    const inputs = [
      'Hello world, this is 2026-11-22 a test with john@example.com and 12345 numbers. '.repeat(62_500),
      'a'.repeat(5e6),
      '1'.repeat(5e6),
      '1 '.repeat(2.5e6),
      '0 '.repeat(2.5e6),
      'a.'.repeat(2.5e6),
      'a@'.repeat(2.5e6),
      ':'.repeat(5e6),
      'a:'.repeat(2.5e6),
      '1-'.repeat(2.5e6),
      'https://'.repeat(6e5),
      'eyJ-'.repeat(1.2e6),
      '4444 '.repeat(1e6),
      '(1'.repeat(2.5e6),
      'x_'.repeat(2.5e6),
      '-----BEGIN RSA PRIVATE KEY-----\n'.repeat(150_000),
      `https://x/${')'.repeat(5e6)}`,
      `${'a_'.repeat(2e6)}password=x1`,
    ];
    for (const input of inputs) {
      const r = redact(input);
      expect(r.text.length).toBeGreaterThan(0);
    }
  });

  it('look-alikes survive in any combination (dates, times, versions, prices, counts)', () => {
    const int = (a: number, b: number) => fc.integer({ min: a, max: b });
    const pad = (n: number) => String(n).padStart(2, '0');
    const date = fc.tuple(int(1990, 2030), int(1, 12), int(1, 28)).chain(([y, m, d]) => fc.constantFrom(`${y}-${pad(m)}-${pad(d)}`, `${pad(d)}.${pad(m)}.${y}`, `${y}. ${pad(m)}. ${pad(d)}.`, `${m}/${d}/${y}`, `${y}/${pad(m)}/${pad(d)}`));
    const time = fc.tuple(int(0, 23), int(0, 59), int(0, 59)).map(([h, m, s]) => `${pad(h)}:${pad(m)}:${pad(s)}`);
    const version = fc.tuple(int(0, 30), int(0, 99), int(0, 30000)).chain(([a, b, c]) => fc.constantFrom(`${a}.${b}.${c}`, `v${a}.${b}.${c}`));
    const grouped = (n: number, sep: string) => n.toLocaleString('en-US').replace(/,/g, sep);
    const price = fc.tuple(int(1, 99_999_999), fc.constantFrom(' ', ',', '.')).chain(([n, sep]) => fc.constantFrom(`${grouped(n, sep)} Ft`, `$${grouped(n, ',')}.00`, `HUF ${grouped(n, ' ')}`));
    const other = fc.oneof(int(0, 100).map((n) => `${n}%`), int(0, 99_999).map((n) => `${n} db`), fc.constantFrom('ISO 9001:2015', 'RFC 4180', 'gpt-4o-mini', 'HTTP/1.1', '16:9'));
    const sep = fc.constantFrom(' ', ', ', '\n', '; ', ' és ', ' (', ') ', ' - ');
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.oneof(date, time, version, price, other), sep), { minLength: 1, maxLength: 6 }), (parts) => {
        const text = parts.map(([p, s]) => p + s).join('');
        expect(redact(text).spans).toEqual([]);
      }),
      { numRuns: 1000 },
    );
  });

  it('never leaks generated PII embedded in random text', () => {
    const local = fc.stringMatching(/^[a-z][a-z0-9]{2,10}(?:\.[a-z]{2,8})?$/);
    const email = fc.tuple(local, fc.constantFrom('gmail.com', 'pelda.hu', 'example.co.uk')).map(([l, d]) => `${l}@${d}`);
    const phone = fc.tuple(fc.constantFrom('20', '30', '70'), fc.integer({ min: 100, max: 999 }), fc.integer({ min: 1000, max: 9999 })).chain(([a, b, c]) =>
      fc.constantFrom(`+36 ${a} ${b} ${c}`, `06 ${a} ${b} ${c}`, `06-${a}-${b}-${c}`, `+36${a}${b}${c}`),
    );
    const secret = fc.stringMatching(/^[A-Za-z0-9]{30,40}$/).filter((s) => /\d/.test(s)).map((s) => `sk-proj-${s}`);
    const us = fc.tuple(fc.integer({ min: 200, max: 999 }), fc.integer({ min: 100, max: 999 }), fc.integer({ min: 1000, max: 9999 })).chain(([a, b, c]) =>
      fc.constantFrom(`(${a}) ${b}-${c}`, `${a}-${b}-${c}`, `+1 ${a} ${b} ${c}`),
    );
    const filler = fc.constantFrom('Kérlek nézd meg', 'Please check', 'ár: 1 299 Ft', 'on 2026-11-22', 'v1.2.3', '45%', '\n', ' — ');
    const sep = fc.constantFrom(' ', ', ', '\n', '; ', ' (', ') ', ': ', '/', '|', '"', '<', '>');
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.oneof(email, phone, us, secret, filler), sep), { minLength: 1, maxLength: 12 }), (pairs) => {
        const parts = pairs.map(([p]) => p);
        const text = pairs.map(([p, s]) => p + s).join('');
        const out = redact(text).text;
        for (const p of parts) if (/[@\d]/.test(p) && !['ár: 1 299 Ft', 'on 2026-11-22', 'v1.2.3', '45%'].includes(p)) expect(out).not.toContain(p);
      }),
      { numRuns: 300 },
    );
  });
});

describe('regressions found by property search', () => {
  it.each([
    '1990/01/06 1993-09-25 0 db',
    '14:36:42 HUF 259 008 2019-05-08 (',
    'HUF 380 105 2013/06/23; HUF 60 559 304 (',
    'HUF 679 858 2025. 02. 10.\n75 770 224 Ft, ',
    '2010/08/06 75 659 719 Ft és 15:31:51 (2018/08/12; 77%) ',
  ])('dates next to amounts stay as they are: %j', (text) => {
    expect(redact(text).text).toBe(text);
  });

  it.each([
    ['v1.2.3/+36 20 100 1000 Kérlek nézd meg', '+36 20 100 1000'],
    ['(200) 100-1900/45% a0a', '(200) 100-1900'],
    ['Tel: (362) 966-3323/965-752-4694', '965-752-4694'],
  ])('phones next to dates or versions are still found: %j', (text, phone) => {
    expect(redact(text).text).not.toContain(phone);
  });
});
