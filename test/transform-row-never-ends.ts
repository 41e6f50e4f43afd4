// Input that never reaches a newline is not COPY text: the transform must fail with a
// clear error once a row passes its cap, as split2's maxLength does, instead of holding
// the stream in memory until the process dies.
import t from 'tap';
import { encodeRow } from '../lib/pg/copy-text.js';
import { sourceFields } from '../lib/table-spec/field-order.js';
import { mensajes } from '../transforms/mensajes.js';
import { runTransform } from './helpers/transform.js';

const FIELDS = sourceFields(mensajes);
const good = encodeRow(FIELDS.map((f) => (f === 'telefono_usuario' ? '+593991234567' : f === 'content' ? 'hola' : null)));

t.test('a row longer than the cap, cut in many chunks, fails naming the row', async (t) => {
  const endless = Buffer.alloc(4096, 'x');
  const chunks = [Buffer.from(good), ...Array.from({ length: 8 }, () => endless.subarray(0, 512))];
  await t.rejects(runTransform(mensajes, chunks, undefined, undefined, 2048), {
    code: 'COPY_MALFORMADO',
    message: /una fila de COPY pasa de 2048 bytes sin terminar \(fila 2\)/,
  });
});

t.test('a row just under the cap, cut at every chunk, still goes through', async (t) => {
  const row = Buffer.from(good);
  const pieces = [...row].map((b) => Buffer.from([b]));
  const run = await runTransform(mensajes, pieces, undefined, undefined, row.length);
  t.equal(run.counters.written, 1);
});
