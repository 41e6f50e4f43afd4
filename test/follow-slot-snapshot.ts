import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import t from 'tap';
import { startEmbedded, withDatabaseName } from '../dev/embedded.js';
import { generateLegacy } from '../dev/generate-legacy.js';
import { createFollowStart, dropFollow } from '../lib/follow/slot.js';
import { FOLLOW_NAME } from '../lib/follow/requirements.js';
import { migrate } from '../lib/run/migrate.js';
import { TABLES } from '../transforms/index.js';
import { withClient } from './helpers/database.js';

// The bulk copy and the stream of changes must meet exactly: what the slot's exported
// snapshot shows, plus what the slot streams after its consistent point, is every row once.
t.test('the run copies in the snapshot the slot exports: a row written after it is in the stream, not in the copy', async (t) => {
  const server = await startEmbedded({ flags: ['-c', 'wal_level=logical'] });
  t.teardown(() => server.stop());
  await withClient(server.url, (c) => c.query('CREATE DATABASE origen'));
  const url = withDatabaseName(server.url, 'origen');
  await generateLegacy(url, { messages: 300 });
  await withClient(url, (c) => c.query('ALTER TABLE customers REPLICA IDENTITY FULL'));

  const start = await createFollowStart({ url }, TABLES);
  t.match(start.lsn, /^[0-9A-F]+\/[0-9A-F]+$/);
  // Written after the slot: the stream carries it, the copy must not.
  await withClient(url, (writer) => writer.query("INSERT INTO messages (id, content, user_id) SELECT '00000000-0000-4000-8000-00000000abcd', 'después del slot', id FROM users LIMIT 1"));
  await withClient(server.url, (c) => c.query('CREATE DATABASE destino'));
  const summary = await migrate({
    catalog: TABLES,
    sourceUrl: url,
    targetUrl: withDatabaseName(server.url, 'destino'),
    reportDir: mkdtempSync(path.join(tmpdir(), 'seguir-')),
    snapshot: start.snapshot,
    onSnapshot: () => start.release(),
  });
  t.ok(summary.ok, JSON.stringify(summary.tables));
  t.equal(summary.tables.mensajes?.read, 300, 'la copia lee la instantánea del slot: sin la fila escrita después');
  const streamed = await withClient(url, async (c) => {
    const { rows } = await c.query<{ lsn: string; data: Buffer }>(
      "SELECT lsn::text AS lsn, data FROM pg_logical_slot_peek_binary_changes($1::name, NULL, NULL, 'proto_version', '1', 'publication_names', $2::text)",
      [FOLLOW_NAME, FOLLOW_NAME],
    );
    return rows;
  });
  const inserts = streamed.filter((r) => r.data[0] === 'I'.charCodeAt(0));
  t.equal(inserts.length, 1, 'el flujo trae la fila escrita después, una vez');
  t.ok(inserts[0]!.data.includes(Buffer.from('00000000-0000-4000-8000-00000000abcd')), 'con su id');
  t.ok(inserts[0]!.data.includes(Buffer.from('después del slot')), 'y con sus valores: el seguidor escribe la fila desde el flujo');

  t.same(await dropFollow({ url }), { slot: true, publication: true }, 'borra el slot y la publicación');
  t.same(await dropFollow({ url }), { slot: false, publication: false }, 'y una segunda vez no hay nada');
  const left = await withClient(url, async (c) => (await c.query('SELECT (SELECT count(*) FROM pg_replication_slots)::int + (SELECT count(*) FROM pg_publication)::int AS n')).rows[0].n);
  t.equal(left, 0, 'nada queda en el origen');
});
