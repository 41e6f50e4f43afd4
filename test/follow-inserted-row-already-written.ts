import type { StreamedMessage } from '../lib/follow/streamed-pgoutput.js';
import { readFileSync } from 'node:fs';
import t from 'tap';
import { withDatabaseName } from '../dev/embedded.js';
import { applyBatch, applyContext } from '../lib/follow/apply.js';
import { ChangeBatch } from '../lib/follow/changes.js';
import { recomputeSessions } from '../lib/follow/recompute.js';
import { sourceIdColumns } from '../lib/follow/table-follow-kinds.js';
import { connect } from '../lib/pg/connection.js';
import { rejectCsvPath } from '../lib/rejects/paths.js';
import { TABLES } from '../transforms/index.js';
import { withClient } from './helpers/database.js';
import { sameAsFreshRun, stoppedFollow } from './helpers/follow.js';

// New rows go straight into the target table (recompute.ts, copyFreshRows), but an
// inserted source row may already be there: an earlier batch that read the source after
// the insert (a recompute of its user's rows, a whole table) wrote it. Such a row must go
// through the comparison instead of a second COPY that breaks the primary key.
t.test('an inserted row the target already holds is compared, not copied twice', async (t) => {
  const { server, source, target, options } = await stoppedFollow(t, 200);

  const held = await withClient(target, async (c) => (await c.query<{ id: string }>('SELECT id::text AS id FROM mensajes ORDER BY id LIMIT 1')).rows[0]!.id);
  const heldBefore = await withClient(target, async (c) => (await c.query<{ r: string }>('SELECT m::text AS r FROM mensajes m WHERE id = $1', [held])).rows[0]!.r);
  const user = await withClient(source, async (c) => (await c.query<{ id: string }>("SELECT id::text AS id FROM users WHERE phone_number LIKE '+5939%' LIMIT 1")).rows[0]!.id);
  const fresh = '55555555-0000-4000-8000-000000000001';
  const gone = '55555555-0000-4000-8000-000000000002';
  const phoneless = '55555555-0000-4000-8000-000000000003';
  await withClient(source, (c) =>
    c.query(`INSERT INTO messages (id, user_id, message_type, content) VALUES ('${fresh}', '${user}', 'text', 'nuevo'), ('${phoneless}', '55555555-0000-4000-8000-00000000ffff', 'text', 'sin usuario');`),
  );

  // The stream's inserts: one row the target holds, one it does not, one gone again, one rejected.
  const batch = new ChangeBatch(sourceIdColumns(TABLES));
  for (const id of [held, fresh, gone, phoneless]) batch.add({ tag: 'insert', relation: { name: 'messages' }, new: { id } } as unknown as StreamedMessage);
  const lsn = await withClient(source, async (c) => (await c.query<{ lsn: string }>('SELECT pg_current_wal_lsn()::text AS lsn')).rows[0]!.lsn);
  batch.commit(lsn, Date.now());

  const sourceSession = await connect({ url: source, role: 'origen', readOnly: true });
  const targetSession = await connect({ url: target, role: 'destino' });
  // Closed before the server stops (the teardown that stops it comes first).
  const applied = await applyBatch(applyContext(recomputeSessions(sourceSession, targetSession), TABLES, options.reportDir!), batch).finally(async () => {
    await sourceSession.end();
    await targetSession.end();
  });
  const mensajes = applied?.find((a) => a.table === 'mensajes');
  t.same(mensajes, { table: 'mensajes', deleted: 0, updated: 0, inserted: 1, rejected: 1 }, 'una fila nueva, una rechazada; la que ya estaba no se copia otra vez');

  await withClient(target, async (c) => {
    const ids = (await c.query<{ id: string }>('SELECT id::text AS id FROM mensajes WHERE id = ANY($1::uuid[]) ORDER BY id', [[held, fresh, gone, phoneless]])).rows.map((r) => r.id);
    t.same(ids, [held, fresh].sort(), 'en el destino: la que estaba y la nueva');
    t.equal((await c.query<{ r: string }>('SELECT m::text AS r FROM mensajes m WHERE id = $1', [held])).rows[0]!.r, heldBefore, 'la que estaba sigue igual');
  });
  t.match(readFileSync(rejectCsvPath(options.reportDir!, 'mensajes'), 'utf8'), new RegExp(`telefono_faltante.*${phoneless}|${phoneless}.*telefono_faltante`), 'la nueva sin usuario va al CSV de rechazos');
  await sameAsFreshRun(t, source, target, withDatabaseName(server.url, 'fresco'));
});
