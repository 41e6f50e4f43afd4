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
// answers, so the commit stays invisible until synchronous replication is switched off;
// a stop in the meantime ends the follow at once, and --resume reads the batch again.
t.test('a change whose commit is streamed before it is visible is applied once visible, and a stop does not wait for it', async (t) => {
  const { server, source } = await followableSource(t, 100, ['destino', 'fresco']);
  const target = withDatabaseName(server.url, 'destino');
  const first = new AbortController();
  const options = followOptions(source, target, first.signal);
  const following = migrateAndFollow(options);
  await markedWrites(source, target)('SELECT 1');

  // A standby that never answers, waited for by the writer's session alone (the target is on the same server).
  const synchronous = (on: boolean): Promise<unknown> =>
    withClient(source, async (c) => {
      for (const setting of ['synchronous_standby_names', 'synchronous_commit']) {
        await c.query(on ? `ALTER SYSTEM SET ${setting} = '${setting === 'synchronous_commit' ? 'local' : 'espera_eterna'}'` : `ALTER SYSTEM RESET ${setting}`);
      }
      await c.query('SELECT pg_reload_conf()');
    });
  const writer = new pg.Client({ connectionString: source });
  await writer.connect();
  await writer.query('SET synchronous_commit = on');
  t.teardown(() => writer.end());
  const recordedPast = (lsn: string): Promise<boolean> =>
    withClient(target, async (c) => (await c.query<{ past: boolean }>("SELECT lsn > $1::pg_lsn AS past FROM copiar_tablas.seguimiento WHERE nombre = 'copiar_tablas'", [lsn])).rows[0]!.past);
  const arrived = (id: string): Promise<boolean> => withClient(target, async (c) => (await c.query('SELECT 1 FROM mensajes WHERE id = $1', [id])).rows.length > 0);
  /** Commits a message and leaves it waiting for the standby: streamed, yet invisible to the follower's reads. */
  const invisibleWrite = async (id: string): Promise<{ walBefore: string; waiting: Promise<unknown> }> => {
    await synchronous(true);
    const walBefore = await withClient(source, async (c) => (await c.query<{ lsn: string }>('SELECT pg_current_wal_lsn()::text AS lsn')).rows[0]!.lsn);
    const waiting = writer.query(`INSERT INTO messages (id, user_id, message_type, content) SELECT '${id}', id, 'text', 'esperando al standby' FROM users WHERE phone_number LIKE '+5939%' LIMIT 1`);
    await waitFor('el commit en espera del standby', () => withClient(source, async (c) => (await c.query("SELECT 1 FROM pg_stat_activity WHERE wait_event = 'SyncRep'")).rows.length > 0));
    // Long enough for the follower to receive the commit and apply a batch with it.
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    return { walBefore, waiting };
  };

  const one = '77777777-0000-4000-8000-000000000001';
  const firstWrite = await invisibleWrite(one);
  t.equal(await recordedPast(firstWrite.walBefore), false, 'ningún lote se da por aplicado pasado un commit que el origen aún no deja ver');
  await synchronous(false);
  await firstWrite.waiting;
  await waitFor('el mensaje, visible ya, en el destino', () => arrived(one), 15_000, 50);
  t.pass('el mensaje llega al destino en cuanto el origen lo deja ver');

  // Stopped while the follower waits for the source to show a batch: it stops now, without it.
  const two = '77777777-0000-4000-8000-000000000002';
  const secondWrite = await invisibleWrite(two);
  first.abort();
  const ended = await Promise.race([following.then(() => true), new Promise<boolean>((resolve) => setTimeout(() => resolve(false), 10_000))]);
  t.ok(ended, 'la parada no espera al standby');
  t.equal(await recordedPast(secondWrite.walBefore), false, 'y no da por aplicado el lote que no pudo leer');
  await synchronous(false);
  await secondWrite.waiting;
  const result = await following;
  t.ok(result.follow !== null && !result.follow.drained, 'el seguimiento termina parado');

  const second = new AbortController();
  const resumed = migrateAndFollow({ ...options, signal: second.signal, resume: true });
  await waitFor('el mensaje, tras --resume, en el destino', () => arrived(two), 15_000, 50);
  t.pass('al continuar, el lote se lee de nuevo y el mensaje llega');
  second.abort();
  await resumed;
  await sameAsFreshRun(t, source, target, withDatabaseName(server.url, 'fresco'));
});
