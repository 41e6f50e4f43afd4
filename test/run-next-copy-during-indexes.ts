import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import t from 'tap';
import type { RunEvent } from '../lib/run/events.js';
import { migrate } from '../lib/run/migrate.js';
import { TABLES } from '../transforms/index.js';
import { freshDatabase } from './helpers/database.js';
import { tableText } from './helpers/fixture.js';
import { eventIndex } from './helpers/events.js';
import { generatedLegacyDatabase } from './helpers/generated.js';

const report = () => mkdtempSync(path.join(tmpdir(), 'overlap-'));

// A table in ranges has its rows committed before its indexes are built (in other
// sessions): with one job, the next table's copy starts then, instead of waiting for
// the indexes, and still only one table copies at a time.
t.test('with one job, the next table copies while a table in ranges builds its indexes, never two copies at once', async (t) => {
  const source = await generatedLegacyDatabase(t, 20_000);
  const overlapped = await freshDatabase(t);
  const events: RunEvent[] = [];
  const summary = await migrate({ catalog: TABLES, sourceUrl: source, targetUrl: overlapped, tables: ['mensajes', 'sesiones'], reportDir: report(), jobs: 1, rangeRows: 5000, onEvent: (e) => events.push(e) });
  t.equal(summary.ok, true);
  t.ok((summary.tables.mensajes as { ranges?: number }).ranges! > 1, 'mensajes se copió por tramos');

  const at = (type: RunEvent['type'], table: string): number => eventIndex(events, type, table);
  const lastCopy = events.map((e) => e.type === 'table_progress' && e.table === 'mensajes' && e.phase === 'copy').lastIndexOf(true);
  t.ok(lastCopy < at('table_start', 'sesiones'), 'sesiones empieza después de la última fila de mensajes');
  t.ok(at('table_start', 'sesiones') < at('table_done', 'mensajes'), 'sesiones empieza mientras mensajes construye sus índices');

  // The same rows as one table after the other.
  const sequential = await freshDatabase(t);
  await migrate({ catalog: TABLES, sourceUrl: source, targetUrl: sequential, tables: ['sesiones'], reportDir: report() });
  await migrate({ catalog: TABLES, sourceUrl: source, targetUrl: sequential, tables: ['mensajes'], reportDir: report(), rangeRows: 5000 });
  for (const table of ['mensajes', 'sesiones']) t.equal(await tableText(overlapped, table), await tableText(sequential, table), `${table}: mismas filas`);
});
