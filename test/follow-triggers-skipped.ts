// With --triggers skip, the follow mode's changes do not fire the target's triggers
// either (the application already handled them on the source: a webhook would send each
// new message a second time), and every batch leaves each trigger as it found it.
import t from 'tap';
import { withDatabaseName } from '../dev/embedded.js';
import { migrateAndFollow } from '../lib/run/follow-run.js';
import { createTableSql } from '../lib/schema/ddl.js';
import { mensajes } from '../transforms/mensajes.js';
import { withClient } from './helpers/database.js';
import { followOptions, followableSource, markedWrites } from './helpers/follow.js';

t.test('followed changes do not fire a target trigger under --triggers skip', async (t) => {
  const { server, source } = await followableSource(t, 50, ['destino']);
  const target = withDatabaseName(server.url, 'destino');
  await withClient(target, (c) =>
    c.query(`${createTableSql(mensajes)};
      CREATE TABLE disparos (mensaje UUID);
      CREATE FUNCTION anota() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN INSERT INTO disparos VALUES (NEW.id); RETURN NEW; END $$;
      CREATE TRIGGER avisa AFTER INSERT OR UPDATE ON mensajes FOR EACH ROW EXECUTE FUNCTION anota();`),
  );
  const stop = new AbortController();
  const following = migrateAndFollow({ ...followOptions(source, target, stop.signal), triggers: 'skip' });
  const write = markedWrites(source, target);
  const user = await withClient(source, async (c) => (await c.query<{ id: string }>("SELECT id::text AS id FROM users WHERE phone_number LIKE '+5939%' LIMIT 1")).rows[0]!.id);
  const fresh = '66666666-0000-4000-8000-000000000001';
  await write(`INSERT INTO messages (id, user_id, message_type, content) VALUES ('${fresh}', '${user}', 'text', 'llegó durante el seguimiento')`);
  await write(`UPDATE messages SET content = 'editado' WHERE id = '${fresh}'`);
  stop.abort();
  const result = await following;
  t.ok(result.summary?.ok, 'la copia terminó');

  await withClient(target, async (c) => {
    t.equal((await c.query("SELECT contenido FROM mensajes WHERE id = $1", [fresh])).rows[0]?.contenido, 'editado', 'el cambio seguido está en el destino');
    t.equal((await c.query('SELECT count(*)::int AS n FROM disparos')).rows[0].n, 0, 'ningún disparo, ni por la copia ni por los cambios');
    t.equal((await c.query("SELECT tgenabled FROM pg_trigger WHERE tgname = 'avisa'")).rows[0].tgenabled, 'O', 'el disparador sigue activo');
    t.equal((await c.query('SELECT omite_disparadores FROM copiar_tablas.seguimiento')).rows[0].omite_disparadores, true, 'la elección queda con el seguimiento, para cutover');
  });
});
