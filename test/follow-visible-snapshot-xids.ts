import t from 'tap';
import { seesAll } from '../lib/follow/visible-snapshot.js';

// The stream gives 32-bit transaction ids, the snapshot 64-bit ones (with the epoch):
// they are compared as PostgreSQL does, modulo 2^32, across an epoch's end too.
t.test('a snapshot sees a batch only when every transaction precedes xmax and is not running', async (t) => {
  t.ok(seesAll(1000n, new Set(), [998, 999]), 'todas antes de xmax, ninguna en curso');
  t.notOk(seesAll(1000n, new Set(), [999, 1000]), 'una igual a xmax: aún no terminada para la foto');
  t.notOk(seesAll(1000n, new Set(), [1005]), 'una después de xmax');
  t.notOk(seesAll(1000n, new Set(['995']), [990, 995]), 'una en curso en la foto');
  t.ok(seesAll(1000n, new Set(['996']), [990, 995]), 'otra en curso, no del lote');
  t.ok(seesAll(1n << 32n | 5n, new Set(), [4294967290, 3]), 'ids del final de la época anterior y del principio de la nueva');
  t.notOk(seesAll(1n << 32n | 5n, new Set(['4294967290']), [4294967290]), 'en curso desde la época anterior');
  t.notOk(seesAll(1n << 32n | 5n, new Set(), [7]), 'después de xmax en la nueva época');
  t.ok(seesAll(1000n, new Set(), []), 'un lote sin transacciones');
});
