import pg from 'pg';
import t from 'tap';
import { streamCopyRows } from '../lib/pg/copy-text-rows.js';
import { streamRows } from '../lib/pg/query-stream.js';
import { freshDatabase, withClient } from './helpers/database.js';

// The lookups read by COPY must give exactly what a query gives, value for value.
t.test('a COPY read gives the same rows as the query, with NULLs, escapes and uuids', async (t) => {
  const url = await freshDatabase(t);
  await withClient(url, async (client) => {
    await client.query(`CREATE TABLE usuarios_prueba (id uuid PRIMARY KEY, telefono text)`);
    await client.query(`INSERT INTO usuarios_prueba
      SELECT md5(g::text)::uuid, CASE g % 5 WHEN 0 THEN NULL WHEN 1 THEN '' WHEN 2 THEN E'09\\t9\\n1\\\\' || g ELSE '+593 99 ' || g || ' ñ' END
        FROM generate_series(1, 30000) g`);
    const sql = 'SELECT id, telefono FROM usuarios_prueba ORDER BY id';
    const byQuery: unknown[] = [];
    await streamRows<[string, string | null]>(client, sql, (row) => void byQuery.push(row));
    const byCopy: unknown[] = [];
    await streamCopyRows(client, sql, (row) => void byCopy.push(row));
    t.equal(byCopy.length, 30000);
    t.same(byCopy, byQuery);
    // The session is usable afterwards: the copy handed the socket back to pg.
    t.equal((await client.query('SELECT 1 AS uno')).rows[0].uno, 1);
  });
});

t.test('a failing query fails the read and leaves the session usable', async (t) => {
  const url = await freshDatabase(t);
  await withClient(url, async (client) => {
    await t.rejects(streamCopyRows(client, 'SELECT 1 / (g - 3) FROM generate_series(1, 5) g', () => undefined), /division by zero|división por cero/);
    t.equal((await client.query('SELECT 2 AS dos')).rows[0].dos, 2);
  });
});

// Same regression as the cursor's (test/regression-lookup-stream-connection-lost.ts): with
// the backend gone in the middle of the rows, the read fails instead of hanging.
t.test('a COPY read fails, instead of hanging, when its connection dies mid-copy', async (t) => {
  const url = await freshDatabase(t);
  const client = new pg.Client({ connectionString: url });
  client.on('error', () => undefined);
  await client.connect();
  const { rows } = await client.query<{ pid: number }>('SELECT pg_backend_pid() AS pid');
  let seen = 0;
  let terminated: Promise<unknown> | undefined;
  // Rows wide enough that the server is still sending when its backend is terminated.
  const reading = streamCopyRows(client, `SELECT g, repeat('x', 200) FROM generate_series(1, 2000000) g`, () => {
    seen++;
    if (seen === 1) terminated = withClient(url, (c) => c.query('SELECT pg_terminate_backend($1)', [rows[0]!.pid]));
  });
  const outcome = await Promise.race([reading.then(() => 'terminó', (e: Error) => `falló: ${e.message}`), new Promise((resolve) => setTimeout(() => resolve('colgado'), 20_000).unref())]);
  await terminated;
  t.match(outcome, /^falló: .*(terminat|Connection|ECONNRESET|EPIPE)/i);
  t.ok(seen < 2_000_000, `se detuvo tras ${seen} filas`);
  await client.end().catch(() => undefined);
});
