import t from 'tap';
import { connectAll } from '../lib/pg/connection.js';
import { freshDatabase, withClient, withDatabase } from './helpers/database.js';

const sessionsOf = (url: string, database: string): Promise<number> =>
  withClient(url, async (c) => (await c.query<{ n: number }>('SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()', [database])).rows[0]!.n);

// A follow and a cutover open their sessions at once: all of them, or none left open
// behind the first that failed.
t.test('sessions opened at once come back in order, or none stays open when one fails', async (t) => {
  const url = await freshDatabase(t);
  const database = new URL(url).pathname.slice(1);
  const clients = await connectAll([
    { url, role: 'origen', readOnly: true },
    { url, role: 'destino' },
  ]);
  t.same(await Promise.all(clients.map(async (c) => (await c.query<{ ro: string }>("SELECT current_setting('default_transaction_read_only') AS ro")).rows[0]!.ro)), ['on', 'off'], 'each with its own settings, in the order asked');
  await Promise.all(clients.map((c) => c.end()));

  const failed = await connectAll([
    { url, role: 'origen', readOnly: true },
    { url: withDatabase(url, 'no_existe_esta_base'), role: 'destino' },
  ]).catch((error: unknown) => error);
  t.match(failed, { code: 'CONEXION_FALLIDA', message: /base de destino .*la base de datos no existe/ }, 'the first failure, as connect says it');
  let open = await sessionsOf(url, database);
  for (let tries = 0; open > 0 && tries < 50; tries++) {
    await new Promise((resolve) => setTimeout(resolve, 20));
    open = await sessionsOf(url, database);
  }
  t.equal(open, 0, 'the session that did open was closed');
});
