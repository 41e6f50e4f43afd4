import { randomUUID } from 'node:crypto';
import t from 'tap';
import { UuidKeyedValues } from '../lib/engine/uuid-keyed-values.js';

const bytesOf = (uuid: string): Buffer => Buffer.from(uuid.replace(/-/g, ''), 'hex');
/** Time-ordered ids (v7-like): the same leading bytes, a counter at the end. */
const ordered = (i: number): string => `018f3b2c-7d10-7000-8000-${i.toString(16).padStart(12, '0')}`;

t.test('finds every key among random and time-ordered uuids, each with its value framed as a COPY binary field', async (t) => {
  const values = new UuidKeyedValues();
  const keys = [...Array.from({ length: 30_000 }, () => randomUUID()), ...Array.from({ length: 30_000 }, (_, i) => ordered(i))];
  keys.forEach((key, i) => values.add(key, i % 7 === 0 ? `ñ${i}` : `+593${i}`));
  t.equal(values.count, keys.length);
  let wrong = 0;
  keys.forEach((key, i) => {
    const row = Buffer.concat([Buffer.from('xyz'), bytesOf(key)]);
    const e = values.find(row, 3);
    const expected = i % 7 === 0 ? `ñ${i}` : `+593${i}`;
    const field = values.bytes.subarray(values.fieldStart(e), values.fieldEnd(e));
    if (e < 0 || values.value(e) !== expected || values.key(e) !== key || field.readInt32BE(0) !== Buffer.byteLength(expected) || field.subarray(4).toString() !== expected) wrong++;
  });
  t.equal(wrong, 0, 'every key gives its own value');
  t.equal(values.find(bytesOf(ordered(30_000)), 0), -1, 'a key never added is not found');
  t.equal(values.find(bytesOf(randomUUID()), 0), -1);
});

t.test('a key given twice or not a uuid is refused: the query reads a primary key of uuids', async (t) => {
  const values = new UuidKeyedValues();
  values.add('00000000-0000-4000-8000-000000000001', 'a');
  t.throws(() => values.add('00000000-0000-4000-8000-000000000001', 'b'), { code: 'ERROR_INTERNO' });
  t.throws(() => values.add('42', 'b'), { code: 'ERROR_INTERNO' });
  t.equal(values.value(values.find(bytesOf('00000000-0000-4000-8000-000000000001'), 0)), 'a');
});
