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
