import { mkdtempSync, readFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import t from 'tap';
import { runCli } from './helpers/cli.js';
import { legacyDatabase, freshDatabase, withClient } from './helpers/database.js';
import { dirtyLegacyDatabase } from './helpers/fixture.js';

t.test('the CLI migrates mensajes, exits 0 with rejects, writes summary.json and the reject file', async (t) => {
  const url = await dirtyLegacyDatabase(t);
  const reportDir = path.join(mkdtempSync(path.join(tmpdir(), 'cli-')), 'informe');
  const r = await runCli(['--table', 'mensajes', '--report-dir', reportDir], { DATABASE_URL: url });
  t.equal(r.code, 0, r.stderr);
  const summary = JSON.parse(readFileSync(path.join(reportDir, 'summary.json'), 'utf8'));
  t.same(Object.keys(summary.tables), ['mensajes']);
  t.match(summary.tables.mensajes, { read: 4, written: 2, rejected: 2, adjusted: 1 });
  t.type(summary.tables.mensajes.seconds, 'number');
  t.ok(existsSync(path.join(reportDir, 'rejects', 'mensajes.csv')));
  t.match(r.stdout, /tabla\s+leídas\s+escritas\s+rechazadas\s+ajustadas\s+MB\s+segundos\s+filas\/s/);
  t.match(r.stdout, new RegExp(`Informe: ${reportDir.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`));
});

t.test('SOURCE_DATABASE_URL and TARGET_DATABASE_URL override DATABASE_URL', async (t) => {
  const source = await dirtyLegacyDatabase(t);
  const target = await freshDatabase(t);
  const reportDir = mkdtempSync(path.join(tmpdir(), 'cli-'));
  const r = await runCli(['--table', 'sesiones', '--report-dir', reportDir], { DATABASE_URL: 'postgres://nadie@127.0.0.1:1/x', SOURCE_DATABASE_URL: source, TARGET_DATABASE_URL: target });
  t.equal(r.code, 0, r.stderr);
  t.equal(await withClient(target, async (c) => (await c.query('SELECT count(*)::int AS n FROM sesiones')).rows[0].n), 2);
});

t.test('--json prints one well-formed JSON object per event', async (t) => {
  const url = await dirtyLegacyDatabase(t);
  const r = await runCli(['--table', 'profesiones', '--table', 'tareas_programadas', '--json', '--report-dir', mkdtempSync(path.join(tmpdir(), 'cli-'))], { DATABASE_URL: url });
  t.equal(r.code, 0, r.stderr);
  const events = r.stdout.trim().split('\n').map((line) => JSON.parse(line));
  t.same(events.map((e) => e.event).filter((e) => e !== 'table_progress'), ['run_start', 'snapshot', 'table_start', 'table_done', 'table_start', 'table_done', 'run_done']);
  const done = events.filter((e) => e.event === 'table_done');
  t.same(done.map((e) => [e.table, e.read, e.written, e.rejected]), [['profesiones', 6, 3, 3], ['tareas_programadas', 8, 3, 5]]);
  t.equal(events[events.length - 1].ok, true);
  t.equal(r.stderr, '');
});

t.test('without a terminal, progress is plain log lines on stderr', async (t) => {
  const url = await dirtyLegacyDatabase(t);
  const r = await runCli(['--table', 'clientes', '--report-dir', mkdtempSync(path.join(tmpdir(), 'cli-'))], { DATABASE_URL: url });
  t.equal(r.code, 0);
  t.notMatch(r.stderr, /\x1b\[/, 'sin secuencias de terminal');
  t.match(r.stderr, /^\d{4}-\d\d-\d\dT[\d:.]+Z clientes: empezando( \(~[\d.]+ filas según el catálogo\))?$/m);
  t.match(r.stderr, /^\d{4}-\d\d-\d\dT[\d:.]+Z clientes: 5 escritas, 3 rechazadas en [\d.]+ s$/m);
});

t.test('a target table with an incompatible shape exits 2 and is left untouched', async (t) => {
  const url = await legacyDatabase(t);
  await withClient(url, (c) => c.query("CREATE TABLE mensajes (id uuid, texto text); INSERT INTO mensajes VALUES (gen_random_uuid(), 'mío')"));
  const r = await runCli(['--table', 'mensajes', '--report-dir', mkdtempSync(path.join(tmpdir(), 'cli-'))], { DATABASE_URL: url });
  t.equal(r.code, 2);
  t.match(r.stderr, /La tabla de destino mensajes ya existe con otra forma \(falta la columna conversacion_id/);
  t.equal(await withClient(url, async (c) => (await c.query("SELECT texto FROM mensajes")).rows[0].texto), 'mío');
});
