import { readFileSync } from 'node:fs';
import t from 'tap';
import { withDatabaseName } from '../dev/embedded.js';
import { rejectCsvPath } from '../lib/rejects/paths.js';
import { migrateAndFollow } from '../lib/run/follow-run.js';
import { withClient } from './helpers/database.js';
import { followableSource, followOptions, sameAsFreshRun, markedWrites } from './helpers/follow.js';


// A proveedor that goes (its phone's group is won by a newer user) takes its services and
// professions with it, and they come back with it: the follow recomputes only the rows
// that reference the proveedores that came or went (scopes.ts, readsByReference).
t.test('services and professions of a proveedor that goes and comes back follow it', async (t) => {
  const { server, source } = await followableSource(t, 300, ['destino', 'fresco']);
  const target = withDatabaseName(server.url, 'destino');
  const stop = new AbortController();
  const options = followOptions(source, target, stop.signal);
  const following = migrateAndFollow(options);
  const write = markedWrites(source, target);
  const children = (provider: string): Promise<{ servicios: number; profesiones: number }> =>
    withClient(target, async (c) => ({
      servicios: (await c.query('SELECT 1 FROM servicios_proveedor WHERE proveedor_id = $1', [provider])).rows.length,
      profesiones: (await c.query('SELECT 1 FROM proveedor_profesiones WHERE proveedor_id = $1', [provider])).rows.length,
    }));
  /** The other services with their xmin: a scope that reached them would delete, add or rewrite some. */
  const others = (provider: string): Promise<string[]> =>
    withClient(target, async (c) => (await c.query<{ r: string }>("SELECT id::text || ':' || xmin::text AS r FROM servicios_proveedor WHERE proveedor_id IS DISTINCT FROM $1 ORDER BY 1", [provider])).rows.map((r) => r.r));

  const older = '11111111-0000-4000-8000-000000000001';
  const newer = '11111111-0000-4000-8000-000000000002';
  const service = '33333333-0000-4000-8000-000000000001';
  const profession = await withClient(source, async (c) => (await c.query<{ id: number }>('SELECT id FROM professions ORDER BY id LIMIT 1')).rows[0]!.id);
  await write(`INSERT INTO users (id, phone_number, name, user_type, status, created_at, updated_at) VALUES ('${older}', '+593991234567', 'Antiguo', 'provider', 'active', now() - interval '2 days', now() - interval '2 days');
    INSERT INTO provider_services (id, provider_id, title, price_type, is_active) VALUES ('${service}', '${older}', 'Plomería', 'fixed', true);
    INSERT INTO provider_professions (provider_id, profession_id, is_primary, verification_status) VALUES ('${older}', ${profession}, true, 'verified')`);
  t.same(await children(older), { servicios: 1, profesiones: 1 }, 'el proveedor nuevo llega con su servicio y su profesión');
  const before = await others(older);

  await write(`INSERT INTO users (id, phone_number, name, user_type, status, created_at, updated_at) VALUES ('${newer}', '0991234567', 'Nuevo', 'provider', 'active', now(), now())`);
  t.same(await children(older), { servicios: 0, profesiones: 0 }, 'el proveedor que pierde su teléfono se lleva su servicio y su profesión');
  const rejects = readFileSync(rejectCsvPath(options.reportDir!, 'servicios_proveedor'), 'utf8');
  t.match(rejects, new RegExp(`proveedor_inexistente.*${service}|${service}.*proveedor_inexistente`), 'y el servicio queda rechazado por proveedor_inexistente');

  await write(`DELETE FROM users WHERE id = '${newer}'`);
  t.same(await children(older), { servicios: 1, profesiones: 1 }, 'el proveedor vuelve con su servicio y su profesión');
  t.same(await others(older), before, 'los servicios de los demás proveedores siguen como estaban');

  stop.abort();
  const result = await following;
  t.ok(result.follow !== null && result.follow.changes > 0, 'el seguimiento aplicó los cambios');
  await sameAsFreshRun(t, source, target, withDatabaseName(server.url, 'fresco'));
});
