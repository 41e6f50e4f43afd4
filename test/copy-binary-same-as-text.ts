import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import t from 'tap';
import { ByteSink } from '../lib/engine/byte-sink.js';
import { decodeField } from '../lib/pg/copy-text.js';
import { BINARY_HEADER, BINARY_TRAILER, EscapeScan, binaryColumnFor, writeInt16 } from '../lib/pg/copy-binary.js';
import { freshDatabase } from './helpers/database.js';

// The target's COPY takes binary, written from the COPY text the source sent: for every
// value, what the server stores must be what it stores when it reads that text itself.
// Values are written as COPY text (escapes included), one column per type.
const CASES: Record<string, string[]> = {
  uuid: ['a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11', 'A0EEBC99-9C0B-4EF8-BB6D-6BB9BD380A11', '{a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11}', 'a0eebc999c0b4ef8bb6d6bb9bd380a11', 'a0ee-bc99-9c0b-4ef8-bb6d-6bb9-bd38-0a11', '\\N'],
  text: ['', 'plain', 'tab\\there', 'line\\nbreak and \\r', 'back\\\\slash', '\\\\N', '\\N', '\\303\\261 y \\xc3\\xb1', '\\b\\f\\v', 'ñandú 🇪🇨 😀', 'x'.repeat(300), 'más de cuarenta y ocho bytes con \\t un tab en medio del texto'],
  'character varying(20)': ['+593991234567', 'ñandú', '\\N', 'a\\\\b'],
  jsonb: ['{"a": 1}', '{"k": "a\\\\tb", "ñ": [1, 2.5, null, true]}', '[]', '"texto"', '\\N'],
  'timestamp without time zone': [
    '2024-05-01 10:00:00',
    '2024-05-01 10:00:00.123456',
    '2024-05-01 10:00:00.5',
    '2024-02-29 23:59:59.999999',
    '1999-12-31 23:59:59.999999',
    '2000-01-01 00:00:00',
    '1970-01-01 00:00:00',
    '1600-02-29 00:00:00',
    '1712-01-01 00:00:00.000001',
    '2290-01-01 00:00:00.000001',
    '2400-06-01 01:02:03.04',
    '0001-01-01 00:00:00',
    '0001-12-31 23:59:59 BC',
    '0044-03-15 12:00:00 BC',
    '4713-11-24 00:00:00 BC',
    '294276-12-31 23:59:59.999999',
    'infinity',
    '-infinity',
    '2024-05-01 10:00:00+02',
    '2024-05-01',
    '0005-02-29 BC',
    '2024-05-01 10:00:00-05:30',
    '1900-01-01 00:00:00+05:53:28',
    '\\N',
  ],
  boolean: ['t', 'f', 'true', 'FALSE', ' yes ', 'no', 'on', 'off', 'of', '1', '0', '\\N'],
  integer: ['0', '-2147483648', '2147483647', ' 42 ', '+7', '\\N'],
};

/** Values the server refuses as text, which the binary writer must refuse too (never write something else). */
const REFUSED: Record<string, string[]> = {
  uuid: ['zz', 'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a1', 'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a111', '-a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11', '{a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11'],
  'timestamp without time zone': ['2023-02-29 00:00:00', '2024-13-01 00:00:00', '2024-05-01 25:00:00', '2000-02-29 BC', 'ayer'],
  boolean: ['quizás', 'o'],
  integer: ['2147483648', '1.5', 'doce'],
};

/** COPY binary of the values: from their COPY text (a field passed through), or `asResults` from their decoded value (a rule's result). */
function binaryOf(type: string, values: string[], asResults = false): Buffer {
  const column = binaryColumnFor(type);
  if (column === null) throw new Error(`sin escritura binaria para ${type}`);
  const chunks: Buffer[] = [];
  const sink = new ByteSink((chunk) => chunks.push(Buffer.from(chunk)), 64);
  const scan = new EscapeScan();
  sink.writeBytes(BINARY_HEADER, 0, BINARY_HEADER.length);
  sink.endRow();
  // All the values in one buffer, as fields of a chunk: the scan for escapes sees them in order.
  const text = Buffer.from(values.join('\t'));
  let start = 0;
  for (const value of values) {
    const end = start + Buffer.byteLength(value);
    sink.beginRow();
    sink.advance(writeInt16(sink.room(2), sink.position, 1));
    if (asResults) column.value(decodeField(text, start, end), sink);
    else column.encode(text, start, end, sink, scan);
    sink.endRow();
    start = end + 1;
  }
  sink.writeBytes(BINARY_TRAILER, 0, BINARY_TRAILER.length);
  sink.endRow();
  sink.flush();
  return Buffer.concat(chunks);
}

async function load(client: pg.Client, table: string, data: Buffer, binary: boolean): Promise<void> {
  await pipeline(Readable.from([data]), client.query(copyFrom(`COPY ${table} (v) FROM STDIN${binary ? ' WITH (FORMAT binary)' : ''}`)));
}

t.test('every type the binary writer knows stores what the server reads from the same text', async (t) => {
  const url = await freshDatabase(t);
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  t.teardown(() => client.end());
  await client.query("SET DateStyle = 'ISO, MDY'");
  for (const [type, values] of Object.entries(CASES)) {
    await client.query(`CREATE TEMP TABLE as_text (n serial, v ${type}); CREATE TEMP TABLE as_binary (n serial, v ${type}); CREATE TEMP TABLE as_results (n serial, v ${type})`);
    await load(client, 'as_text', Buffer.from(values.map((v) => `${v}\n`).join('')), false);
    await load(client, 'as_binary', binaryOf(type, values), true);
    await load(client, 'as_results', binaryOf(type, values, true), true);
    const read = async (table: string): Promise<(string | null)[]> => (await client.query<{ v: string | null }>(`SELECT v::text AS v FROM ${table} ORDER BY n`)).rows.map((r) => r.v);
    const expected = await read('as_text');
    t.equal(expected.length, values.length, `${type}: the server took every value as text`);
    t.same(await read('as_binary'), expected, type);
    t.same(await read('as_results'), expected, `${type}, from rules' results`);
    await client.query('DROP TABLE as_text, as_binary, as_results');
  }
});

t.test('a value the server refuses as text is refused before it is written', async (t) => {
  const url = await freshDatabase(t);
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  t.teardown(() => client.end());
  for (const [type, values] of Object.entries(REFUSED)) {
    await client.query(`CREATE TEMP TABLE as_text (v ${type})`);
    for (const value of values) {
      await t.rejects(load(client, 'as_text', Buffer.from(`${value}\n`), false), `${type} ${JSON.stringify(value)}: the server refuses it as text`);
      t.throws(() => binaryOf(type, [value]), { name: 'CopiarError', code: 'COPY_MALFORMADO' }, `${type} ${JSON.stringify(value)}`);
    }
    await client.query('DROP TABLE as_text');
  }
});

t.test('types without a binary writer send the table as text', async (t) => {
  t.equal(binaryColumnFor('numeric(10,2)'), null);
  t.equal(binaryColumnFor('timestamptz'), null);
  t.equal(binaryColumnFor('date'), null);
});
