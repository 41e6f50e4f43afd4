import { Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { to as copyTo } from 'pg-copy-streams';
import t from 'tap';
import { binaryFieldCopyText, binaryFieldText, binaryHeaderLength, copyTextRoom, sourceTypesOf } from '../lib/pg/copy-binary-in.js';
import { decodeField } from '../lib/pg/copy-text.js';
import { freshDatabase, withClient } from './helpers/database.js';

// A field read from COPY binary must give a rule, and the reject file, the very text COPY
// text gives for the same value: the server prints each value both ways here.
const VALUES: Record<string, string[]> = {
  uuid: ["'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11'", "'00000000-0000-0000-0000-000000000000'", "'ffffffff-ffff-ffff-ffff-ffffffffffff'", 'gen_random_uuid()', 'NULL'],
  timestamp: [
    "'2024-05-01 10:00:00'",
    "'2024-05-01 10:00:00.123456'",
    "'2024-05-01 10:00:00.5'",
    "'2024-02-29 23:59:59.999999'",
    "'1999-12-31 23:59:59.999999'",
    "'2000-01-01'",
    "'1970-01-01 00:00:00.000001'",
    "'1600-02-29 00:00:00'",
    "'1712-01-01 00:00:00.000001'",
    "'0001-01-01 00:00:00'",
    "'0001-12-31 23:59:59.999999 BC'",
    "'0005-02-29 12:00:00 BC'",
    "'4713-11-24 00:00:00 BC'",
    "'294276-12-31 23:59:59.999999'",
    "'12345-06-07 08:09:10.01'",
    "'infinity'",
    "'-infinity'",
    'NULL',
  ],
  text: ["''", "'plain'", "E'tab\\there\\nnewline\\r and \\\\ backslash'", "'\\N'", "'ñandú 🇪🇨 😀'", "repeat('x', 70000)", 'NULL'],
  varchar: ["'+593991234567'::varchar(20)", "''::varchar"],
  json: [`'{"a": [1, 2.50, "x"]}'::json`, `'  {"spaced" :1}  '::json`],
  jsonb: [`'{"a": [1, 2.50, "x"], "ñ": "tab\\t"}'`, `'[]'`, `'"texto"'`, `'null'`, `'{}'`, 'NULL'],
};
const CAST: Record<string, string> = { uuid: 'uuid', timestamp: 'timestamp', text: 'text', varchar: 'varchar', json: 'json', jsonb: 'jsonb' };

async function copyOut(url: string, sql: string): Promise<Buffer> {
  return withClient(url, async (client) => {
    const chunks: Buffer[] = [];
    await pipeline(client.query(copyTo(sql)), new Writable({ write: (c: Buffer, _e, cb) => (chunks.push(c), cb()) }));
    return Buffer.concat(chunks);
  });
}

t.test('every value read from COPY binary gives the text COPY text gives', async (t) => {
  const url = await freshDatabase(t);
  // Random timestamps across the whole range too, fractions included.
  VALUES.timestamp!.push(...Array.from({ length: 200 }, (_, i) => `(timestamp '4713-01-01 BC' + make_interval(days => floor(random() * 107e6)::int) + interval '1 microsecond' * floor(random() * 86400e6) + interval '${i} microseconds')`));
  for (const [name, values] of Object.entries(VALUES)) {
    const select = `SELECT v::${CAST[name]} FROM (VALUES ${values.map((v) => `(${v})`).join(', ')}) AS x(v)`;
    await withClient(url, (c) => c.query(`CREATE TABLE IF NOT EXISTS "${name}" AS ${select}`));
    const text = (await copyOut(url, `COPY "${name}" TO STDOUT`)).toString('utf8').split('\n').slice(0, -1);
    const binary = await copyOut(url, `COPY "${name}" TO STDOUT WITH (FORMAT binary)`);
    const oid = await withClient(url, async (c) => (await c.query(`SELECT v FROM "${name}" LIMIT 0`)).fields[0]!.dataTypeID);
    const type = sourceTypesOf([oid])?.[0];
    if (type === undefined) throw new Error(`${name}: sin lectura binaria`);
    let pos = binaryHeaderLength(binary, 0, binary.length);
    const read: (string | null)[] = [];
    // The reject file's way: straight into COPY text bytes, after 3 bytes already written.
    const written: string[] = [];
    // One field per row: its count, its length, its bytes.
    while (binary.readInt16BE(pos) !== -1) {
      const length = binary.readInt32BE(pos + 2);
      read.push(length < 0 ? null : binaryFieldText(type, binary, pos + 6, pos + 6 + length));
      if (length >= 0) {
        const out = Buffer.alloc(3 + copyTextRoom(length), 0x3f);
        written.push(out.toString('utf8', 3, binaryFieldCopyText(type, binary, pos + 6, pos + 6 + length, out, 3)));
      } else {
        written.push('\\N');
      }
      pos += 6 + Math.max(length, 0);
    }
    t.same(read, text.map((line) => decodeField(Buffer.from(line), 0, Buffer.byteLength(line))), `${name}: ${text.length} valores`);
    t.same(written, text, `${name}: el texto de COPY escrito en bytes, como el del servidor`);
  }
});
