import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import t from 'tap';
import { runCli } from './helpers/cli.js';
import { freshDatabase, withClient } from './helpers/database.js';
import { generatedLegacyDatabase } from './helpers/generated.js';

const report = (): string[] => ['--report-dir', mkdtempSync(path.join(tmpdir(), 'padres-'))];

// proveedor_profesiones reads profesiones and proveedores in the target: alone, into a
// target where those are empty, every row would be rejected and the run would end well.
t.test('a child table migrated alone against empty parents is refused before writing; plan says so; with its parents in, it runs', async (t) => {
  const source = await generatedLegacyDatabase(t, 2_000);
  const target = await freshDatabase(t);
  const env = { SOURCE_DATABASE_URL: source, TARGET_DATABASE_URL: target };
  const refused = await runCli(['--table', 'proveedor_profesiones', ...report()], env);
  t.equal(refused.code, 2, refused.stderr);
  t.match(refused.stderr, /proveedor_profesiones busca sus enlaces en proveedores y profesiones del destino, que están vacías/);
  t.match(refused.stderr, /--table proveedores --table profesiones --table proveedor_profesiones/);
  const created = await withClient(target, async (c) => (await c.query("SELECT count(*)::int AS n FROM pg_tables WHERE tablename = 'proveedor_profesiones'")).rows[0].n);
  t.equal(created, 0, 'no escribió nada');

  const plan = await runCli(['plan', '--table', 'solicitudes_servicio'], env);
  t.equal(plan.code, 2);
  t.match(plan.stdout, /PROBLEMA: solicitudes_servicio busca sus enlaces en clientes del destino, que está vacía/);

  t.equal((await runCli(['--table', 'profesiones', '--table', 'proveedores', ...report()], env)).code, 0);
  const alone = await runCli(['--table', 'proveedor_profesiones', ...report()], env);
  t.equal(alone.code, 0, alone.stderr);
  const together = await runCli(['--table', 'clientes', '--table', 'solicitudes_servicio', ...report()], env);
  t.equal(together.code, 0, 'con sus padres en la misma ejecución');
});

t.test('verify fails a child whose parents are empty in the target', async (t) => {
  const source = await generatedLegacyDatabase(t, 2_000);
  const target = await freshDatabase(t);
  const env = { SOURCE_DATABASE_URL: source, TARGET_DATABASE_URL: target };
  t.equal((await runCli(['--table', 'profesiones', '--table', 'proveedores', '--table', 'proveedor_profesiones', ...report()], env)).code, 0);
  await withClient(target, (c) => c.query('TRUNCATE profesiones, proveedores, proveedor_profesiones'));
  const r = await runCli(['verify', '--table', 'proveedor_profesiones'], env);
  t.equal(r.code, 1, r.stdout);
  t.match(r.stdout, /sus tablas padre proveedores y profesiones están vacías en el destino/);
});
