import t from 'tap';
import { withDatabaseName } from '../dev/embedded.js';
import { migrateAndFollow } from '../lib/run/follow-run.js';
import { withClient } from './helpers/database.js';
import { followableSource, followOptions, sameAsFreshRun, markedWrites } from './helpers/follow.js';


// proveedores and profesiones keep one row per phone / name and follow by group: a change
// recomputes the rows that claim the keys it leaves and joins (follow/groups.ts). Each
// write below is applied in a batch of its own, so the group it leaves is only known from
// the claims recorded by earlier batches.
t.test('a group whose winner leaves, in a later batch than the one that made it win, is won by its next row', async (t) => {
  const { server, source } = await followableSource(t, 300, ['destino', 'fresco']);
  const target = withDatabaseName(server.url, 'destino');
  const stop = new AbortController();
  const following = migrateAndFollow(followOptions(source, target, stop.signal));
  const write = markedWrites(source, target);
  const provider = (id: string): Promise<string | null> => withClient(target, async (c) => (await c.query<{ telefono: string }>('SELECT telefono FROM proveedores WHERE id = $1', [id])).rows[0]?.telefono ?? null);
  const profession = (name: string): Promise<number[]> => withClient(target, async (c) => (await c.query<{ id: number }>('SELECT id FROM profesiones WHERE nombre = $1', [name])).rows.map((r) => r.id));

  const older = '11111111-0000-4000-8000-000000000001';
  const newer = '11111111-0000-4000-8000-000000000002';
  await write(`INSERT INTO users (id, phone_number, name, user_type, status, created_at, updated_at) VALUES ('${older}', '+593991234567', 'Antiguo', 'provider', 'active', now() - interval '2 days', now() - interval '2 days')`);
  t.equal(await provider(older), '+593991234567', 'un proveedor nuevo se escribe');

  await write(`INSERT INTO users (id, phone_number, name, user_type, status, created_at, updated_at) VALUES ('${newer}', '0991234567', 'Nuevo', 'provider', 'active', now(), now())`);
  t.equal(await provider(newer), '+593991234567', 'un proveedor más nuevo con el mismo teléfono gana');
  t.equal(await provider(older), null, 'y el antiguo sale (duplicado)');

  await write(`UPDATE users SET phone_number = '0997654321' WHERE id = '${newer}'`);
  t.equal(await provider(newer), '+593997654321', 'el ganador cambia de teléfono');
  t.equal(await provider(older), '+593991234567', 'y el antiguo, que solo comparte el teléfono que dejó, vuelve');

  await write(`UPDATE users SET phone_number = '+593991234567' WHERE id = '${newer}'`);
  t.equal(await provider(older), null, 'el más nuevo vuelve al teléfono: el antiguo sale otra vez');

  await write(`DELETE FROM users WHERE id = '${newer}'`);
  t.equal(await provider(newer), null, 'el ganador borrado sale');
  t.equal(await provider(older), '+593991234567', 'y el antiguo vuelve');

  await write(`UPDATE users SET user_type = 'customer' WHERE id = '${older}'`);
  t.equal(await provider(older), null, 'un proveedor que deja de serlo sale');

  // profesiones: a repeated name keeps the smallest id.
  const [first, second] = await withClient(source, async (c) =>
    (await c.query<{ id: number }>("INSERT INTO professions (name, is_active) VALUES ('Vidriero', true), ('Vidriero', true) RETURNING id")).rows.map((r) => r.id),
  );
  await write('SELECT 1');
  t.same(await profession('Vidriero'), [first], 'de dos profesiones con el mismo nombre queda la de menor id');
  await write(`UPDATE professions SET name = 'Vidriero de autos' WHERE id = ${first}`);
  t.same(await profession('Vidriero'), [second], 'la ganadora cambia de nombre: la otra del grupo que dejó gana');

  stop.abort();
  const result = await following;
  t.ok(result.follow !== null && result.follow.changes > 0, 'el seguimiento aplicó los cambios');
  await sameAsFreshRun(t, source, target, withDatabaseName(server.url, 'fresco'));
});
