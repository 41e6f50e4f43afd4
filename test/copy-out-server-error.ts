// A server error in the middle of COPY TO: the stream fails once with the server's error,
// never ends, works inside pipeline(), and leaves the connection usable.
import { Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import pg from 'pg';
import t from 'tap';
import { CopyOutStream } from '../lib/pg/copy-out-stream.js';
import { freshDatabase } from './helpers/database.js';

t.test('an error after thousands of rows fails the stream once, and pg gets its connection back', async (t) => {
  const url = await freshDatabase(t);
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  t.teardown(() => client.end());
  const stream = client.query(new CopyOutStream('COPY (SELECT n, 1 / (n - 50000) FROM generate_series(1, 100000) n) TO STDOUT'));
  const seen = { error: 0, end: 0, bytes: 0 };
  stream.on('error', () => seen.error++);
  stream.on('end', () => seen.end++);
  const sink = new Writable({
    write(chunk: Buffer, _e, cb) {
      seen.bytes += chunk.length;
      cb();
    },
  });
  await t.rejects(pipeline(stream, sink), { code: '22012', message: /division by zero/ });
  t.equal(seen.error, 1, 'un solo error');
  t.equal(seen.end, 0, 'nunca termina como si hubiera ido bien');
  t.ok(seen.bytes > 0, `${seen.bytes} bytes antes del error`);
  t.equal((await client.query('SELECT 1 AS uno')).rows[0].uno, 1, 'la conexión vuelve a pg y sirve');
});
