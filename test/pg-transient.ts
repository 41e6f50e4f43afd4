import t from 'tap';
import { isTransient } from '../lib/pg/transient.js';

t.test('a lost connection, a restarting server or a serialization failure is worth another try', async (t) => {
  for (const code of ['57P01', '57P03', '08006', '53300', '40001', '40P01', 'ECONNRESET', 'EPIPE']) t.ok(isTransient(Object.assign(new Error('x'), { code })), code);
  t.ok(isTransient(new Error('Connection terminated unexpectedly')));
  t.ok(isTransient(new Error('terminating connection due to administrator command')));
});

t.test('a refusal that would happen again is not', async (t) => {
  for (const code of ['23505', '42P01', '28P01', '22023']) t.notOk(isTransient(Object.assign(new Error('x'), { code })), code);
  t.notOk(isTransient(new Error('las cuentas no cuadran')));
  t.notOk(isTransient(undefined));
  t.notOk(isTransient(null));
});
