import pg from 'pg';
import t from 'tap';
import { withDatabaseName } from '../dev/embedded.js';
import { migrateAndFollow } from '../lib/run/follow-run.js';
import { withClient } from './helpers/database.js';
import { followableSource, followOptions, markedWrites, sameAsFreshRun } from './helpers/follow.js';
import { waitFor } from './helpers/generated.js';

// The stream sends a transaction's commit once its WAL is flushed, but other sessions see
// the transaction only a moment later, when its backend ends it; with a synchronous standby
// that moment waits for the standby. A batch applied in between read the source without the
// transaction and was acknowledged: its change was lost for good. Here the standby never
// answers, so the commit stays invisible until synchronous replication is switched off.
t.test('a change whose commit is streamed before it is visible is applied once visible', async (t) => {
  const { server, source } = await followableSource(t, 100, ['destino', 'fresco']);
  const target = withDatabaseName(server.url, 'destino');
  const stop = new AbortController();
  const following = migrateAndFollow(followOptions(source, target, stop.signal));
  await markedWrites(source, target)('SELECT 1');

  // A standby that never answers, waited for by the writer's session alone (the target is on the same server).
  const synchronous = (on: boolean): Promise<unknown> =>
    withClient(source, async (c) => {
      for (const setting of ['synchronous_standby_names', 'synchronous_commit']) {
        await c.query(on ? `ALTER SYSTEM SET ${setting} = '${setting === 'synchronous_commit' ? 'local' : 'espera_eterna'}'` : `ALTER SYSTEM RESET ${setting}`);
      }
      await c.query('SELECT pg_reload_conf()');
    });
  await synchronous(true);
  const id = '77777777-0000-4000-8000-000000000001';
  const writer = new pg.Client({ connectionString: source });
  await writer.connect();
  await writer.query('SET synchronous_commit = on');
  t.teardown(() => writer.end());
  const walBefore = await withClient(source, async (c) => (await c.query<{ lsn: string }>('SELECT pg_current_wal_lsn()::text AS lsn')).rows[0]!.lsn);
  // Committed and streamed, yet invisible to the follower's reads while it waits for the standby.
  const waiting = writer.query(`INSERT INTO messages (id, user_id, message_type, content) SELECT '${id}', id, 'text', 'esperando al standby' FROM users WHERE phone_number LIKE '+5939%' LIMIT 1`);
  await waitFor('el commit en espera del standby', () => withClient(source, async (c) => (await c.query("SELECT 1 FROM pg_stat_activity WHERE wait_event = 'SyncRep'")).rows.length > 0));
  // Long enough for the follower to receive the commit and apply a batch with it.
  await new Promise((resolve) => setTimeout(resolve, 1_500));
  const recordedPast = await withClient(target, async (c) =>
    (await c.query<{ past: boolean }>("SELECT lsn > $1::pg_lsn AS past FROM copiar_tablas.seguimiento WHERE nombre = 'copiar_tablas'", [walBefore])).rows[0]!.past,
  );
  t.equal(recordedPast, false, 'ningún lote se da por aplicado pasado un commit que el origen aún no deja ver');

  await synchronous(false);
  await waiting;
  await waitFor('el mensaje, visible ya, en el destino', () => withClient(target, async (c) => (await c.query('SELECT 1 FROM mensajes WHERE id = $1', [id])).rows.length > 0), 15_000, 50);
  t.pass('el mensaje llega al destino en cuanto el origen lo deja ver');
  stop.abort();
  await following;
  await sameAsFreshRun(t, source, target, withDatabaseName(server.url, 'fresco'));
});
