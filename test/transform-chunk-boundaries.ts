import t from 'tap';
import { encodeRow } from '../lib/pg/copy-text.js';
import { sourceFields } from '../lib/table-spec/field-order.js';
import { wireColumns } from '../lib/table-spec/field-order.js';
import { mensajes } from '../transforms/mensajes.js';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { from as copyFrom } from 'pg-copy-streams';
import { binaryColumns } from '../lib/engine/binary-row-writer.js';
import { createTableSql } from '../lib/schema/ddl.js';
import { copyInSql } from '../lib/table-spec/copy-sql.js';
import { freshDatabase, withClient } from './helpers/database.js';
import { cutAt, runTransform } from './helpers/transform.js';

// Fields in the order the mensajes SELECT returns them.
const FIELDS = sourceFields(mensajes);
// Output columns in the order the transform writes them.
const OUT = wireColumns(mensajes).map((c) => c.name);
const out = (row: string, column: string): string | undefined => row.split('\t')[OUT.indexOf(column)];

function sourceRow(values: Record<string, string | null>): string {
  return encodeRow(FIELDS.map((f) => (f in values ? values[f]! : null)));
}

const base = {
  id: '00000000-0000-4000-8000-000000000001',
  conversation_id: '00000000-0000-4000-8000-0000000000aa',
  user_id: '00000000-0000-4000-8000-0000000000bb',
  telefono_usuario: '+593991234567',
  message_type: 'text',
  content: 'hola',
  media_url: null,
  media_type: null,
  ai_response: null,
  processing_status: 'completed',
  metadata: '{"a": 1}',
  timestamp: '2024-05-01 10:00:00.123456',
};

const input = Buffer.from(
  [
    sourceRow({ ...base, content: 'tab\there, newline\nthere, cr\r, backslash \\ and a literal \\N' }),
    sourceRow({ ...base, id: '00000000-0000-4000-8000-000000000002', content: 'ñandú 🇪🇨 😀 ü', ai_response: 'respuesta\tcon\ttabs' }),
    sourceRow({ ...base, id: '00000000-0000-4000-8000-000000000003', content: null, message_type: ' IMAGE ', media_url: '  https://x.ec/a.jpg ' }),
    sourceRow({ ...base, id: '00000000-0000-4000-8000-000000000004', telefono_usuario: '!basura' }),
    sourceRow({ ...base, id: '00000000-0000-4000-8000-000000000005', content: '\\N' }),
  ].join(''),
);

t.test('the output is the same wherever the input is cut, even inside a UTF-8 character', async (t) => {
  const whole = await runTransform(mensajes, [input]);
  t.equal(whole.counters.read, 5);
  t.equal(whole.counters.written, 4);
  t.equal(whole.counters.rejected, 1);
  const id4 = '00000000-0000-4000-8000-000000000004';
  t.same(whole.rejects, [['telefono_invalido', 'telefono: "basura"', id4, id4, base.conversation_id, base.user_id, 'text', 'hola', null, null, null, 'completed', '{"a": 1}', base.timestamp]], 'la fila rechazada, con sus valores de origen');
  for (let at = 1; at < input.length; at++) {
    const cut = await runTransform(mensajes, cutAt(input, at));
    if (cut.output !== whole.output || JSON.stringify(cut.rejects) !== JSON.stringify(whole.rejects)) {
      t.fail(`distinta salida al cortar en el byte ${at}`);
      return;
    }
  }
  const bytewise = await runTransform(mensajes, [...input].map((b) => Buffer.from([b])));
  t.equal(bytewise.output, whole.output, 'byte a byte');
  t.pass(`igual en los ${input.length - 1} cortes`);
});

// The same rows as COPY binary (what the bulk copy sends the target): the same bytes
// wherever the input is cut, and, loaded, the same rows as the text output.
t.test('binary output is the same wherever the input is cut, and loads the rows the text does', async (t) => {
  const columns = binaryColumns(mensajes)!;
  t.ok(columns, 'mensajes can go as binary');
  const whole = await runTransform(mensajes, [input], undefined, undefined, undefined, columns);
  t.equal(whole.counters.written, 4);
  t.equal(whole.counters.rejected, 1);
  for (let at = 1; at < input.length; at++) {
    const cut = await runTransform(mensajes, cutAt(input, at), undefined, undefined, undefined, columns);
    if (!cut.bytes.equals(whole.bytes)) {
      t.fail(`distinta salida binaria al cortar en el byte ${at}`);
      return;
    }
  }
  const url = await freshDatabase(t);
  await withClient(url, async (c) => {
    await c.query(createTableSql(mensajes));
    await c.query(`CREATE TABLE from_text (LIKE mensajes)`);
    await pipeline(Readable.from([whole.bytes]), c.query(copyFrom(copyInSql(mensajes, { freeze: false, binary: true }))));
    const text = await runTransform(mensajes, [input]);
    await pipeline(Readable.from([Buffer.from(text.output)]), c.query(copyFrom(copyInSql(mensajes, { freeze: false, into: 'from_text' }))));
    const rows = async (table: string): Promise<unknown[]> => (await c.query(`SELECT * FROM ${table} ORDER BY id`)).rows;
    const loaded = await rows('mensajes');
    t.equal(loaded.length, 4);
    t.same(loaded, await rows('from_text'));
  });
});

t.test('pass-through text keeps every escape byte for byte', async (t) => {
  const { output } = await runTransform(mensajes, [input]);
  const rows = output.split('\n');
  t.equal(out(rows[0]!, 'contenido'), 'tab\\there, newline\\nthere, cr\\r, backslash \\\\ and a literal \\\\N');
  t.equal(out(rows[1]!, 'contenido'), 'ñandú 🇪🇨 😀 ü');
  t.equal(out(rows[1]!, 'respuesta_ia'), 'respuesta\\tcon\\ttabs');
  t.equal(out(rows[3]!, 'contenido'), '\\\\N', 'a literal \\N text stays text');
});

t.test('output goes out in large buffers, not one write per row', async (t) => {
  const many = Buffer.from(Array.from({ length: 5000 }, (_, i) => sourceRow({ ...base, id: `00000000-0000-4000-8000-${String(i).padStart(12, '0')}` })).join(''));
  const run = await runTransform(mensajes, [many]);
  t.equal(run.counters.written, 5000);
  const [last, ...others] = [...run.writes].reverse();
  t.ok(run.writes.length > 1 && others.every((size) => size >= 128 * 1024), `escrituras de ${run.writes.join(', ')} bytes`);
  t.ok(last! > 0);
});
