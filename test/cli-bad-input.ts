import { randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import t from 'tap';
import { startEmbedded } from '../dev/embedded.js';
import { runCli } from './helpers/cli.js';
import { freshDatabase, serverUrl, withClient } from './helpers/database.js';
import { dirtyLegacyDatabase } from './helpers/fixture.js';

const report = () => ['--report-dir', mkdtempSync(path.join(tmpdir(), 'mal-'))];

async function publicTables(url: string): Promise<string[]> {
  return withClient(url, async (c) => (await c.query("SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY 1")).rows.map((r) => r.tablename));
}

// The shared test server may trust every connection (the machine's PostgreSQL 15 does):
// this test starts its own, which checks passwords.
t.test('a wrong password exits 2 with one sentence and no secret', async (t) => {
  const server = await startEmbedded();
  t.teardown(() => server.stop());
  const url = new URL(server.url);
  t.equal(await withClient(url.toString(), async (c) => (await c.query('SELECT 1 AS ok')).rows[0].ok), 1, 'con la contraseña buena entra');
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
  // plan lists each missing grant once, and a table it may not read is not "missing".
  const plan = await runCli(['plan', '--table', 'mensajes', '--json'], { SOURCE_DATABASE_URL: asRole(source), TARGET_DATABASE_URL: source });
  t.equal(plan.code, 2);
  t.same(JSON.parse(plan.stdout).problems, [
    'sin permiso SELECT sobre messages en el origen (GRANT SELECT ON messages TO <usuario>)',
    'sin permiso SELECT sobre users en el origen (GRANT SELECT ON users TO <usuario>)',
  ]);

  const target = await freshDatabase(t);
  await withClient(target, (c) => c.query('REVOKE CREATE ON SCHEMA public FROM PUBLIC'));
  const noCreate = await runCli(['--table', 'mensajes', ...report()], { SOURCE_DATABASE_URL: source, TARGET_DATABASE_URL: asRole(target) });
  t.equal(noCreate.code, 2);
  t.match(noCreate.stderr, /El usuario de destino no puede migrar: sin permiso CREATE en el esquema de destino/);
  t.same(await publicTables(target), [], 'el destino sigue vacío');
});

t.test('a target table the user may not read, load or empty exits 2 before any write, naming each grant', async (t) => {
  const source = await dirtyLegacyDatabase(t);
  const target = await freshDatabase(t);
  const first = await runCli(['--table', 'profesiones', ...report()], { SOURCE_DATABASE_URL: source, TARGET_DATABASE_URL: target });
  t.equal(first.code, 0, 'profesiones migrated by its owner');
  const role = `ct_sin_tabla_${randomBytes(3).toString('hex')}`;
  await withClient(serverUrl(), (c) => c.query(`CREATE ROLE ${role} LOGIN PASSWORD 'clave'`));
  t.teardown(() => withClient(target, (c) => c.query(`DROP OWNED BY ${role}`)).then(() => withClient(serverUrl(), (c) => c.query(`DROP ROLE IF EXISTS ${role}`))));
  // The state schema is readable: what is missing is only the table's own grants.
  await withClient(target, (c) => c.query(`GRANT USAGE ON SCHEMA copiar_tablas TO ${role}; GRANT SELECT ON ALL TABLES IN SCHEMA copiar_tablas TO ${role}`));
  const asRole = new URL(target);
  asRole.username = role;
  asRole.password = 'clave';
  const before = await withClient(target, async (c) => (await c.query('SELECT count(*)::int AS n FROM profesiones')).rows[0].n);
  const r = await runCli(['--table', 'profesiones', ...report()], { SOURCE_DATABASE_URL: source, TARGET_DATABASE_URL: asRole.toString() });
  t.equal(r.code, 2);
  t.match(r.stderr, /El usuario de destino no puede migrar: sin permiso SELECT sobre profesiones en el destino \(GRANT SELECT ON profesiones TO <usuario>\); sin permiso INSERT sobre profesiones en el destino \(GRANT INSERT ON profesiones TO <usuario>\); sin permiso TRUNCATE sobre profesiones en el destino/);
  t.equal(await withClient(target, async (c) => (await c.query('SELECT count(*)::int AS n FROM profesiones')).rows[0].n), before, 'profesiones keeps its rows');
  await withClient(target, (c) => c.query(`GRANT SELECT, INSERT ON profesiones TO ${role}`));
  const plan = await runCli(['plan', '--table', 'profesiones', '--json'], { SOURCE_DATABASE_URL: source, TARGET_DATABASE_URL: asRole.toString() });
  t.equal(plan.code, 2);
  t.same(JSON.parse(plan.stdout).problems, ['sin permiso TRUNCATE sobre profesiones en el destino (GRANT TRUNCATE ON profesiones TO <usuario>)'], 'plan names only the grant still missing');
});
