import pg from 'pg';
import t, { type Test } from 'tap';
import { streamCopyRows } from '../lib/pg/copy-text-rows.js';
import { streamRows } from '../lib/pg/query-stream.js';
import { freshDatabase, withClient } from './helpers/database.js';

/** A session of its own, and a way to terminate its backend from another one. */
async function sessionToKill(t: Test): Promise<{ client: pg.Client; kill: () => Promise<unknown> }> {
  const url = await freshDatabase(t);
  const client = new pg.Client({ connectionString: url });
  client.on('error', () => undefined);
  await client.connect();
  t.teardown(() => client.end().catch(() => undefined));
  const { rows } = await client.query<{ pid: number }>('SELECT pg_backend_pid() AS pid');
  return { client, kill: () => withClient(url, (c) => c.query('SELECT pg_terminate_backend($1)', [rows[0]!.pid])) };
}

/** How a read ended: its error, 'terminó', or 'colgado' when it neither ends nor fails in time. */
function outcome(reading: Promise<void>, ms: number): Promise<unknown> {
  return Promise.race([reading.then(() => 'terminó', (e: Error) => `falló: ${e.message}`), new Promise((resolve) => setTimeout(() => resolve('colgado'), ms).unref())]);
}

// The connection error is whatever the socket saw first: a FATAL message, its end, a reset,
// or (a loaded machine, CI on 2026-12-02) pg's next write to the closed socket: EPIPE.
const CONNECTION_LOST = /^falló: .*(terminat|Connection|ECONNRESET|EPIPE)/i;

// Regression: with the server restarting mid-run, a pg-query-stream waiting between two
// batches was never told that its connection was gone, and the run hung forever.
t.test('a lookup stream fails, instead of hanging, when its connection dies between batches', async (t) => {
  const { client, kill } = await sessionToKill(t);
  let seen = 0;
  const reading = streamRows<[number]>(client, 'SELECT g FROM generate_series(1, 100000) g', async () => {
    seen++;
    // Pause inside the first batch, long enough for the backend to be terminated.
    if (seen === 1) {
      await kill();
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  });
  t.match(await outcome(reading, 10_000), CONNECTION_LOST);
  t.ok(seen < 100_000, `se detuvo tras ${seen} filas`);
});

// The same for the lookups read by COPY: the backend gone in the middle of the rows.
t.test('a lookup read by COPY fails, instead of hanging, when its connection dies mid-copy', async (t) => {
  const { client, kill } = await sessionToKill(t);
  let seen = 0;
  let killed: Promise<unknown> | undefined;
  // Rows wide enough that the server is still sending when its backend is terminated.
  const reading = streamCopyRows(client, `SELECT g, repeat('x', 200) FROM generate_series(1, 2000000) g`, () => {
    if (seen++ === 0) killed = kill();
  });
  const result = await outcome(reading, 20_000);
  await killed;
  t.match(result, CONNECTION_LOST);
  t.ok(seen < 2_000_000, `se detuvo tras ${seen} filas`);
});
