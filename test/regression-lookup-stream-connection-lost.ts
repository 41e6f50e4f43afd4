import pg from 'pg';
import t from 'tap';
import { streamRows } from '../lib/pg/query-stream.js';
import { freshDatabase, withClient } from './helpers/database.js';

// Regression: with the server restarting mid-run, a pg-query-stream waiting between two
// batches was never told that its connection was gone, and the run hung forever.
t.test('a lookup stream fails, instead of hanging, when its connection dies between batches', async (t) => {
  const url = await freshDatabase(t);
  const client = new pg.Client({ connectionString: url });
  client.on('error', () => undefined);
  await client.connect();
  const { rows } = await client.query<{ pid: number }>('SELECT pg_backend_pid() AS pid');
  let seen = 0;
  const reading = streamRows<[number]>(client, 'SELECT g FROM generate_series(1, 100000) g', async () => {
    seen++;
    // Pause inside the first batch, long enough for the backend to be terminated.
    if (seen === 1) {
      await withClient(url, (c) => c.query('SELECT pg_terminate_backend($1)', [rows[0]!.pid]));
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  });
  const outcome = await Promise.race([reading.then(() => 'terminó', (e: Error) => `falló: ${e.message}`), new Promise((resolve) => setTimeout(() => resolve('colgado'), 10_000).unref())]);
  // The connection error is whatever the socket saw first: a FATAL message, its end, a reset,
  // or (a loaded machine, CI on 2026-12-02) pg's next write to the closed socket: EPIPE.
  t.match(outcome, /^falló: .*(terminat|Connection|ECONNRESET|EPIPE)/i);
  t.ok(seen < 100_000, `se detuvo tras ${seen} filas`);
  await client.end().catch(() => undefined);
});
