import t from 'tap';
import { withDatabaseName } from '../dev/embedded.js';
import { applyBatch } from '../lib/follow/apply.js';
import { withClient } from './helpers/database.js';
import { sameAsFreshRun, sourceLsnNow, stoppedFollow, usersUpdateBatch, withApplyContext } from './helpers/follow.js';

// Found by `npm run soak` (six writers, duplicate key on proveedores_telefono_key, seconds
// after the follower was killed and resumed: the source had run ahead of the stream). A
// batch pulls in the providers that claim the keys its changes touch, and reads them as
// they are now, past the batch. One that is no longer a provider by now (or is gone) is
// neither written nor rejected; its claim was dropped, but its row stayed in the target
// with the phone, and the provider that took that phone collided with it.
t.test('a group member that left the table after the batch leaves the target with its claim', async (t) => {
  const { server, source, target, options } = await stoppedFollow(t, 200);

  const written = await withClient(target, async (c) => (await c.query<{ id: string }>('SELECT id::text AS id FROM proveedores ORDER BY id LIMIT 2')).rows.map((r) => r.id));
  t.equal(written.length, 2, 'dos proveedores escritos');
  const [taker, leaver] = written as [string, string];
  const leaverPhone = await withClient(source, async (c) => (await c.query<{ p: string }>('SELECT phone_number AS p FROM users WHERE id = $1', [leaver])).rows[0]!.p);
  // In the batch: `taker` takes the leaver's phone, newer, so it wins that group.
  await withClient(source, (c) => c.query("UPDATE users SET phone_number = $2, updated_at = now() + interval '2 days' WHERE id = $1", [taker, leaverPhone]));
  const batchEnd = await sourceLsnNow(source);
  // After the batch, already visible to its read: the leaver stops being a provider.
  await withClient(source, (c) => c.query("UPDATE users SET user_type = 'customer', updated_at = now() + interval '3 days' WHERE id = $1", [leaver]));
  const afterEnd = await sourceLsnNow(source);

  await withApplyContext(source, target, options.reportDir!, async (context) => {
    const first = await applyBatch(context, usersUpdateBatch(taker, batchEnd));
    t.ok(first !== null, 'el lote se aplica (antes: clave duplicada en proveedores_telefono_key)');
    const held = await withClient(target, async (c) => (await c.query<{ id: string }>('SELECT id::text AS id FROM proveedores WHERE id = ANY($1::uuid[])', [written])).rows);
    t.same(held.map((r) => r.id), [taker], 'el que ya no es proveedor sale del destino; el que tomó su teléfono queda');
    await applyBatch(context, usersUpdateBatch(leaver, afterEnd));
  });
  await sameAsFreshRun(t, source, target, withDatabaseName(server.url, 'fresco'));
});
