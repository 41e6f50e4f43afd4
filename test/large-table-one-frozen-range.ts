// With no time limit and no --range-rows, a large table is not cut: its rows go in one
// transaction with COPY FREEZE (every page all-visible, none rewritten later for hint
// bits), that transaction commits, and only then are its indexes built side by side,
// while the next table already copies. A smaller table stays one atomic load.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import t from 'tap';
import type { RunEvent } from '../lib/run/events.js';
import { migrate } from '../lib/run/migrate.js';
import { createTableSql } from '../lib/schema/ddl.js';
import { mensajes } from '../transforms/mensajes.js';
import { TABLES } from '../transforms/index.js';
import { freshDatabase, withClient } from './helpers/database.js';
import { eventIndex } from './helpers/events.js';
import { tableText } from './helpers/fixture.js';
import { generatedLegacyDatabase } from './helpers/generated.js';

const report = () => mkdtempSync(path.join(tmpdir(), 'entera-'));

async function loadShape(target: string): Promise<{ frozenPages: number; rowsOffFrozenPages: number; ranges: number }> {
  return withClient(target, async (c) => {
    await c.query('CREATE EXTENSION IF NOT EXISTS pg_visibility');
    // Every row on a page the visibility map marks all-frozen. Not relallvisible against
    // relpages: PostgreSQL 16+ extends a table by several pages at once during COPY, and the
    // empty pages left at its end are never marked (20k rows on 18.4: 815 of 856 pages).
    const { rows } = await c.query<{ frozen_pages: number; rows_off: number }>(
      `SELECT (SELECT count(*)::int FROM pg_visibility_map('mensajes') WHERE all_frozen) AS frozen_pages,
              (SELECT count(*)::int FROM mensajes m JOIN pg_visibility_map('mensajes') v ON v.blkno = (m.ctid::text::point)[0]::bigint WHERE NOT v.all_frozen) AS rows_off`,
    );
    const ranges = (await c.query<{ n: number }>("SELECT count(*)::int AS n FROM copiar_tablas.tramos WHERE tabla = 'mensajes'")).rows[0]!.n;
    return { frozenPages: rows[0]!.frozen_pages, rowsOffFrozenPages: rows[0]!.rows_off, ranges };
  });
}

t.test('a large table is one frozen range, committed before its indexes, and the next table copies during them', async (t) => {
  const source = await generatedLegacyDatabase(t, 20_000);
  const target = await freshDatabase(t);
  // Autovacuum off on this table, so only COPY FREEZE can mark its pages all-frozen.
  await withClient(target, (c) => c.query(`${createTableSql(mensajes)} WITH (autovacuum_enabled = false)`));
  const events: RunEvent[] = [];
  const summary = await migrate({ catalog: TABLES, sourceUrl: source, targetUrl: target, tables: ['mensajes', 'sesiones'], reportDir: report(), jobs: 1, largeTableRows: 5000, onEvent: (e) => events.push(e) });
  t.equal(summary.ok, true);
  t.equal((summary.tables.mensajes as { ranges?: number }).ranges, 1, 'un solo tramo');

  const { frozenPages, rowsOffFrozenPages, ranges } = await loadShape(target);
  t.equal(ranges, 1, 'su punto de control: un tramo confirmado');
  t.ok(frozenPages > 10, `${frozenPages} páginas congeladas`);
  t.equal(rowsOffFrozenPages, 0, 'ninguna fila fuera de una página congelada por COPY FREEZE');

  t.ok(eventIndex(events, 'table_start', 'sesiones') < eventIndex(events, 'table_done', 'mensajes'), 'sesiones empieza mientras mensajes construye sus índices');
  const copyLines = events.filter((e) => e.type === 'table_progress' && e.table === 'mensajes' && e.phase === 'copy');
  t.ok(copyLines.length > 0 && copyLines.every((e) => e.type === 'table_progress' && e.ranges?.total === 1), 'el progreso dice un tramo');

  // The same rows as an atomic load of the same table.
  const atomic = await freshDatabase(t);
  await migrate({ catalog: TABLES, sourceUrl: source, targetUrl: atomic, tables: ['mensajes', 'sesiones'], reportDir: report() });
  t.equal((await loadShape(atomic)).ranges, 0, 'por debajo del tamaño de tabla grande: carga atómica, sin tramos');
  for (const table of ['mensajes', 'sesiones']) t.equal(await tableText(target, table), await tableText(atomic, table), `${table}: mismas filas`);
});
