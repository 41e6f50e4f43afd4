import t from 'tap';
import { createFollowStart, dropFollow, publicationEntry } from '../lib/follow/slot.js';
import { FOLLOW_NAME } from '../lib/follow/requirements.js';
import { TABLES } from '../transforms/index.js';
import { withClient } from './helpers/database.js';
import { followableSource } from './helpers/follow.js';

// The follower reads of each changed row only what it uses: on PostgreSQL 15+ the
// publication lists the identity and id columns and, of a table whose rows it takes from
// the stream (messages), the columns those rows are written from; of users the id alone,
// so the source does not render and send every user's row. A table with REPLICA IDENTITY
// FULL must publish all.
t.test('a publication entry lists the identity and id columns where the server allows it', async (t) => {
  const messages = { table: 'messages', identity: 'd', columns: ['id'], idColumn: 'id' };
  t.equal(publicationEntry(messages, 150000), '"messages" ("id")');
  t.equal(publicationEntry({ ...messages, rowColumns: ['user_id', 'content', 'id'] }, 150000), '"messages" ("id", "user_id", "content")', 'las columnas de las filas que toma del flujo');
  t.equal(publicationEntry({ ...messages, table: 'task_queue', columns: ['task_key'] }, 180000), '"task_queue" ("task_key", "id")', 'la clave y el id que lee el seguidor');
  t.equal(publicationEntry(messages, 140011), '"messages"', 'PostgreSQL 14: sin lista de columnas');
  t.equal(publicationEntry({ ...messages, table: 'customers', identity: 'f', columns: [] }, 180000), '"customers"', 'REPLICA IDENTITY FULL: todas');
});

t.test('--follow publishes only the columns it reads: messages those of its rows, users their id, customers all of theirs', async (t) => {
  const { source } = await followableSource(t, 50);
  const start = await createFollowStart({ url: source }, TABLES);
  t.teardown(async () => {
    await start.release();
    await dropFollow({ url: source });
  });
  const columns = await withClient(source, async (c) => {
    const { rows } = await c.query<{ tablename: string; attnames: string[] }>('SELECT tablename, attnames::text[] AS attnames FROM pg_publication_tables WHERE pubname = $1', [FOLLOW_NAME]);
    return new Map(rows.map((r) => [r.tablename, [...r.attnames].sort()]));
  });
  const messages = [...new Set(TABLES.find((spec) => spec.target === 'mensajes')!.source.columns)].sort();
  t.same(columns.get('messages'), messages, 'messages: las columnas que lee mensajes');
  t.same(columns.get('users'), ['id']);
  const customers = await withClient(source, async (c) => (await c.query<{ attname: string }>("SELECT attname FROM pg_attribute WHERE attrelid = 'customers'::regclass AND attnum > 0 AND NOT attisdropped")).rows.map((r) => r.attname).sort());
  t.same(columns.get('customers'), customers, 'customers, con REPLICA IDENTITY FULL, publica todas sus columnas');
});
