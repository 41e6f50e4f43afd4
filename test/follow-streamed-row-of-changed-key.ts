import t from 'tap';
import { withDatabaseName } from '../dev/embedded.js';
import { migrateAndFollow } from '../lib/run/follow-run.js';
import { withClient } from './helpers/database.js';
import { followableSource, followOptions, markedWrites, sameAsFreshRun } from './helpers/follow.js';

// A message's row comes with the stream, but a user whose unusable phone is repaired has
// the rows of their messages read at the source (recompute.ts, the changed key). A message
// of that user updated in the same transaction is both: read twice, it went twice into the
// comparison and twice into mensajes, and the follow stopped on the primary key.
t.test('a message updated with its user phone repair is written once', async (t) => {
  const { server, source } = await followableSource(t, 300, ['destino', 'fresco']);
  const target = withDatabaseName(server.url, 'destino');
  // Before the follow: a user with messages loses their phone (the messages are rejected).
  const { message, user } = await withClient(source, async (c) => {
    const { rows } = await c.query<{ message: string; user: string }>('SELECT id::text AS message, user_id::text AS user FROM messages WHERE user_id IS NOT NULL ORDER BY id LIMIT 1');
    await c.query('UPDATE users SET phone_number = NULL WHERE id = $1', [rows[0]!.user]);
    return rows[0]!;
  });
  const stop = new AbortController();
  const following = migrateAndFollow(followOptions(source, target, stop.signal));
  const write = markedWrites(source, target);
  await write('SELECT 1');
  t.equal(await withClient(target, async (c) => (await c.query('SELECT 1 FROM mensajes WHERE id = $1', [message])).rows.length), 0, 'el mensaje de un usuario sin teléfono no está en el destino');

  await write(`BEGIN;
    UPDATE users SET phone_number = '+593991234567' WHERE id = '${user}';
    UPDATE messages SET content = 'su usuario ya tiene teléfono' WHERE id = '${message}';
    COMMIT`);
  stop.abort();
  const result = await following;
  t.ok(result.follow !== null && result.follow.changes > 0, 'el seguimiento aplicó la transacción y siguió');
  t.same(
    await withClient(target, async (c) => (await c.query('SELECT telefono, contenido FROM mensajes WHERE id = $1', [message])).rows),
    [{ telefono: '+593991234567', contenido: 'su usuario ya tiene teléfono' }],
    'el mensaje está una vez, con el teléfono nuevo y el contenido nuevo',
  );
  await sameAsFreshRun(t, source, target, withDatabaseName(server.url, 'fresco'));
});
