// A COPY TO stream stopped early (the consumer failed, or destroy() was called) must
// release the server side: the backend would otherwise go on producing rows nobody
// reads. Like pg-copy-streams, the stream closes its connection.
import { Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import pg from 'pg';
import t from 'tap';
import { CopyOutStream } from '../lib/pg/copy-out-stream.js';
import { freshDatabase, withClient } from './helpers/database.js';
import { waitFor } from './helpers/generated.js';

// generate_series in the select list streams its rows; in FROM it would first store all
// hundred million of them (seconds of a test spent before the first row).
const ENDLESS = 'COPY (SELECT n, repeat(md5(n::text), 10) FROM (SELECT generate_series(1, 100000000) AS n) AS s) TO STDOUT';

async function copySession(url: string): Promise<{ client: pg.Client; pid: number; errors: Error[] }> {
  const client = new pg.Client({ connectionString: url });
  const errors: Error[] = [];
  client.on('error', (e) => errors.push(e));
  await client.connect();
  const pid = (await client.query<{ pid: number }>('SELECT pg_backend_pid() AS pid')).rows[0]!.pid;
  return { client, pid, errors };
}

async function backendGone(url: string, pid: number): Promise<boolean> {
  return waitFor(`que termine el backend ${pid}`, () => withClient(url, async (c) => (await c.query('SELECT 1 FROM pg_stat_activity WHERE pid = $1', [pid])).rows.length === 0), 10_000, 50);
}

t.test('a consumer that fails stops the copy inside pipeline(): one error, no end, the backend ends', async (t) => {
  const url = await freshDatabase(t);
  const { client, pid } = await copySession(url);
  t.teardown(() => client.end().catch(() => undefined));
  const stream = client.query(new CopyOutStream(ENDLESS));
  const seen = { error: 0, end: 0, close: 0 };
  stream.on('error', () => seen.error++);
  stream.on('end', () => seen.end++);
  stream.on('close', () => seen.close++);
  let writes = 0;
  const failing = new Writable({
    write(_chunk, _e, cb) {
      cb(++writes === 3 ? new Error('el destino falló') : null);
    },
  });
  await t.rejects(pipeline(stream, failing), { message: 'el destino falló' });
  t.ok(await backendGone(url, pid), 'el servidor dejó de copiar');
  t.ok(seen.error <= 1, `a lo sumo un error (${seen.error})`);
  t.equal(seen.end, 0);
  t.equal(seen.close, 1);
});

t.test('destroy() before the end closes the connection and emits no error and no end', async (t) => {
  const url = await freshDatabase(t);
  const { client, pid } = await copySession(url);
  t.teardown(() => client.end().catch(() => undefined));
  const stream = client.query(new CopyOutStream(ENDLESS));
  const seen = { error: 0, end: 0 };
  stream.on('error', () => seen.error++);
  stream.on('end', () => seen.end++);
  await new Promise<void>((resolve) => stream.once('data', () => resolve()));
  stream.destroy();
  await new Promise((resolve) => stream.once('close', resolve));
  t.ok(await backendGone(url, pid), 'el servidor dejó de copiar');
  t.equal(seen.error, 0);
  t.equal(seen.end, 0);
});
