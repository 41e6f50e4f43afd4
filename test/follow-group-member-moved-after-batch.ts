import type { Pgoutput } from 'pg-logical-replication';
import t from 'tap';
import { withDatabaseName } from '../dev/embedded.js';
import { applyBatch, applyContext } from '../lib/follow/apply.js';
import { ChangeBatch } from '../lib/follow/changes.js';
import { recomputeSessions } from '../lib/follow/recompute.js';
import { sourceIdColumns } from '../lib/follow/scopes.js';
import { connect } from '../lib/pg/connection.js';
import { TABLES } from '../transforms/index.js';
import { withClient } from './helpers/database.js';
import { sameAsFreshRun, stoppedFollow } from './helpers/follow.js';

// Found by `npm run soak` (six writers, duplicate key on proveedores_telefono_key). A batch
// recomputes the rows of the keep-rule groups its changes leave and join, found by the
// keys they claimed; but it reads the source as it is now, past the batch. A provider
// pulled in because it held the key another one took may by now hold a third key (its
// change comes in the next batch): written with that key, it collided with the provider
// that holds it in the target, which nobody had pulled in.
t.test('a group member that moved to another key after the batch brings that key group along', async (t) => {
  const { server, source, target, options } = await stoppedFollow(t, 200);

  // Three providers the target holds, each alone with its phone.
  const written = await withClient(target, async (c) => (await c.query<{ id: string }>('SELECT id::text AS id FROM proveedores ORDER BY id LIMIT 3')).rows.map((r) => r.id));
  t.equal(written.length, 3, 'tres proveedores escritos');
  const [taker, mover, holder] = written as [string, string, string];
  const phoneOf = (id: string): Promise<string> => withClient(source, async (c) => (await c.query<{ p: string }>('SELECT phone_number AS p FROM users WHERE id = $1', [id])).rows[0]!.p);
  const [moverPhone, holderPhone] = [await phoneOf(mover), await phoneOf(holder)];
  const update = (id: string, phone: string, days: number): Promise<unknown> =>
    withClient(source, (c) => c.query(`UPDATE users SET phone_number = $2, updated_at = now() + interval '${days} days' WHERE id = $1`, [id, phone]));
  // In the batch: `taker` takes the mover's phone, newer, so it wins that group.
  await update(taker, moverPhone, 2);
  const batchEnd = await withClient(source, async (c) => (await c.query<{ lsn: string }>('SELECT pg_current_wal_lsn()::text AS lsn')).rows[0]!.lsn);
  // After the batch, already visible to its read: the mover takes the holder's phone, newer again.
  await update(mover, holderPhone, 3);
  const afterEnd = await withClient(source, async (c) => (await c.query<{ lsn: string }>('SELECT pg_current_wal_lsn()::text AS lsn')).rows[0]!.lsn);

  const batchOf = (id: string, lsn: string): ChangeBatch => {
    const batch = new ChangeBatch(sourceIdColumns(TABLES));
    batch.add({ tag: 'update', relation: { name: 'users' }, new: { id }, key: null, old: null } as unknown as Pgoutput.Message);
    batch.commit(lsn, Date.now());
    return batch;
  };
  const sourceSession = await connect({ url: source, role: 'origen', readOnly: true });
  const targetSession = await connect({ url: target, role: 'destino' });
  try {
    const context = applyContext(recomputeSessions(sourceSession, targetSession), TABLES, options.reportDir!);
    const first = await applyBatch(context, batchOf(taker, batchEnd));
    t.ok(first !== null, 'el lote se aplica (antes: clave duplicada en proveedores_telefono_key)');
    const held = await withClient(target, async (c) => (await c.query<{ id: string }>('SELECT id::text AS id FROM proveedores WHERE id = ANY($1::uuid[]) ORDER BY id', [written])).rows.map((r) => r.id));
    t.same(held, [taker, mover].sort(), 'el que tomó el teléfono y el que se movió al del tercero quedan; el tercero pierde su grupo');
    await applyBatch(context, batchOf(mover, afterEnd));
  } finally {
    await sourceSession.end();
    await targetSession.end();
  }
  await sameAsFreshRun(t, source, target, withDatabaseName(server.url, 'fresco'));
});
