// Rows are split only as far as their last ruled field, but a row that ends before it
// is still an error with the table and row named, never a silent half row.
import t from 'tap';
import { encodeRow } from '../lib/pg/copy-text.js';
import { sourceFields } from '../lib/table-spec/field-order.js';
import { mensajes } from '../transforms/mensajes.js';
import { runTransform } from './helpers/transform.js';

const FIELDS = sourceFields(mensajes);

t.test('a COPY row with too few fields fails the table', async (t) => {
  const good = encodeRow(FIELDS.map((f) => (f === 'telefono_usuario' ? '+593991234567' : f === 'content' ? 'hola' : null)));
  const short = encodeRow(FIELDS.slice(0, 3).map(() => null));
  await t.rejects(runTransform(mensajes, [Buffer.from(good + short)]), { code: 'COPY_MALFORMADO', message: /mensajes: fila 2 de COPY con \d+ campos o menos de los 12 esperados/ });
});

t.test('the same row whole goes through', async (t) => {
  const good = encodeRow(FIELDS.map((f) => (f === 'telefono_usuario' ? '+593991234567' : f === 'content' ? 'hola' : null)));
  const run = await runTransform(mensajes, [Buffer.from(good)]);
  t.equal(run.counters.written, 1);
});
