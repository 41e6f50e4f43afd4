// A table copied in ranges: the first range's transaction empties the table itself, so
// its rows go in with COPY FREEZE (pages all-visible at once, never rewritten for hint
// bits), and until that range commits the previous content stays.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import t from 'tap';
import { createTableSql } from '../lib/schema/ddl.js';
import { mensajes } from '../transforms/mensajes.js';
import { runCli, startCli } from './helpers/cli.js';
import { tableText } from './helpers/fixture.js';
import { freshDatabase, withClient } from './helpers/database.js';
import { generatedLegacyDatabase, terminateWhileCopying } from './helpers/generated.js';

t.test('the first range is frozen, the later ones are not', async (t) => {
  const source = await generatedLegacyDatabase(t, 20_000);
  const target = await freshDatabase(t);
  // Autovacuum off on this table, so only COPY FREEZE can mark its pages all-visible.
  await withClient(target, (c) => c.query(`${createTableSql(mensajes)} WITH (autovacuum_enabled = false)`));
  const r = await runCli(['--table', 'mensajes', '--range-rows', '5000', '--report-dir', mkdtempSync(path.join(tmpdir(), 'congelado-'))], { SOURCE_DATABASE_URL: source, TARGET_DATABASE_URL: target });
  t.equal(r.code, 0, r.stderr);
  const { relpages, relallvisible, ranges } = await withClient(target, async (c) => ({
    ...(await c.query("SELECT relpages, relallvisible FROM pg_class WHERE relname = 'mensajes'")).rows[0],
    ranges: (await c.query("SELECT count(*)::int AS n FROM copiar_tablas.tramos WHERE tabla = 'mensajes'")).rows[0].n,
  }));
  t.ok(ranges >= 4, `${ranges} tramos`);
  // ANALYZE (run by the tool) counts the all-visible pages from the visibility map.
  t.ok(relallvisible > 0, `${relallvisible} páginas visibles para todos`);
  t.ok(relallvisible < relpages * 0.5, `solo las del primer tramo: ${relallvisible} de ${relpages}`);
});

t.test('a run that fails before its first range commits leaves the previous rows', async (t) => {
  const source = await generatedLegacyDatabase(t, 40_000);
  const target = await freshDatabase(t);
  const dir = mkdtempSync(path.join(tmpdir(), 'previo-'));
  const rangeRows = ['--range-rows', '20000'];
  const first = await runCli(['--table', 'mensajes', ...rangeRows, '--report-dir', dir], { SOURCE_DATABASE_URL: source, TARGET_DATABASE_URL: target });
  t.equal(first.code, 0, first.stderr);
  const before = await tableText(target, 'mensajes');
  // The first range's COPY is cut on the target and not retried: nothing commits. Cut it
  // while it has moved fewer than 19,000 of its 20,000 rows: with a threshold of 1,000 a
  // slow poll on a busy machine missed the first range and cut the second one.
  const second = startCli(['--table', 'mensajes', ...rangeRows, '--retries', '0', '--report-dir', dir], { SOURCE_DATABASE_URL: source, TARGET_DATABASE_URL: target });
  await terminateWhileCopying(target, 'COPY "mensajes"%FROM STDIN%', 19_000);
  const r = await second.done;
  t.equal(r.code, 1, r.stderr);
  t.match(r.stderr, /mensajes: se perdió la conexión y no volvió en 0 reintentos \(.+\) \(continúe con: npx copiar-tablas --resume --retries 0\)/);
  const ranges = await withClient(target, async (c) => (await c.query("SELECT count(*)::int AS n FROM copiar_tablas.tramos WHERE tabla = 'mensajes' AND ejecucion = (SELECT max(id) FROM copiar_tablas.ejecuciones)")).rows[0].n);
  t.equal(ranges, 0, 'ningún tramo de la segunda ejecución llegó a confirmarse');
  t.equal(await tableText(target, 'mensajes'), before, 'las filas anteriores siguen ahí');
});
