import type { StreamedMessage } from '../lib/follow/streamed-pgoutput.js';
import { buffer } from 'node:stream/consumers';
import { PgoutputPlugin } from 'pg-logical-replication';
import { ChangeBatch } from '../lib/follow/changes.js';
import { lsnText, lsnValue } from '../lib/follow/lsn.js';
import { sourceIdColumns } from '../lib/follow/table-follow-kinds.js';
import type pg from 'pg';
import t from 'tap';
import { preparedJoinFromValues, preparedValues } from '../lib/lookups/prepared-join.js';
import { createFollowStart, dropFollow } from '../lib/follow/slot.js';
import { FOLLOW_NAME } from '../lib/follow/requirements.js';
import { StreamedPgoutput, type StreamedChange } from '../lib/follow/streamed-pgoutput.js';
import { streamedCopyText, streamedTables, type StreamedRow } from '../lib/follow/streamed-rows.js';
import { connect } from '../lib/pg/connection.js';
import { CopyOutStream } from '../lib/pg/copy-out-stream.js';
import { copyOutQuery } from '../lib/table-spec/copy-sql.js';
import { TABLES } from '../transforms/index.js';
import { followableSource } from './helpers/follow.js';

const mensajes = TABLES.find((spec) => spec.target === 'mensajes')!;

/** The pgoutput messages the follow's slot holds, read without consuming them. */
async function slotChanges(session: pg.ClientBase): Promise<{ data: Buffer }[]> {
  const { rows } = await session.query<{ data: Buffer }>(
    "SELECT data FROM pg_logical_slot_peek_binary_changes($1::name, NULL, NULL, 'proto_version', '1', 'publication_names', $1::text)",
    [FOLLOW_NAME],
  );
  return rows;
}

// The follower writes a new message from the row the stream brought (streamed-pgoutput.ts),
// not from a read of the source: those bytes must be the ones the source's COPY of the
// table's SELECT sends for the same row, values that COPY escapes (tab, newline, carriage
// return, backslash), NULLs, JSON, timestamps and non-ASCII text included.
t.test('a streamed row is the COPY text the source sends for it', async (t) => {
  const { source } = await followableSource(t, 20);
  const start = await createFollowStart({ url: source }, TABLES);
  await start.release();
  t.teardown(() => dropFollow({ url: source }));
  const session = await connect({ url: source, role: 'origen', readOnly: false });
  t.teardown(() => session.end());

  const ids = ['aaaaaaaa-0000-4000-8000-000000000001', 'aaaaaaaa-0000-4000-8000-000000000002', 'aaaaaaaa-0000-4000-8000-000000000003'];
  const user = (await session.query<{ id: string }>('SELECT id::text AS id FROM users WHERE phone_number IS NOT NULL ORDER BY id LIMIT 1')).rows[0]!.id;
  await session.query(
    `INSERT INTO messages (id, conversation_id, user_id, message_type, content, media_url, ai_response, processing_status, metadata, "timestamp") VALUES
       ($1, $1, $4, 'text', E'una\\ttab, una\\nlínea, un \\\\ y un\\rretorno', NULL, 'ñandú 🦤', 'pending', '{"a": [1, "dos"], "b": null}', '2024-02-29 23:59:59.123456'),
       ($2, NULL, $4, 'image', '', 'https://x.ec/a b', NULL, NULL, NULL, NULL),
       ($3, $3, '99999999-0000-4000-8000-000000000000', 'audio', 'sin usuario', NULL, NULL, 'done', '{}', now())`,
    [...ids, user],
  );
  await session.query("UPDATE messages SET content = E'cambiado\\\\ de nuevo' WHERE id = $1", [ids[1]]);

  const changes = await slotChanges(session);
  const plugin = new StreamedPgoutput({ protoVersion: 1, publicationNames: [FOLLOW_NAME] }, streamedTables(TABLES));
  const rows = new Map<string, StreamedRow>();
  for (const { data } of changes) {
    const message = plugin.streamed(data) as StreamedMessage | StreamedChange;
    if ((message.tag === 'insert' || message.tag === 'update') && message.relation.name === 'messages') {
      t.ok('row' in message && message.row !== undefined, `${message.tag}: la fila entera llegó con el flujo`);
      rows.set(message.new.id as string, (message as StreamedChange).row!);
    }
  }
  t.same([...rows.keys()].sort(), ids, 'las tres filas, por su id');

  // Begin and commit, read here too: what the library's parser reads, the position as PostgreSQL writes it.
  const library = new PgoutputPlugin({ protoVersion: 1, publicationNames: [FOLLOW_NAME] });
  const ends = changes.filter(({ data }) => data[0] === 0x42 || data[0] === 0x43);
  t.ok(ends.length >= 4, 'comienzos y finales de transacción');
  for (const { data } of ends) {
    const ours = plugin.streamed(data);
    const theirs = library.parse(data);
    if (ours.tag === 'begin' && theirs.tag === 'begin') t.equal(ours.xid, theirs.xid, 'comienzo: la transacción');
    else if (ours.tag === 'commit' && theirs.tag === 'commit') {
      // The library's time is in microseconds, as a BigInt.
      t.same([ours.commitTimeMs, ours.commitEndLsn], [Number(theirs.commitTime) / 1000, lsnText(lsnValue(theirs.commitEndLsn!))], 'final: su hora y dónde termina');
    } else t.fail(`${ours.tag} leído como ${theirs.tag}`);
  }

  const values = await preparedValues(session, mensajes.source.prepared!, [user, '99999999-0000-4000-8000-000000000000']);
  const streamed = await buffer(streamedCopyText(ids.map((id) => rows.get(id)!), values));
  const copied = await buffer(
    session.query(
      new CopyOutStream(copyOutQuery({ ...mensajes, source: { ...mensajes.source, orderBy: 'm.id' } }, { preparedJoin: preparedJoinFromValues(mensajes.source.prepared!, values), rangeWhere: `m.id = ANY('{${ids.join(',')}}'::uuid[])` })),
    ),
  );
  t.equal(streamed.toString(), copied.toString(), 'los mismos bytes que el COPY del origen');
  t.equal(streamed.toString().split('\n').length, 4, 'tres filas');
});

