import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import t from 'tap';
import { connect } from '../lib/pg/connection.js';
import { migrate } from '../lib/run/migrate.js';
import { TABLES } from '../transforms/index.js';
import { freshDatabase, withClient } from './helpers/database.js';
import { dirtyLegacyDatabase } from './helpers/fixture.js';

// Every table of the source, not only the ones the migration reads: nothing may appear,
// change or go anywhere in it.
// `only`: the tables to compare where the target's tables share the database.
async function checksums(url: string, only?: string[]): Promise<Record<string, string>> {
  return withClient(url, async (c) => {
    const result: Record<string, string> = {};
    const tables = only ?? (await c.query<{ t: string }>("SELECT tablename AS t FROM pg_tables WHERE schemaname NOT IN ('pg_catalog', 'information_schema') ORDER BY 1")).rows.map((r) => r.t);
    for (const table of tables) {
      const { rows } = await c.query(`SELECT count(*)::int AS n, md5(coalesce(string_agg(t::text, E'\\n' ORDER BY t::text COLLATE "C"), '')) AS sum FROM ${table} t`);
      result[table] = `${rows[0].n}:${rows[0].sum}`;
    }
    const seq = await c.query("SELECT last_value FROM professions_id_seq");
    result.professions_id_seq = String(seq.rows[0].last_value);
    return result;
  });
}

t.test('the source is byte-for-byte the same after a run into a separate target', async (t) => {
  const source = await dirtyLegacyDatabase(t);
  const target = await freshDatabase(t);
  const before = await checksums(source);
  const summary = await migrate({ catalog: TABLES, sourceUrl: source, targetUrl: target, reportDir: mkdtempSync(path.join(tmpdir(), 'informe-')) });
  t.ok(summary.ok);
  t.same(await checksums(source), before);
  const created = await withClient(source, async (c) => (await c.query("SELECT count(*)::int AS n FROM pg_tables WHERE tablename = 'mensajes'")).rows[0].n);
  t.equal(created, 0, 'no se creó nada en el origen');
});

t.test('source sessions are read-only: a source that is also the target is only read', async (t) => {
  const url = await dirtyLegacyDatabase(t);
  const before = await checksums(url);
  await migrate({ catalog: TABLES, sourceUrl: url, targetUrl: url, reportDir: mkdtempSync(path.join(tmpdir(), 'informe-')) });
  t.same(await checksums(url, Object.keys(before).filter((k) => !k.endsWith('_seq'))), before);
});

t.test('a source session refuses writes: the tool cannot write to the source by mistake', async (t) => {
  const url = await dirtyLegacyDatabase(t);
  const session = await connect({ url, readOnly: true, role: 'origen' });
  t.teardown(() => session.end());
  await t.rejects(session.query("UPDATE users SET name = 'x'"), { code: '25006' }, 'read-only transaction');
  t.same((await session.query('SHOW default_transaction_read_only')).rows, [{ default_transaction_read_only: 'on' }]);
});
