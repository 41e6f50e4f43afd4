// derivedId writes UUID v5 out by hand on the hot path: it must give uuid's v5 for any
// name, whatever its characters, since the contract's ids are fixed by it.
import t from 'tap';
import { seededRandom } from './helpers/seeded-random.js';
import { v5 as uuidv5 } from 'uuid';
import { derivedId, ID_NAMESPACE } from '../lib/rules/ids.js';

t.test('the same id as uuid v5 over random names, ASCII and not', async (t) => {
  const next = seededRandom(7);
  const alphabet = ['0', '9', 'a', 'Z', ':', '+', ' ', '\t', '\\', 'ñ', 'é', '€', '😀', '\u0000'];
  const differ: string[] = [];
  for (let i = 0; i < 20_000; i++) {
    let key = '';
    for (let n = next(40); n > 0; n--) key += alphabet[next(alphabet.length)];
    const table = ['customers', 'service_requests', ''][next(3)]!;
    if (derivedId(table, key) !== uuidv5(`${table}:${key}`, ID_NAMESPACE)) differ.push(JSON.stringify([table, key]));
  }
  t.same(differ, [], 'every name gives uuid v5');
});

t.test('version 5 and the RFC variant in every id', async (t) => {
  const ids = Array.from({ length: 1000 }, (_, i) => derivedId('service_requests', String(i)));
  t.equal(ids.filter((id) => /^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/.test(id)).length, 1000);
  t.equal(new Set(ids).size, 1000, 'no two names give the same id');
});
