import t from 'tap';
import { withDatabaseName } from '../dev/embedded.js';
import { migrateAndFollow } from '../lib/run/follow-run.js';
import { withClient } from './helpers/database.js';
import { followableSource, followOptions, markedWrites, sameAsFreshRun } from './helpers/follow.js';

// A batch keeps the rows the stream brings up to a budget (8 MB; here 2 KB): one source
// transaction of a million inserts is taken in whole and must not sit in memory. Past the
// budget its rows are read at the source, and the target is what a fresh run writes.
t.test('a transaction past the rows budget is read at the source and written whole', async (t) => {
  const { server, source } = await followableSource(t, 200, ['destino', 'fresco']);
  const target = withDatabaseName(server.url, 'destino');
  const stop = new AbortController();
  const following = migrateAndFollow({ ...followOptions(source, target, stop.signal), streamedBudgetBytes: 2048 });
  const write = markedWrites(source, target);
  await write('SELECT 1');
  await write(`BEGIN;
    INSERT INTO messages (id, conversation_id, user_id, message_type, content, processing_status, metadata)
      SELECT md5('grande ' || g)::uuid, md5('conversación grande')::uuid, u.id, 'text', 'mensaje ' || g || E'\\tcon tab', 'pending', '{}'
        FROM generate_series(1, 300) g, LATERAL (SELECT id FROM users ORDER BY id OFFSET g % 40 LIMIT 1) u;
    UPDATE messages SET content = 'cambiado en la misma transacción' WHERE id = md5('grande 1')::uuid;
    DELETE FROM messages WHERE id = md5('grande 2')::uuid;
    COMMIT`);
  stop.abort();
  const result = await following;
  t.ok(result.follow !== null && result.follow.changes >= 302, `el seguimiento aplicó la transacción (${result.follow?.changes} cambios)`);
  const written = await withClient(target, async (c) => (await c.query<{ n: number }>("SELECT count(*)::int AS n FROM mensajes WHERE conversacion_id = md5('conversación grande')::uuid")).rows[0]!.n);
  t.ok(written > 250, `sus mensajes están en el destino (${written} de 299; los de usuarios sin teléfono, rechazados)`);
  await sameAsFreshRun(t, source, target, withDatabaseName(server.url, 'fresco'));
});
