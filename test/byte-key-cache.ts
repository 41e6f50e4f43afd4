import t from 'tap';
import { ByteKeyCache } from '../lib/engine/byte-key-cache.js';

const key = (i: number): Buffer => Buffer.from(`clave-${i}`);

t.test('grows past its first table and finds every key it was given', async (t) => {
  const cache = new ByteKeyCache<number>(200_000, 16);
  for (let i = 0; i < 5000; i++) {
    const k = key(i);
    cache.set(k, 0, k.length, i);
  }
  let found = 0;
  for (let i = 0; i < 5000; i++) {
    const k = key(i);
    if (cache.get(k, 0, k.length) === i) found++;
  }
  t.equal(found, 5000);
  const absent = Buffer.from('no-está');
  t.equal(cache.get(absent, 0, absent.length), undefined);
});

t.test('a key is looked up inside a larger buffer by its byte range', async (t) => {
  const cache = new ByteKeyCache<string>();
  const row = Buffer.from('a\tactive\tb');
  cache.set(row, 2, 8, 'activo');
  const other = Buffer.from('xxactivexx');
  t.equal(cache.get(other, 2, 8), 'activo');
  t.equal(cache.get(other, 2, 7), undefined, 'un prefijo no es la clave');
});

t.test('at its limit it starts again empty rather than growing without end', async (t) => {
  const cache = new ByteKeyCache<number>(100, 16);
  for (let i = 0; i < 100; i++) cache.set(key(i), 0, key(i).length, i);
  t.equal(cache.get(key(99), 0, key(99).length), 99, 'lleno, todo sigue ahí');
  cache.set(key(100), 0, key(100).length, 100);
  t.equal(cache.get(key(0), 0, key(0).length), undefined, 'se vació al pasar del límite');
  t.equal(cache.get(key(99), 0, key(99).length), undefined);
  t.equal(cache.get(key(100), 0, key(100).length), 100, 'la clave nueva sí está');
});
