import t from 'tap';
import { withDatabaseName } from '../dev/embedded.js';
import { applyBatch } from '../lib/follow/apply.js';
import { withClient } from './helpers/database.js';
import { sameAsFreshRun, sourceLsnNow, stoppedFollow, usersUpdateBatch, withApplyContext } from './helpers/follow.js';

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
  const batchEnd = await sourceLsnNow(source);
  // After the batch, already visible to its read: the mover takes the holder's phone, newer again.
  await update(mover, holderPhone, 3);
  const afterEnd = await sourceLsnNow(source);

  await withApplyContext(source, target, options.reportDir!, async (context) => {
    const first = await applyBatch(context, usersUpdateBatch(taker, batchEnd));
    t.ok(first !== null, 'el lote se aplica (antes: clave duplicada en proveedores_telefono_key)');
    const held = await withClient(target, async (c) => (await c.query<{ id: string }>('SELECT id::text AS id FROM proveedores WHERE id = ANY($1::uuid[]) ORDER BY id', [written])).rows.map((r) => r.id));
    t.same(held, [taker, mover].sort(), 'el que tomó el teléfono y el que se movió al del tercero quedan; el tercero pierde su grupo');
    await applyBatch(context, usersUpdateBatch(mover, afterEnd));
  });
  await sameAsFreshRun(t, source, target, withDatabaseName(server.url, 'fresco'));
});
