import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import t from 'tap';
import { migrate } from '../lib/run/migrate.js';
import { TABLES } from '../transforms/index.js';
import { withClient } from './helpers/database.js';
import { dirtyLegacyDatabase, tableText } from './helpers/fixture.js';

async function snapshotOfTarget(url: string): Promise<Record<string, string>> {
  const result: Record<string, string> = {};
  for (const table of TABLES.map((t) => t.target)) result[table] = await tableText(url, table);
  return result;
}

t.test('running the same migration twice leaves every target table byte-identical', async (t) => {
  const url = await dirtyLegacyDatabase(t);
  const first = mkdtempSync(path.join(tmpdir(), 'informe-'));
  const second = mkdtempSync(path.join(tmpdir(), 'informe-'));
  await migrate({ catalog: TABLES, sourceUrl: url, targetUrl: url, reportDir: first });
  const afterFirst = await snapshotOfTarget(url);
  const summary = await migrate({ catalog: TABLES, sourceUrl: url, targetUrl: url, reportDir: second });
  t.ok(summary.ok);
  const afterSecond = await snapshotOfTarget(url);
  for (const table of TABLES.map((t) => t.target)) {
    t.ok(afterFirst[table]!.length > 0, `${table} tiene filas`);
    t.equal(afterSecond[table], afterFirst[table], `${table}: mismas filas, mismos ids`);
    t.equal(
      readFileSync(path.join(second, 'rejects', `${table}.csv`), 'utf8'),
      readFileSync(path.join(first, 'rejects', `${table}.csv`), 'utf8'),
      `${table}: mismo archivo de rechazos`,
    );
  }
});

t.test('a table migrated alone again keeps its children valid (foreign keys restored)', async (t) => {
  const url = await dirtyLegacyDatabase(t);
  await migrate({ catalog: TABLES, sourceUrl: url, targetUrl: url, reportDir: mkdtempSync(path.join(tmpdir(), 'informe-')) });
  const before = await snapshotOfTarget(url);
  const summary = await migrate({ catalog: TABLES, sourceUrl: url, targetUrl: url, tables: ['proveedores'], reportDir: mkdtempSync(path.join(tmpdir(), 'informe-')) });
  t.ok(summary.ok, JSON.stringify(summary.tables));
  t.same(await snapshotOfTarget(url), before);
});

t.test('a table that cannot be loaded leaves its previous content intact', async (t) => {
  const url = await dirtyLegacyDatabase(t);
  await migrate({ catalog: TABLES, sourceUrl: url, targetUrl: url, reportDir: mkdtempSync(path.join(tmpdir(), 'informe-')) });
  const before = await snapshotOfTarget(url);
  // The provider disappears from the source, but proveedor_profesiones (not in this run) still points at it.
  await withClient(url, (c) => c.query("DELETE FROM users WHERE id = '00000000-0000-4000-8000-000000000009'"));
  const summary = await migrate({ catalog: TABLES, sourceUrl: url, targetUrl: url, tables: ['proveedores'], reportDir: mkdtempSync(path.join(tmpdir(), 'informe-')) });
  t.notOk(summary.ok);
  t.equal(summary.tables.proveedores!.status, 'failed');
  t.match(summary.tables.proveedores!.error, /proveedor_profesiones.*migre también/);
  t.same(await snapshotOfTarget(url), before, 'nada cambió en el destino');
});
