import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import t from 'tap';
import type { RunEvent } from '../lib/run/events.js';
import { migrate } from '../lib/run/migrate.js';
import { TABLES } from '../transforms/index.js';
import { runCli } from './helpers/cli.js';
import { eventIndex } from './helpers/events.js';
import { withClient } from './helpers/database.js';
import { dirtyLegacyDatabase, tableText } from './helpers/fixture.js';

const report = () => mkdtempSync(path.join(tmpdir(), 'jobs-'));
const NAMES = TABLES.map((s) => s.target);

async function everyTable(url: string): Promise<Record<string, string>> {
  const text: Record<string, string> = {};
  for (const table of NAMES) text[table] = await tableText(url, table);
  return text;
}

t.test('--jobs 3 copies tables side by side, each after the tables it reads, with the rows of --jobs 1', async (t) => {
  const sequential = await dirtyLegacyDatabase(t);
  await migrate({ catalog: TABLES, sourceUrl: sequential, targetUrl: sequential, reportDir: report(), jobs: 1 });
  const parallel = await dirtyLegacyDatabase(t);
  const events: RunEvent[] = [];
  const summary = await migrate({ catalog: TABLES, sourceUrl: parallel, targetUrl: parallel, reportDir: report(), jobs: 3, onEvent: (e) => events.push(e) });
  t.equal(summary.ok, true);
  t.same(await everyTable(parallel), await everyTable(sequential), 'mismas filas en las nueve tablas');

  const at = (type: RunEvent['type'], table: string): number => eventIndex(events, type, table);
  for (const spec of TABLES) {
    for (const dependency of spec.targetLookups?.reads ?? []) {
      t.ok(at('table_done', dependency) < at('table_start', spec.target), `${spec.target} empieza después de terminar ${dependency}`);
    }
  }
  const overlapped = NAMES.some((table, i) => i > 0 && at('table_start', table) < at('table_done', NAMES[i - 1]!));
  t.ok(overlapped, 'alguna tabla empezó antes de que terminara la anterior');
});

t.test('a table whose dependency failed is not started, and says which one', async (t) => {
  const url = await dirtyLegacyDatabase(t);
  await migrate({ catalog: TABLES, sourceUrl: url, targetUrl: url, tables: ['clientes'], reportDir: report() });
  // Rows of another table point at a cliente the source does not have: reloading
  // clientes would leave them dangling, so clientes fails.
  await withClient(url, (c) =>
    c.query(`INSERT INTO clientes (id, telefono, nombre_completo) VALUES ('00000000-0000-4000-8000-00000000ffff', '+593990000000', 'hecho a mano');
             CREATE TABLE notas_cliente (cliente_id UUID REFERENCES clientes (id));
             INSERT INTO notas_cliente VALUES ('00000000-0000-4000-8000-00000000ffff')`),
  );
  const events: RunEvent[] = [];
  const summary = await migrate({ catalog: TABLES, sourceUrl: url, targetUrl: url, tables: ['clientes', 'solicitudes_servicio', 'mensajes'], reportDir: report(), jobs: 2, onEvent: (e) => events.push(e) });
  t.equal(summary.ok, false);
  const failed = events.filter((e): e is Extract<RunEvent, { type: 'table_failed' }> => e.type === 'table_failed');
  t.match(failed, [
    { table: 'clientes', code: 'REFERENCIAS_ROTAS', message: /notas_cliente tiene filas que apuntan a clientes/ },
    { table: 'solicitudes_servicio', code: 'DEPENDENCIA_FALLIDA', message: 'solicitudes_servicio no se migró porque falló clientes, de la que depende.' },
  ]);
  t.notOk(events.some((e) => e.type === 'table_start' && e.table === 'solicitudes_servicio'), 'solicitudes_servicio no empezó');
  t.equal(summary.tables.mensajes?.status, 'ok', 'una tabla que no depende de clientes se migra igual');
  t.equal(summary.tables.solicitudes_servicio?.status, 'failed');
});

t.test('--until with a valid time lets a run that ends before it finish', async (t) => {
  const url = await dirtyLegacyDatabase(t);
  const later = new Date(Date.now() + 3 * 3_600_000);
  const until = `${String(later.getHours()).padStart(2, '0')}:${String(later.getMinutes()).padStart(2, '0')}`;
  const r = await runCli(['--table', 'mensajes', '--until', until, '--report-dir', report()], { DATABASE_URL: url });
  t.equal(r.code, 0, r.stderr);
  t.notMatch(r.stderr, /detenido/);
});
