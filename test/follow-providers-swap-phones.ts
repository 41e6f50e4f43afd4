import t from 'tap';
import { withDatabaseName } from '../dev/embedded.js';
import { migrateAndFollow } from '../lib/run/follow-run.js';
import { withClient } from './helpers/database.js';
import { followableSource, followOptions, markedWrites, sameAsFreshRun } from './helpers/follow.js';

// Two providers that exchange phones in one source transaction: the recompute's UPDATE
// gives the first the second's phone while the second still holds it, and the unique
// index of proveedores stops it. The rows are then deleted (their professions and
// services go with them, ON DELETE CASCADE) and written again (recompute.ts,
// updateAndInsert). That path runs in one round trip with the savepoint around the UPDATE,
// and what the batch learns there (the children gone, the columns that changed, which
// the tables reading proveedores act on) must survive the error that aborts the trip.
t.test('two providers that exchange phones in one transaction are written with each other\'s phone, their children kept', async (t) => {
  const { server, source } = await followableSource(t, 300, ['destino', 'fresco']);
  const target = withDatabaseName(server.url, 'destino');
  const stop = new AbortController();
  const following = migrateAndFollow(followOptions(source, target, stop.signal));
  const write = markedWrites(source, target);
  await write('SELECT 1');

  // Two providers the target holds, both with professions or services.
  const [a, b] = await withClient(target, async (c) =>
    (
      await c.query<{ id: string; telefono: string }>(
        `SELECT p.id::text AS id, p.telefono FROM proveedores p
          WHERE EXISTS (SELECT 1 FROM proveedor_profesiones x WHERE x.proveedor_id = p.id) OR EXISTS (SELECT 1 FROM servicios_proveedor x WHERE x.proveedor_id = p.id)
          ORDER BY p.id LIMIT 2`,
      )
    ).rows,
  );
  t.ok(a !== undefined && b !== undefined, 'dos proveedores con hijos en el destino');
  const children = (): Promise<string[]> =>
    withClient(target, async (c) =>
      (
        await c.query<{ r: string }>(
          `SELECT 'profesion ' || id || ' ' || proveedor_id AS r FROM proveedor_profesiones WHERE proveedor_id = ANY($1::uuid[])
           UNION ALL SELECT 'servicio ' || id || ' ' || proveedor_id FROM servicios_proveedor WHERE proveedor_id = ANY($1::uuid[]) ORDER BY 1`,
          [[a!.id, b!.id]],
        )
      ).rows.map((r) => r.r),
    );
  const before = await children();
  t.ok(before.length > 0, 'con profesiones o servicios');

  await write(`UPDATE users SET phone_number = CASE id WHEN '${a!.id}' THEN '${b!.telefono}' ELSE '${a!.telefono}' END, updated_at = now() WHERE id IN ('${a!.id}', '${b!.id}')`);
  const phones = await withClient(target, async (c) => Object.fromEntries((await c.query<{ id: string; telefono: string }>('SELECT id::text AS id, telefono FROM proveedores WHERE id = ANY($1::uuid[])', [[a!.id, b!.id]])).rows.map((r) => [r.id, r.telefono])));
  t.same(phones, { [a!.id]: b!.telefono, [b!.id]: a!.telefono }, 'cada uno con el teléfono del otro');
  t.same(await children(), before, 'sus profesiones y servicios, los mismos');

  stop.abort();
  const result = await following;
  t.ok(result.follow !== null && result.follow.changes > 0, 'el seguimiento aplicó los cambios');
  await sameAsFreshRun(t, source, target, withDatabaseName(server.url, 'fresco'));
});
