import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import pg from 'pg';

import { projectRoot } from '../../dev/paths.js';
import { withClient } from '../../dev/with-client.js';

export { withClient };

export const PROJECT_ROOT = projectRoot();

export function serverUrl(): string {
  const url = process.env.TEST_DATABASE_URL;
  if (!url) throw new Error('TEST_DATABASE_URL no está definida: ejecute las pruebas con npm test');
  return url;
}

export function withDatabase(url: string, database: string): string {
  const parsed = new URL(url);
  parsed.pathname = `/${database}`;
  return parsed.toString();
}

interface Teardown {
  teardown(fn: () => unknown): void;
}

/** A new, empty database on the test server, dropped when the test ends. */
export async function freshDatabase(t: Teardown, label = 'ct'): Promise<string> {
  const name = `${label}_${randomBytes(5).toString('hex')}`;
  const admin = new pg.Client({ connectionString: serverUrl() });
  await admin.connect();
  await admin.query(`CREATE DATABASE "${name}" TEMPLATE template0 ENCODING 'UTF8'`);
  await admin.end();
  t.teardown(async () => {
    const client = new pg.Client({ connectionString: serverUrl() });
    await client.connect();
    await client.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
    await client.end();
  });
  return withDatabase(serverUrl(), name);
}

export const LEGACY_SQL = readFileSync(path.join(PROJECT_ROOT, 'schema/legacy.sql'), 'utf8');

/** A fresh database holding the legacy schema, empty. */
export async function legacyDatabase(t: Teardown, label = 'ct'): Promise<string> {
  const url = await freshDatabase(t, label);
  await withClient(url, (c) => c.query(LEGACY_SQL));
  return url;
}
