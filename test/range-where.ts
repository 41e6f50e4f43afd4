import t from 'tap';
import { rangeWhere } from '../lib/load/range-bounds.js';
import { mensajes } from '../transforms/mensajes.js';

t.test('ranges are open at both ends and meet without gap or overlap', async (t) => {
  const bounds = ['3', '7'];
  t.equal(rangeWhere(mensajes, 'id', bounds, 0), `m."id" <= '3'`);
  t.equal(rangeWhere(mensajes, 'id', bounds, 1), `m."id" > '3' AND m."id" <= '7'`);
  t.equal(rangeWhere(mensajes, 'id', bounds, 2), `m."id" > '7'`);
  t.equal(rangeWhere(mensajes, 'id', [], 0), 'true', 'a table in one range reads every row');
});

t.test('a boundary is an SQL literal, whatever it holds', async (t) => {
  t.equal(rangeWhere(mensajes, 'id', ["o'brien"], 1), `m."id" > 'o''brien'`);
});
