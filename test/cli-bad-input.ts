import { randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pg from 'pg';
import t from 'tap';
import { runCli } from './helpers/cli.js';
import { freshDatabase, serverUrl, withClient } from './helpers/database.js';
import { dirtyLegacyDatabase } from './helpers/fixture.js';

const report = () => ['--report-dir', mkdtempSync(path.join(tmpdir(), 'mal-'))];

async function publicTables(url: string): Promise<string[]> {
  return withClient(url, async (c) => (await c.query("SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY 1")).rows.map((r) => r.tablename));
}

// A server with trust authentication accepts any password: nothing to reject there.
const trustAuth = await (async () => {
  const url = new URL(serverUrl());
  url.password = 'clave-equivocada-123';
  const probe = new pg.Client({ connectionString: url.toString() });
  const accepted = await probe.connect().then(() => true, () => false);
  await probe.end().catch(() => undefined);
  return accepted;
})();

t.test('a wrong password exits 2 with one sentence and no secret', { skip: trustAuth ? 'el servidor de pruebas usa trust: acepta cualquier contraseña' : false }, async (t) => {
  const url = new URL(await freshDatabase(t));
  url.password = 'clave-equivocada-123';
  const r = await runCli(['--table', 'mensajes'], { DATABASE_URL: url.toString() });
  t.equal(r.code, 2);
  t.match(r.stderr, /usuario o contraseña rechazados; revise las credenciales de la URL/);
  t.notMatch(r.stderr, /clave-equivocada/);
  t.equal(r.stderr.trim().split('\n').length, 1);
});

t.test('a source column that drifted away exits 2 before any write', async (t) => {
  const url = await dirtyLegacyDatabase(t);
  await withClient(url, (c) => c.query('ALTER TABLE messages DROP COLUMN media_type'));
  const r = await runCli(['--table', 'mensajes', ...report()], { DATABASE_URL: url });
  t.equal(r.code, 2);
  t.match(r.stderr, /a messages le falta media_type/);
  t.notOk((await publicTables(url)).includes('mensajes'), 'no se creó mensajes');
});

t.test('missing privileges exit 2 before any write, naming the grant', async (t) => {
  const source = await dirtyLegacyDatabase(t);
  const role = `ct_sin_permisos_${randomBytes(3).toString('hex')}`;
  await withClient(serverUrl(), (c) => c.query(`CREATE ROLE ${role} LOGIN PASSWORD 'clave'`));
  t.teardown(() => withClient(serverUrl(), (c) => c.query(`DROP ROLE IF EXISTS ${role}`)));
  const asRole = (url: string): string => {
    const u = new URL(url);
    u.username = role;
    u.password = 'clave';
    return u.toString();
  };
  const noSelect = await runCli(['--table', 'mensajes', ...report()], { SOURCE_DATABASE_URL: asRole(source), TARGET_DATABASE_URL: source });
  t.equal(noSelect.code, 2);
  t.match(noSelect.stderr, /El usuario de origen no puede leer lo que la migración necesita: sin permiso SELECT sobre messages en el origen/);

  const target = await freshDatabase(t);
  await withClient(target, (c) => c.query('REVOKE CREATE ON SCHEMA public FROM PUBLIC'));
  const noCreate = await runCli(['--table', 'mensajes', ...report()], { SOURCE_DATABASE_URL: source, TARGET_DATABASE_URL: asRole(target) });
  t.equal(noCreate.code, 2);
  t.match(noCreate.stderr, /El usuario de destino no puede migrar: sin permiso CREATE en el esquema de destino/);
  t.same(await publicTables(target), [], 'el destino sigue vacío');
});
