import t from 'tap';
import { startEmbedded, withDatabaseName } from '../dev/embedded.js';
import { LEGACY_SCHEMA_SQL } from '../dev/generate-legacy.js';
import { FOLLOW_NAME, followProblems, followSlot } from '../lib/follow/requirements.js';
import { ensureFollowState, recordFollowStart } from '../lib/state/follow-state.js';
import { ensureStateSchema } from '../lib/state/state-schema.js';
import { TABLES } from '../transforms/index.js';
import { runCli } from './helpers/cli.js';
import { withClient } from './helpers/database.js';

// docs/contract.md, "Following changes": what the source must allow, checked before
// anything is created on it, each problem with what the operator does about it.
t.test('a source that cannot be followed is told why: wal_level, the role, tables without identity, a slot left behind', async (t) => {
  const logical = await startEmbedded({ flags: ['-c', 'wal_level=logical'] });
  t.teardown(() => logical.stop());
  await withClient(logical.url, (c) => c.query('CREATE DATABASE origen'));
  const url = withDatabaseName(logical.url, 'origen');
  await withClient(url, (c) => c.query(LEGACY_SCHEMA_SQL));

  const first = await withClient(url, (c) => followProblems(c, TABLES));
  t.equal(first.length, 1, first.join('\n'));
  t.match(first[0], /la tabla customers del origen no tiene clave primaria ni identidad de réplica: .*ALTER TABLE customers REPLICA IDENTITY FULL/);
  const refused = await runCli(['--follow', '--json'], { DATABASE_URL: url });
  t.equal(refused.code, 2, 'la línea de órdenes se niega antes de escribir nada');
  t.match(refused.stderr, /No se puede seguir el origen: la tabla customers del origen no tiene clave primaria ni identidad de réplica/);
  t.equal(JSON.parse(refused.stdout.trim().split('\n').pop()!).code, 'SEGUIMIENTO_NO_POSIBLE');
  const created = await withClient(url, async (c) => (await c.query("SELECT (SELECT count(*) FROM pg_replication_slots)::int + (SELECT count(*) FROM pg_publication)::int + (SELECT count(*) FROM pg_tables WHERE tablename = 'proveedores')::int AS n")).rows[0].n);
  t.equal(created, 0, 'ni slot, ni publicación, ni tablas');
  const planned = await runCli(['plan', '--follow'], { DATABASE_URL: url });
  t.equal(planned.code, 2);
  t.match(planned.stdout, /--follow: la tabla customers del origen no tiene clave primaria/, 'plan --follow lo dice también');
  await withClient(url, (c) => c.query('ALTER TABLE customers REPLICA IDENTITY FULL'));
  t.same(await withClient(url, (c) => followProblems(c, TABLES)), [], 'con identidad de réplica, nada que objetar');

  await withClient(url, (c) => c.query("CREATE ROLE lector LOGIN PASSWORD 'lector'; GRANT SELECT ON ALL TABLES IN SCHEMA public TO lector"));
  const reader = new URL(url);
  reader.username = 'lector';
  reader.password = 'lector';
  const denied = await withClient(reader.toString(), (c) => followProblems(c, TABLES));
  t.match(denied.join('\n'), /el usuario lector no puede replicar: ALTER ROLE lector REPLICATION/);

  await withClient(url, (c) => c.query("SELECT pg_create_logical_replication_slot($1, 'pgoutput')", [FOLLOW_NAME]));
  t.teardown(() => withClient(url, (c) => c.query('SELECT pg_drop_replication_slot($1)', [FOLLOW_NAME])).catch(() => undefined));
  const slot = await withClient(url, (c) => followSlot(c));
  t.match(slot, { name: FOLLOW_NAME, active: false });
  t.ok(slot!.retainedBytes >= 0);
  const left = await withClient(url, (c) => followProblems(c, TABLES));
  t.match(left.join('\n'), /ya hay un slot de replicación copiar_tablas en el origen \(sin uso, retiene [\d.]+ MB de WAL\): continúe su seguimiento con --resume, o bórrelo en el origen con SELECT pg_drop_replication_slot\('copiar_tablas'\)/);
  const plan = await runCli(['plan'], { DATABASE_URL: url });
  t.match(plan.stdout, /AVISO: El origen tiene un slot de replicación copiar_tablas sin uso que retiene [\d.]+ MB de WAL/, 'plan lo muestra');
  t.match(JSON.parse((await runCli(['plan', '--json'], { DATABASE_URL: url })).stdout), { follow_slot: { active: false } });
  t.same(await withClient(url, (c) => followProblems(c, TABLES, { resume: true })), [], 'con --resume el slot es el suyo');

  const replica = await startEmbedded({ flags: ['-c', 'wal_level=replica'] });
  t.teardown(() => replica.stop());
  const plain = await withClient(replica.url, (c) => followProblems(c, []));
  t.match(plain.join('\n'), /el origen tiene wal_level = replica y seguir sus cambios necesita logical: ALTER SYSTEM SET wal_level = logical y reiniciar el servidor/);
  t.equal(await withClient(replica.url, (c) => followSlot(c)), null);
});

// --follow --resume continues the changes since the last applied position: without the
// slot they are gone, and following on would lose them without a word.
t.test('a resume whose slot is gone is refused, and nothing is created on the source', async (t) => {
  const logical = await startEmbedded({ flags: ['-c', 'wal_level=logical'] });
  t.teardown(() => logical.stop());
  for (const name of ['origen', 'destino']) await withClient(logical.url, (c) => c.query(`CREATE DATABASE ${name}`));
  const source = withDatabaseName(logical.url, 'origen');
  const target = withDatabaseName(logical.url, 'destino');
  await withClient(source, (c) => c.query(LEGACY_SCHEMA_SQL + '; ALTER TABLE customers REPLICA IDENTITY FULL'));
  await withClient(target, async (c) => {
    await ensureStateSchema(c);
    await ensureFollowState(c);
    await recordFollowStart(c, FOLLOW_NAME, { lsn: '0/0', tables: TABLES.map((s) => s.target), reportDir: '.', skipTriggers: false });
  });
  const resumed = await runCli(['--follow', '--resume', '--source', source, '--target', target]);
  t.equal(resumed.code, 2, resumed.stderr);
  t.match(resumed.stderr, /El slot copiar_tablas ya no existe en el origen: el seguimiento no puede continuar sin perder cambios; empiece de nuevo con npx copiar-tablas rollback --yes y --follow/);
  const created = await withClient(source, async (c) => (await c.query('SELECT (SELECT count(*) FROM pg_replication_slots)::int + (SELECT count(*) FROM pg_publication)::int AS n')).rows[0].n);
  t.equal(created, 0, 'ni slot ni publicación');
});