// A follow started by an earlier copiar-tablas published the ids alone: resumed by this
// one, its changes still name their rows, and those rows are read at the source.
t.test('a publication of ids alone keeps no rows, and the changes still name them', async (t) => {
  const { source } = await followableSource(t, 20);
  const session = await connect({ url: source, role: 'origen', readOnly: false });
  t.teardown(() => session.end());
  await session.query(`CREATE PUBLICATION ${FOLLOW_NAME} FOR TABLE messages (id), users (id), task_queue (id)`);
  await session.query("SELECT pg_create_logical_replication_slot($1, 'pgoutput')", [FOLLOW_NAME]);
  t.teardown(() => dropFollow({ url: source }));
  const id = 'bbbbbbbb-0000-4000-8000-000000000001';
  await session.query("INSERT INTO messages (id, user_id, message_type, content) SELECT $1, id, 'text', 'hola' FROM users LIMIT 1", [id]);
  await session.query("UPDATE messages SET content = 'adiós' WHERE id = $1", [id]);
  await session.query('DELETE FROM messages WHERE id = $1', [id]);
  // A table without a prepared join (tareas_programadas): its missing columns are missing too.
  await session.query("INSERT INTO task_queue (id, task_type, status) VALUES ($1, 'reminder', 'pending')", [id]);
  const changes = await slotChanges(session);
  const plugin = new StreamedPgoutput({ protoVersion: 1, publicationNames: [FOLLOW_NAME] }, streamedTables(TABLES));
  const seen: string[] = [];
  for (const { data } of changes) {
    const message = plugin.streamed(data) as StreamedMessage | StreamedChange;
    if (message.tag !== 'insert' && message.tag !== 'update' && message.tag !== 'delete') continue;
    t.notOk('row' in message && message.row !== undefined, `${message.tag}: sin fila: se lee en el origen`);
    seen.push(`${message.tag} ${message.tag === 'delete' ? (message.key?.id as string) : (message.new.id as string)}`);
  }
  t.same(seen, [`insert ${id}`, `update ${id}`, `delete ${id}`, `insert ${id}`], 'cada cambio con su id');
});

// A table whose replica identity is another unique index: an update of that key sends
// the old key alone ('K'), the id's null there only a placeholder. Read as the library
// reads it, the change names its row by the new one; taken as a null id, it named no row
// and the whole table was recomputed.
t.test('a key tuple without the id names no row by it', async (t) => {
  const { source } = await followableSource(t, 20);
  const session = await connect({ url: source, role: 'origen', readOnly: false });
  t.teardown(() => session.end());
  await session.query("ALTER TABLE task_queue ADD COLUMN clave text NOT NULL DEFAULT gen_random_uuid()::text; CREATE UNIQUE INDEX task_queue_clave ON task_queue (clave); ALTER TABLE task_queue REPLICA IDENTITY USING INDEX task_queue_clave");
  const start = await createFollowStart({ url: source }, TABLES);
  await start.release();
  t.teardown(() => dropFollow({ url: source }));
  const id = 'cccccccc-0000-4000-8000-000000000001';
  await session.query("INSERT INTO task_queue (id, task_type, status) VALUES ($1, 'reminder', 'pending')", [id]);
  await session.query("UPDATE task_queue SET clave = 'otra', status = 'completed' WHERE id = $1", [id]);
  const changes = await slotChanges(session);
  const plugin = new StreamedPgoutput({ protoVersion: 1, publicationNames: [FOLLOW_NAME] }, streamedTables(TABLES));
  const batch = new ChangeBatch(sourceIdColumns(TABLES), { tables: new Set(['task_queue']), budgetBytes: 1 << 20 });
  let updates = 0;
  for (const { data } of changes) {
    const message = plugin.streamed(data);
    if (message.tag === 'update') {
      updates++;
      t.ok(message.key !== null && message.key.id === undefined, 'la clave vieja no trae el id');
    }
    batch.add(message);
  }
  t.equal(updates, 1);
  const tasks = batch.tables.get('task_queue')!;
  t.notOk(tasks.unnamed, 'el cambio nombra su fila: la tabla no se recalcula entera');
  t.same([...tasks.ids], [id]);
  t.ok(tasks.rows.get(id) !== undefined && tasks.rows.get(id) !== null, 'y la fila nueva llegó con el flujo');
});
