import t from 'tap';
import { runCli } from './helpers/cli.js';
import { freshDatabase, withClient } from './helpers/database.js';

t.test('--help shows real examples and exits 0', async (t) => {
  const r = await runCli(['--help']);
  t.equal(r.code, 0);
  t.match(r.stdout, /copiar-tablas --table mensajes/);
  t.match(r.stdout, /--source/);
});

t.test('an unknown table exits 2 with one sentence listing the valid names', async (t) => {
  const r = await runCli(['--table', 'mensaje'], { DATABASE_URL: 'postgres://x@127.0.0.1:1/x' });
  t.equal(r.code, 2);
  t.equal(r.stderr.trim().split('\n').length, 1);
  t.match(r.stderr, /Tabla desconocida: mensaje; las tablas válidas son profesiones, clientes, proveedores, proveedor_profesiones, servicios_proveedor, solicitudes_servicio, mensajes, sesiones, tareas_programadas\./);
});

t.test('an unknown flag exits 2', async (t) => {
  const r = await runCli(['--tabel', 'mensajes']);
  t.equal(r.code, 2);
  t.match(r.stderr, /tabel/);
  t.notMatch(r.stderr, /at .*\.js/);
});

t.test('no database given exits 2 and names the variables', async (t) => {
  const r = await runCli(['--table', 'mensajes']);
  t.equal(r.code, 2);
  t.match(r.stderr, /SOURCE_DATABASE_URL/);
});

t.test('a malformed URL exits 2', async (t) => {
  const r = await runCli(['--source', 'mysql://a:b@c/d', '--target', 'postgres://a@b/c']);
  t.equal(r.code, 2);
  t.match(r.stderr, /postgres:\/\//);
  t.notMatch(r.stderr, /:b@/);
});

t.test('an unreachable database exits 2 without a stack trace or the password', async (t) => {
  const r = await runCli(['--table', 'mensajes'], { DATABASE_URL: 'postgres://operador:S3cr3t0-Muy-Largo@127.0.0.1:1/produccion' });
  t.equal(r.code, 2);
  t.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
  t.match(r.stderr, /No se pudo conectar a la base de origen postgres:\/\/operador:\*\*\*\*\*@127\.0\.0\.1:1\/produccion/);
  t.notMatch(r.stderr + r.stdout, /S3cr3t0/);
  t.notMatch(r.stderr, /\n\s+at /);
});

t.test('--debug shows the stack, still without the password', async (t) => {
  const r = await runCli(['--table', 'mensajes', '--debug'], { DATABASE_URL: 'postgres://operador:S3cr3t0-Muy-Largo@127.0.0.1:1/produccion' });
  t.equal(r.code, 2);
  t.match(r.stderr, /\n\s+at /);
  t.notMatch(r.stderr + r.stdout, /S3cr3t0/);
});

t.test('a missing source table exits 2 before anything is written to the target', async (t) => {
  const url = await freshDatabase(t);
  const r = await runCli(['--table', 'mensajes'], { DATABASE_URL: url });
  t.equal(r.code, 2);
  t.match(r.stderr, /no existe la tabla messages/);
  const tables = await withClient(url, async (c) => (await c.query("SELECT count(*)::int AS n FROM pg_tables WHERE schemaname = 'public'")).rows[0].n);
  t.equal(tables, 0, 'no se creó ninguna tabla');
});

t.test('--jobs must be a positive integer', async (t) => {
  const r = await runCli(['--jobs', '0'], { DATABASE_URL: 'postgres://x@127.0.0.1:1/x' });
  t.equal(r.code, 2);
  t.match(r.stderr, /--jobs debe ser un entero de 1 en adelante, se recibió 0/);
});
