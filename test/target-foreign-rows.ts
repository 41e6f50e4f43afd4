// A target table that holds rows copiar-tablas did not write (made by hand before the
// run) must not be emptied without a word; and rollback drops only the tables the tool
// created, by OID, not whatever now has their name.
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import t from 'tap';
import { createTableSql } from '../lib/schema/ddl.js';
import { mensajes } from '../transforms/mensajes.js';
import { profesiones } from '../transforms/profesiones.js';
import { runCli } from './helpers/cli.js';
import { withClient } from './helpers/database.js';
import { dirtyLegacyDatabase } from './helpers/fixture.js';

const report = (): string => mkdtempSync(path.join(tmpdir(), 'ajenas-'));
const count = (url: string, table: string): Promise<number> => withClient(url, async (c) => (await c.query(`SELECT count(*)::int AS n FROM ${table}`)).rows[0].n);
const HAND_MADE = "INSERT INTO mensajes (id, telefono, tipo_mensaje, contenido) VALUES ('00000000-0000-4000-8000-00000000abcd', '+593990000001', 'texto', 'escrito a mano')";

t.test('a table with rows the tool did not write is refused, then replaced only with --replace', async (t) => {
  const url = await dirtyLegacyDatabase(t);
  // Made by hand, with one row, and never analyzed: statistics say nothing about it.
  await withClient(url, (c) => c.query(`${createTableSql(mensajes)}; ${HAND_MADE}`));

  const plan = await runCli(['plan', '--table', 'mensajes'], { DATABASE_URL: url });
  t.equal(plan.code, 2, plan.stderr);
  t.match(plan.stdout, /mensajes\s+messages\s+.*existe, con filas que copiar-tablas no escribió/);
  t.match(plan.stdout, /PROBLEMA: La tabla de destino mensajes ya tiene filas que copiar-tablas no escribió/);

  const refused = await runCli(['--table', 'mensajes', '--report-dir', report()], { DATABASE_URL: url });
  t.equal(refused.code, 2, refused.stderr);
  t.match(refused.stderr, /La tabla de destino mensajes ya tiene filas que copiar-tablas no escribió, y la migración las reemplazaría: si es lo que quiere, repita con --replace/);
  t.equal(await count(url, 'mensajes'), 1, 'la fila hecha a mano sigue ahí');

  const dir = report();
  const replaced = await runCli(['--table', 'mensajes', '--replace', '--report-dir', dir], { DATABASE_URL: url });
  t.equal(replaced.code, 0, replaced.stderr);
  t.same(JSON.parse(readFileSync(path.join(dir, 'summary.json'), 'utf8')).replaced, ['mensajes'], 'el resumen dice qué reemplazó');
  t.equal(await count(url, 'mensajes'), 2, 'las filas del origen');

  // Now its rows are the tool's: a re-run needs no flag, and records nothing replaced.
  const again = report();
  const rerun = await runCli(['--table', 'mensajes', '--report-dir', again], { DATABASE_URL: url });
  t.equal(rerun.code, 0, rerun.stderr);
  t.equal(JSON.parse(readFileSync(path.join(again, 'summary.json'), 'utf8')).replaced, undefined);
});

t.test('an empty hand-made table is used, and a hand-made table of another shape is not blamed on rollback', async (t) => {
  const url = await dirtyLegacyDatabase(t);
  await withClient(url, (c) => c.query(createTableSql(mensajes)));
  t.equal((await runCli(['--table', 'mensajes', '--report-dir', report()], { DATABASE_URL: url })).code, 0);
  await withClient(url, (c) => c.query('CREATE TABLE sesiones (id UUID, otra TEXT)'));
  const r = await runCli(['--table', 'sesiones', '--report-dir', report()], { DATABASE_URL: url });
  t.equal(r.code, 2);
  t.match(r.stderr, /La tabla de destino sesiones ya existe con otra forma .*: copiar-tablas no la creó; renómbrela o bórrela y vuelva a ejecutar\./);
  t.notMatch(r.stderr, /rollback/);
});

t.test('rollback leaves a table that someone made again under a name the tool created, and names it', async (t) => {
  const url = await dirtyLegacyDatabase(t);
  t.equal((await runCli(['--table', 'profesiones', '--table', 'mensajes', '--report-dir', report()], { DATABASE_URL: url })).code, 0);
  await withClient(url, (c) => c.query(`DROP TABLE profesiones CASCADE; ${createTableSql(profesiones)}; INSERT INTO profesiones (nombre) VALUES ('de otro')`));
  const dry = await runCli(['rollback'], { DATABASE_URL: url });
  t.equal(dry.code, 2);
  t.match(dry.stdout, /Se deja profesiones: copiar-tablas creó una tabla con ese nombre, pero la que existe ahora es otra/);
  t.match(dry.stdout, /Se borraría: mensajes, esquema copiar_tablas\./);
  const done = await runCli(['rollback', '--yes'], { DATABASE_URL: url });
  t.equal(done.code, 0, done.stderr);
  t.equal(await count(url, 'profesiones'), 1, 'la tabla de otro sigue con su fila');
  t.equal(await withClient(url, async (c) => (await c.query("SELECT to_regclass('mensajes') IS NULL AS gone")).rows[0].gone), true);
});
