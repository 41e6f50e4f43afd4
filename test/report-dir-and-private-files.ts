// The report folder is checked before the first connection, and what the tool writes
// there (rejects, spools, summary.json) holds personal data: owner only.
import { mkdtempSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import t from 'tap';
import { runCli } from './helpers/cli.js';
import { freshDatabase, withClient } from './helpers/database.js';
import { dirtyLegacyDatabase } from './helpers/fixture.js';
import { generatedLegacyDatabase } from './helpers/generated.js';
import { holdReadLock } from './helpers/locks.js';
import { createTableSql } from '../lib/schema/ddl.js';
import { mensajes } from '../transforms/mensajes.js';

const mode = (p: string): string => (statSync(p).mode & 0o777).toString(8);
const publicTables = (url: string): Promise<number> => withClient(url, async (c) => (await c.query("SELECT count(*)::int AS n FROM pg_tables WHERE schemaname = 'public'")).rows[0].n);

t.test('a report folder that cannot be used stops the run before anything is written', async (t) => {
  const source = await dirtyLegacyDatabase(t);
  const target = await freshDatabase(t);
  const file = path.join(mkdtempSync(path.join(tmpdir(), 'informe-')), 'soy-un-fichero');
  writeFileSync(file, 'x');
  for (const dir of [file, path.join(file, 'dentro'), '/proc/copiar-tablas-no']) {
    const r = await runCli(['--table', 'mensajes', '--report-dir', dir], { SOURCE_DATABASE_URL: source, TARGET_DATABASE_URL: target });
    t.equal(r.code, 2, dir);
    t.match(r.stderr, new RegExp(`^copiar-tablas: No se puede usar ${dir.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} como carpeta del informe: .+\\. Elija otra con --report-dir\\.\\n$`));
  }
  t.equal(await publicTables(target), 0, 'nada se creó en el destino');
});

t.test('reject files, their spools and summary.json are the owner’s alone, in folders of their own', async (t) => {
  const source = await generatedLegacyDatabase(t, 6_000);
  const target = await freshDatabase(t);
  const dir = path.join(mkdtempSync(path.join(tmpdir(), 'privado-')), 'informe');
  const r = await runCli(['--table', 'mensajes', '--table', 'clientes', '--range-rows', '2000', '--report-dir', dir], { SOURCE_DATABASE_URL: source, TARGET_DATABASE_URL: target });
  t.equal(r.code, 0, r.stderr);
  t.equal(mode(dir), '700', 'la carpeta del informe');
  t.equal(mode(path.join(dir, 'rejects')), '700');
  t.equal(mode(path.join(dir, 'rejects', '.tramos')), '700', 'la de los tramos');
  for (const f of ['summary.json', 'rejects/mensajes.csv', 'rejects/clientes.csv']) t.equal(mode(path.join(dir, f)), '600', f);
});

t.test('--resume continues the stored run as it was, and says so when told otherwise', async (t) => {
  const source = await generatedLegacyDatabase(t, 5_000);
  const target = await freshDatabase(t);
  const dir = mkdtempSync(path.join(tmpdir(), 'reanudar-'));
  const env = { SOURCE_DATABASE_URL: source, TARGET_DATABASE_URL: target };
  await withClient(target, (c) => c.query(createTableSql(mensajes)));
  const holder = await holdReadLock(target);
  t.teardown(holder.release);
  const stopped = await runCli(['--table', 'mensajes', '--range-rows', '2000', '--max-duration', '2s', '--report-dir', dir], env);
  t.equal(stopped.code, 1, stopped.stderr);
  await holder.release();
  const otherTable = await runCli(['--resume', '--table', 'sesiones'], env);
  t.equal(otherTable.code, 2);
  t.match(otherTable.stderr, /--resume continúa la ejecución \d+ tal como empezó \(tablas mensajes; informe en .*\): quite --table, o lance una ejecución nueva sin --resume\./);
  const otherDir = await runCli(['--resume', '--report-dir', mkdtempSync(path.join(tmpdir(), 'otra-'))], env);
  t.equal(otherDir.code, 2);
  t.match(otherDir.stderr, /quite --report-dir, o lance/);
  const same = await runCli(['--resume', '--table', 'mensajes', '--report-dir', dir], env);
  t.equal(same.code, 0, same.stderr);
});

t.test('--table with no name is refused instead of meaning all nine', async (t) => {
  for (const value of ['', ',']) {
    const r = await runCli(['--table', value], { DATABASE_URL: 'postgres://x@127.0.0.1:1/x' });
    t.equal(r.code, 2, JSON.stringify(value));
    t.match(r.stderr, /--table necesita el nombre de una tabla/);
  }
});
