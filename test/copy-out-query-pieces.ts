import { Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import t from 'tap';
import { CopyOutStream } from '../lib/pg/copy-out-stream.js';
import { freshDatabase, withClient } from './helpers/database.js';

async function copyText(url: string, query: string | string[]): Promise<string> {
  return withClient(url, async (client) => {
    const chunks: Buffer[] = [];
    await pipeline(client.query(new CopyOutStream(query)), new Writable({ write: (c: Buffer, _e, cb) => (chunks.push(c), cb()) }));
    // The connection is pg's again: a plain query after the copy works.
    const after = (await client.query('SELECT 1 AS uno')).rows[0].uno;
    return Buffer.concat(chunks).toString('utf8') + `después: ${after}`;
  });
}

// The query goes out as one Query message written piece by piece: its length field must
// count bytes, not characters, for every piece.
t.test('a COPY query sent in pieces gives what the same query as one string gives', async (t) => {
  const url = await freshDatabase(t);
  const pieces = ["COPY (SELECT 'ñandú' AS a, ", "'🇪🇨 " + 'x'.repeat(100_000) + "' AS b ", "WHERE 'é' = 'é') TO STDOUT"];
  const whole = await copyText(url, pieces.join(''));
  t.equal(await copyText(url, pieces), whole);
  t.match(whole, /^ñandú\t🇪🇨 x+\ndespués: 1$/);
});
