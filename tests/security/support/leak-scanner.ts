import fs from 'node:fs';
import path from 'node:path';
import pg from 'pg';

// Looks for planted secrets in bytes: files, recorded HTTP responses, database rows. A secret
// counts as found in its plain form and in the simple encodings a careless writer produces:
// URL-encoded (a password inside a connection string), JSON-escaped, base64 / base64url at any
// byte alignment (Basic auth "user:password", a blob that embeds it), hex and UTF-16LE.

export interface PlantedSecret {
  /** What it is (for messages): "OpenAI key", "salt", … */
  name: string;
  value: string;
}

export interface Needle {
  secret: string;
  encoding: string;
  bytes: Buffer;
}

export interface Hit {
  secret: string;
  encoding: string;
  where: string;
  offset: number;
}

export interface ScanTally {
  files: number;
  bytes: number;
  rows: number;
  responses: number;
}

/**
 * The part of base64(prefix + secret) that depends on the secret alone, for each of the three
 * byte alignments the secret can have inside a longer encoded blob: leading characters that
 * mix in the preceding bytes and trailing ones that mix in the following bytes are dropped.
 */
export function base64Cores(value: string): string[] {
  const secret = Buffer.from(value, 'utf8');
  const cores: string[] = [];
  for (let shift = 0; shift < 3; shift++) {
    const encoded = Buffer.concat([Buffer.alloc(shift), secret]).toString('base64').replace(/=+$/, '');
    const lead = Math.ceil((shift * 8) / 6);
    const total = shift + secret.length;
    const tail = total % 3 === 0 ? 0 : 1;
    const core = encoded.slice(lead, encoded.length - tail);
    if (core.length >= 12) cores.push(core);
  }
  return cores;
}

export function needlesFor(secrets: readonly PlantedSecret[]): Needle[] {
  const needles: Needle[] = [];
  for (const { name, value } of secrets) {
    const seen = new Set<string>();
    const add = (encoding: string, bytes: Buffer): void => {
      const key = bytes.toString('hex');
      if (seen.has(key)) return;
      seen.add(key);
      needles.push({ secret: name, encoding, bytes });
    };
    add('plain', Buffer.from(value, 'utf8'));
    add('url-encoded', Buffer.from(encodeURIComponent(value), 'utf8'));
    // What the WHATWG URL password setter writes (it leaves '+', '&' and the like alone).
    const url = new URL('postgresql://user@host/db');
    url.password = value;
    add('url-userinfo', Buffer.from(url.password, 'utf8'));
    add('form-encoded', Buffer.from(new URLSearchParams({ x: value }).toString().slice(2), 'utf8'));
    add('json-escaped', Buffer.from(JSON.stringify(value).slice(1, -1), 'utf8'));
    add('hex', Buffer.from(Buffer.from(value, 'utf8').toString('hex'), 'utf8'));
    add('utf16le', Buffer.from(value, 'utf16le'));
    for (const [i, core] of base64Cores(value).entries()) {
      add(`base64@${i}`, Buffer.from(core, 'utf8'));
      add(`base64url@${i}`, Buffer.from(core.replace(/\+/g, '-').replace(/\//g, '_'), 'utf8'));
    }
  }
  return needles;
}

export class LeakScanner {
  readonly needles: Needle[];
  readonly tally: ScanTally = { files: 0, bytes: 0, rows: 0, responses: 0 };
  readonly hits: Hit[] = [];

  constructor(secrets: readonly PlantedSecret[]) {
    for (const s of secrets) {
      if (s.value.length < 16) throw new Error(`A planted secret must be distinctive (16+ characters): ${s.name}`);
    }
    this.needles = needlesFor(secrets);
  }

  /** Scans one buffer; returns (and remembers) the hits. */
  scanBytes(where: string, bytes: Buffer): Hit[] {
    const found: Hit[] = [];
    for (const needle of this.needles) {
      const offset = bytes.indexOf(needle.bytes);
      if (offset >= 0) found.push({ secret: needle.secret, encoding: needle.encoding, where, offset });
    }
    this.hits.push(...found);
    this.tally.bytes += bytes.length;
    return found;
  }

  /** Every regular file under `dir`, recursively (symlinks are not followed), but those `skip` names. */
  scanTree(dir: string, skip: (file: string) => boolean = () => false): Hit[] {
    const found: Hit[] = [];
    for (const file of listFiles(dir).filter((f) => !skip(f))) {
      found.push(...this.scanBytes(file, fs.readFileSync(file)));
      this.tally.files += 1;
    }
    return found;
  }

  scanFile(file: string): Hit[] {
    const found = this.scanBytes(file, fs.readFileSync(file));
    this.tally.files += 1;
    return found;
  }

  scanResponse(where: string, body: Buffer): Hit[] {
    this.tally.responses += 1;
    return this.scanBytes(where, body);
  }

  /**
   * Every row of every table in every user schema of the database, as JSON text (all columns,
   * jsonb included): what a pg_dump of the data would hold, without needing pg_dump.
   */
  async scanDatabase(label: string, url: string): Promise<{ hits: Hit[]; tables: number; rows: number }> {
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    const found: Hit[] = [];
    let tables = 0;
    let rows = 0;
    try {
      const { rows: list } = await client.query<{ table_schema: string; table_name: string }>(
        `SELECT table_schema, table_name FROM information_schema.tables
          WHERE table_type = 'BASE TABLE' AND table_schema NOT IN ('pg_catalog', 'information_schema')
          ORDER BY 1, 2`,
      );
      for (const t of list) {
        tables += 1;
        const ident = `${pg.escapeIdentifier(t.table_schema)}.${pg.escapeIdentifier(t.table_name)}`;
        const result = await client.query<{ r: string }>(`SELECT row_to_json(t)::text AS r FROM ${ident} AS t`);
        for (const row of result.rows) {
          found.push(...this.scanBytes(`${label}:${t.table_schema}.${t.table_name}`, Buffer.from(row.r, 'utf8')));
          rows += 1;
        }
      }
    } finally {
      await client.end();
    }
    this.tally.rows += rows;
    return { hits: found, tables, rows };
  }
}

export function listFiles(dir: string): string[] {
  const out: string[] = [];
  const walk = (at: string): void => {
    for (const entry of fs.readdirSync(at, { withFileTypes: true })) {
      const full = path.join(at, entry.name);
      if (entry.isDirectory()) walk(full);
      else if (entry.isFile()) out.push(full);
    }
  };
  walk(dir);
  return out;
}

export function describeHits(hits: readonly Hit[]): string {
  return hits.map((h) => `${h.secret} (${h.encoding}) in ${h.where} at byte ${h.offset}`).join('\n');
}
