import { readFileSync } from 'node:fs';
import path from 'node:path';
import { PROJECT_ROOT, legacyDatabase, withClient } from './database.js';

export const DIRTY_FIXTURE_SQL = readFileSync(path.join(PROJECT_ROOT, 'test/fixtures/dirty-legacy.sql'), 'utf8');

interface Teardown {
  teardown(fn: () => unknown): void;
}

/** A fresh database with the legacy schema and the dirty fixture in it. */
export async function dirtyLegacyDatabase(t: Teardown): Promise<string> {
  const url = await legacyDatabase(t);
  await withClient(url, (c) => c.query(DIRTY_FIXTURE_SQL));
  return url;
}

/** Every row of a table as text, in a stable order: for byte-for-byte comparisons. */
export async function tableText(url: string, table: string): Promise<string> {
  return withClient(url, async (c) => {
    const { rows } = await c.query<{ line: string }>(`SELECT t::text AS line FROM "${table}" t ORDER BY t::text COLLATE "C"`);
    return rows.map((r) => r.line).join('\n');
  });
}
