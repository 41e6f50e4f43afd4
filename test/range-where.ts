import t from 'tap';
import { rangeWhere } from '../lib/load/range-bounds.js';
import { mensajes } from '../transforms/mensajes.js';

t.test('ranges are open at both ends and meet without gap or overlap', async (t) => {
  const bounds = ['3', '7'];
  t.equal(rangeWhere(mensajes, 'id', bounds, 0), `m."id" <= E'3'`);
  t.equal(rangeWhere(mensajes, 'id', bounds, 1), `m."id" > E'3' AND m."id" <= E'7'`);
  t.equal(rangeWhere(mensajes, 'id', bounds, 2), `m."id" > E'7'`);
  t.equal(rangeWhere(mensajes, 'id', [], 0), 'true', 'a table in one range reads every row');
});

t.test('a boundary is an SQL literal, whatever it holds', async (t) => {
  t.equal(rangeWhere(mensajes, 'id', ["o'brien"], 1), `m."id" > E'o''brien'`);
});

t.test('a boundary with a backslash reads the same whatever standard_conforming_strings says', async (t) => {
  t.equal(rangeWhere(mensajes, 'id', ['a\\b'], 1), `m."id" > E'a\\\\b'`);
});
