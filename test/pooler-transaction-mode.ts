// Supabase's port 6543 is a transaction-mode pooler, and many operators only have that
// URL. Through one, a session setting or an advisory lock stays on a server connection
// that the application's next transaction gets. A real PgBouncer stands in for it.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import t from 'tap';
import { runCli } from './helpers/cli.js';
import { freshDatabase, withClient } from './helpers/database.js';
import { dirtyLegacyDatabase, tableText } from './helpers/fixture.js';
import { pgbouncerMissing, startPgBouncer } from './helpers/pgbouncer.js';

const RUN_LOCK_KEY = 0x636f7069;
const report = () => ['--report-dir', mkdtempSync(path.join(tmpdir(), 'pooler-'))];

/** What the application does next through the pooler: short write transactions, each on whatever server connection is free. */
async function applicationWrites(url: string): Promise<void> {
  for (let i = 0; i < 8; i++) await withClient(url, (c) => c.query('INSERT INTO registro_app (n) VALUES ($1)', [i]));
}

/** The legacy database, with a table of the application's own to write to. */
async function sourceWithApplication(t: Parameters<typeof dirtyLegacyDatabase>[0]): Promise<string> {
  const url = await dirtyLegacyDatabase(t);
  await withClient(url, (c) => c.query('CREATE TABLE registro_app (n INT)'));
  return url;
}

/** The run lock held in this database (other test files take it in theirs, on the same server). */
async function advisoryLocks(url: string): Promise<number> {
  return withClient(
    url,
    async (c) =>
      (await c.query('SELECT count(*)::int AS n FROM pg_locks WHERE locktype = $1 AND objid = $2 AND database = (SELECT oid FROM pg_database WHERE datname = current_database())', ['advisory', RUN_LOCK_KEY])).rows[0].n,
  );
}

t.test('a transaction-mode pooler is refused before anything is set on it', { skip: pgbouncerMissing ?? false }, async (t) => {
  const bouncer = await startPgBouncer(t, 'transaction');
  const source = await sourceWithApplication(t);
  const target = await freshDatabase(t);
  for (const [side, env] of [
    ['origen', { SOURCE_DATABASE_URL: bouncer.through(source), TARGET_DATABASE_URL: target }],
    ['destino', { SOURCE_DATABASE_URL: source, TARGET_DATABASE_URL: bouncer.through(target) }],
  ] as const) {
    const r = await runCli(['--table', 'mensajes', ...report()], env);
    t.equal(r.code, 2, `${side}: ${r.stderr}`);
    t.match(r.stderr, new RegExp(`La base de ${side} .* pasa por un pooler en modo transacción .* Use la conexión directa .* o el pooler en modo sesión \\(puerto 5432\\)`));
    t.equal(r.stderr.trim().split('\n').length, 1, 'una sola frase');
  }
  for (const command of [['plan'], ['verify'], ['rollback', '--yes']]) {
    const r = await runCli(command, { DATABASE_URL: bouncer.through(source) });
    t.equal(r.code, 2, `${command[0]}: ${r.stderr}`);
    t.match(r.stderr, /pooler en modo transacción/);
  }
  // Nothing stayed behind: the application writes through the same pooler, and no run lock is held.
  await t.resolves(applicationWrites(bouncer.through(source)), 'la aplicación sigue escribiendo por el pooler');
  t.equal(await advisoryLocks(target), 0, 'ningún bloqueo de ejecución quedó en el destino');
  t.equal(await withClient(target, async (c) => (await c.query("SELECT count(*)::int AS n FROM pg_tables WHERE schemaname = 'public'")).rows[0].n), 0, 'nada se creó en el destino');
});

t.test('a session-mode pooler works, and leaves neither settings nor the lock behind', { skip: pgbouncerMissing ?? false }, async (t) => {
  const bouncer = await startPgBouncer(t, 'session');
  const source = await sourceWithApplication(t);
  const target = await freshDatabase(t);
  const direct = await freshDatabase(t);
  const r = await runCli(['--table', 'mensajes', ...report()], { SOURCE_DATABASE_URL: bouncer.through(source), TARGET_DATABASE_URL: bouncer.through(target) });
  t.equal(r.code, 0, r.stderr);
  const clean = await runCli(['--table', 'mensajes', ...report()], { SOURCE_DATABASE_URL: source, TARGET_DATABASE_URL: direct });
  t.equal(clean.code, 0, clean.stderr);
  t.equal(await tableText(target, 'mensajes'), await tableText(direct, 'mensajes'), 'las mismas filas que por conexión directa');
  await t.resolves(applicationWrites(bouncer.through(source)), 'la aplicación escribe por el pooler después');
  t.equal(await advisoryLocks(target), 0, 'el bloqueo de ejecución se soltó');
  const again = await runCli(['rollback', '--yes'], { DATABASE_URL: target });
  t.equal(again.code, 0, again.stderr);
});
