import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import t from 'tap';
import { migrate } from '../lib/run/migrate.js';
import { TABLES } from '../transforms/index.js';
import { withClient } from './helpers/database.js';
import { dirtyLegacyDatabase } from './helpers/fixture.js';

const NEW_PROVIDER = '00000000-0000-4000-8000-00000000abcd';

// The application keeps writing during the run: a new provider, its profession and a
// message arrive after the snapshot. Every table must see the same moment, so none of
// them appears, and no row points at a provider another table did not see.
t.test('writes to the source during a run do not break cross-table consistency', async (t) => {
  const url = await dirtyLegacyDatabase(t);
  const summary = await migrate({ catalog: TABLES,
    sourceUrl: url,
    targetUrl: url,
    reportDir: mkdtempSync(path.join(tmpdir(), 'informe-')),
    onSnapshot: () =>
      withClient(url, async (c) => {
        await c.query(`INSERT INTO users (id, phone_number, name, user_type, updated_at) VALUES ($1, '0981112233', 'Nuevo', 'provider', now())`, [NEW_PROVIDER]);
        await c.query(`INSERT INTO provider_professions (id, provider_id, profession_id) VALUES (500, $1, 1)`, [NEW_PROVIDER]);
        await c.query(`INSERT INTO messages (id, user_id, message_type, content) VALUES (gen_random_uuid(), $1, 'text', 'hola')`, [NEW_PROVIDER]);
        await c.query(`DELETE FROM users WHERE id = '00000000-0000-4000-8000-000000000009'`);
      }),
  });
  t.ok(summary.ok);
  t.equal(summary.tables.proveedores!.read, 9, 'proveedores leídos en la instantánea');
  t.equal(summary.tables.proveedor_profesiones!.read, 11);
  t.equal(summary.tables.mensajes!.read, 4);
  await withClient(url, async (c) => {
    t.equal((await c.query('SELECT count(*)::int AS n FROM proveedores WHERE id = $1', [NEW_PROVIDER])).rows[0].n, 0);
    // The provider deleted after the snapshot is still there, and so are its rows elsewhere.
    t.equal((await c.query("SELECT count(*)::int AS n FROM proveedores WHERE id = '00000000-0000-4000-8000-000000000009'")).rows[0].n, 1);
    t.equal((await c.query("SELECT count(*)::int AS n FROM mensajes WHERE telefono = '+14155550100'")).rows[0].n, 1);
    t.equal((await c.query("SELECT count(*)::int AS n FROM proveedor_profesiones WHERE proveedor_id = '00000000-0000-4000-8000-000000000009'")).rows[0].n, 1);
  });
  // The next run reads the new moment.
  const next = await migrate({ catalog: TABLES, sourceUrl: url, targetUrl: url, reportDir: mkdtempSync(path.join(tmpdir(), 'informe-')) });
  t.equal(next.tables.proveedores!.read, 9, 'uno nuevo, uno borrado');
  await withClient(url, async (c) => {
    t.equal((await c.query('SELECT count(*)::int AS n FROM proveedor_profesiones WHERE proveedor_id = $1', [NEW_PROVIDER])).rows[0].n, 1);
  });
});
