import t from 'tap';
import { withDatabaseName } from '../dev/embedded.js';
import { migrateAndFollow } from '../lib/run/follow-run.js';
import { withClient } from './helpers/database.js';
import { followableSource, followOptions, markedWrites } from './helpers/follow.js';
import { waitFor } from './helpers/generated.js';

// A follow that ends leaves no replication connection behind. A stop that came while the
// stream was still connecting left one streaming after the follow returned: the slot
// stayed active (a cutover could not drop it) and the source's shutdown waited a minute.
t.test('a stopped follow leaves no walsender and an inactive slot', async (t) => {
  const { server, source } = await followableSource(t, 100, ['destino']);
  const target = withDatabaseName(server.url, 'destino');
  /** Walsenders of copiar-tablas and whether the slot is in use; a closing one may take a moment to go. */
  const released = (): Promise<boolean> =>
    waitFor(
      'el fin de la conexión de replicación',
      () =>
        withClient(source, async (c) => {
          const senders = await c.query("SELECT 1 FROM pg_stat_replication WHERE application_name = 'copiar-tablas'");
          const slot = await c.query<{ active: boolean }>("SELECT active FROM pg_replication_slots WHERE slot_name = 'copiar_tablas'");
          return senders.rows.length === 0 && slot.rows[0]?.active === false;
        }),
      3_000,
      50,
    ).then(
      () => true,
      () => false,
    );

  // Stopped as soon as the bulk copy has written (the stream is then still connecting).
  const early = new AbortController();
  const first = migrateAndFollow(followOptions(source, target, early.signal));
  const write = markedWrites(source, target);
  await write('SELECT 1');
  early.abort();
  await first;
  t.ok(await released(), 'parado al empezar: ni walsender ni slot en uso');

  // Stopped after applying changes, with the stream running.
  const late = new AbortController();
  const second = migrateAndFollow({ ...followOptions(source, target, late.signal), resume: true });
  await write("UPDATE messages SET content = 'editado' WHERE id = (SELECT id FROM messages ORDER BY id LIMIT 1)");
  await write("INSERT INTO messages (id, message_type, content) VALUES ('66666666-0000-4000-8000-000000000001', 'text', 'nuevo')");
  late.abort();
  const result = await second;
  t.ok(result.follow !== null && result.follow.changes > 0, 'el segundo seguimiento aplicó cambios');
  t.ok(await released(), 'parado al seguir: ni walsender ni slot en uso');
});
