import type { StreamedMessage } from '../lib/follow/streamed-pgoutput.js';
import type { Pgoutput } from 'pg-logical-replication';
import t from 'tap';
import { ChangeBatch } from '../lib/follow/changes.js';
import { sourceIdColumns } from '../lib/follow/table-follow-kinds.js';
import type { StreamedRow } from '../lib/follow/streamed-rows.js';
import { TABLES } from '../transforms/index.js';

const relation = { name: 'messages' } as Pgoutput.MessageRelation;
const row = (text: string): StreamedRow => ({ line: Buffer.from(`${text}\n`), split: -1, key: null });
const insert = (id: string, kept?: StreamedRow): StreamedMessage => ({ tag: 'insert', relation, new: { id }, ...(kept ? { row: kept } : {}) }) as StreamedMessage;
const update = (id: string, kept?: StreamedRow, key: string | null = null): StreamedMessage =>
  ({ tag: 'update', relation, new: { id }, key: key === null ? null : { id: key }, old: null, ...(kept ? { row: kept } : {}) }) as StreamedMessage;
const remove = (id: string): StreamedMessage => ({ tag: 'delete', relation, key: { id }, old: null }) as StreamedMessage;

function batch(budgetBytes = 1 << 20): ChangeBatch {
  return new ChangeBatch(sourceIdColumns(TABLES), { tables: new Set(['messages']), budgetBytes });
}

// A batch keeps what the stream says each row of a streamed table is once the batch's
// transactions are applied: the last row, null once deleted, and nothing (read at the
// source) where the stream did not bring the whole row or the batch's budget is spent.
t.test('the last change of a row decides what the batch keeps of it', async (t) => {
  const b = batch();
  b.take(1, [insert('a', row('a1')), update('a', row('a2'))], '0/10', 0);
  b.take(2, [insert('b', row('b1')), remove('b')], '0/20', 0);
  b.take(3, [insert('c', row('c1')), update('c')], '0/30', 0);
  b.take(4, [update('e', row('e1'), 'd')], '0/40', 0);
  const rows = b.tables.get('messages')!.rows;
  t.equal(rows.get('a')?.line.toString(), 'a2\n', 'insertada y cambiada: la fila cambiada');
  t.equal(rows.get('b'), null, 'insertada y borrada: borrada');
  t.notOk(rows.has('c'), 'cambiada sin la fila entera (un TOAST sin cambios): se lee en el origen');
  t.equal(rows.get('d'), null, 'un id que cambió: el viejo, borrado');
  t.equal(rows.get('e')?.line.toString(), 'e1\n', 'y el nuevo, con su fila');
  t.same([...b.tables.get('messages')!.ids].sort(), ['a', 'b', 'c', 'd', 'e'], 'todos los ids, como siempre');
  t.same(b.xids, [1, 2, 3, 4]);
  t.equal(b.endLsn, '0/40');
});

t.test('rows past the budget are left to the source', async (t) => {
  const b = batch(3 * (3 + 200));
  b.take(1, [insert('a', row('a1')), insert('b', row('b1'))], '0/10', 0);
  b.take(2, [insert('c', row('c1')), insert('d', row('d1'))], '0/20', 0);
  const rows = b.tables.get('messages')!.rows;
  t.same([...rows.keys()], ['a', 'b', 'c'], 'las filas que caben');
  t.same([...b.tables.get('messages')!.inserted], ['a', 'b', 'c', 'd'], 'la que no cabe sigue en el lote, para leerla en el origen');
  b.take(3, [update('a', row('a2'))], '0/30', 0);
  t.notOk(rows.has('a'), 'una fila guardada cuya nueva versión no cabe: ninguna de las dos vale ya');
});

t.test('a TRUNCATE forgets the rows kept', async (t) => {
  const b = batch();
  b.take(1, [insert('a', row('a1'))], '0/10', 0);
  b.take(2, [{ tag: 'truncate', relations: [relation], cascade: false, restartIdentity: false } as StreamedMessage, insert('b', row('b1'))], '0/20', 0);
  const changes = b.tables.get('messages')!;
  t.ok(changes.truncated);
  t.equal(changes.rows.size, 0, 'la tabla se recalcula entera desde el origen');
});

// The follower reads the next batch while the target writes this one's new rows: it waits
// for that write only when the batch has one to do.
t.test('a batch says whether the apply copies new rows from the stream', async (t) => {
  const says = (...transactions: StreamedMessage[][]): boolean => {
    const b = batch();
    transactions.forEach((changes, i) => b.take(i + 1, changes, `0/${i + 1}0`, 0));
    return b.hasNewStreamedRows();
  };
  t.equal(says([insert('a', row('a1'))]), true, 'una fila nueva que trajo el flujo');
  t.equal(says([insert('a')]), false, 'una fila nueva sin sus valores: se lee en el origen');
  t.equal(says([insert('a', row('a1'))], [remove('a')]), false, 'insertada y borrada en el lote');
  t.equal(says([update('a', row('a2'))]), false, 'solo cambios de filas que ya estaban');
  const users = batch();
  users.take(1, [{ tag: 'insert', relation: { name: 'users' } as Pgoutput.MessageRelation, new: { id: 'u' } } as StreamedMessage], '0/10', 0);
  t.equal(users.hasNewStreamedRows(), false, 'una tabla cuyas filas no trae el flujo');
});
