import t from 'tap';
import { decodeField, encodeField, encodeRow } from '../lib/pg/copy-text.js';

const tricky = ['plain', '', 'tab\there', 'line\nbreak', 'carriage\rreturn', 'back\\slash', '\\N', 'ñandú 🇪🇨 emoji 😀', 'trailing\\', '\b\f\v'];

t.test('encode then decode gives every value back exactly', async (t) => {
  for (const value of [...tricky, null]) {
    const encoded = Buffer.from(encodeField(value));
    t.equal(decodeField(encoded, 0, encoded.length), value, JSON.stringify(value));
  }
});

t.test('a literal \\N text is not NULL', async (t) => {
  t.equal(encodeField('\\N'), '\\\\N');
  t.equal(encodeField(null), '\\N');
});

t.test('decodes the octal and hex escapes COPY FROM accepts, as bytes', async (t) => {
  const field = Buffer.from('\\303\\261 \\xc3\\xb1 \\x41');
  t.equal(decodeField(field, 0, field.length), 'ñ ñ A');
});

t.test('rows never contain a raw tab or newline inside a field', async (t) => {
  const row = encodeRow(tricky);
  t.equal(row.split('\n').length, 2);
  t.equal(row.split('\t').length, tricky.length);
});
