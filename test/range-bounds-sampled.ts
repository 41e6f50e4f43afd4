import t from 'tap';
import { rangeBoundaries, rangeWhere } from '../lib/load/range-bounds.js';
import { TABLES } from '../transforms/index.js';
import { freshDatabase, withClient } from './helpers/database.js';

const mensajes = TABLES.find((spec) => spec.target === 'mensajes')!;

// Cutting a large table used to number every key (a sort of all of them before the first
// row moved); now a sample of pages is numbered when the statistics say the table is
// larger than the sample. The ranges are then about the asked size, and still cover every
// key exactly once.
t.test('range boundaries come from a sample of pages on a large table, and from every key without statistics', async (t) => {
  const url = await freshDatabase(t);
  await withClient(url, async (c) => {
    await c.query('CREATE TABLE messages (id uuid PRIMARY KEY, relleno text)');
    await c.query("INSERT INTO messages SELECT gen_random_uuid(), repeat('x', 100) FROM generate_series(1, 60000)");
    const sizes = async (boundaries: string[]): Promise<number[]> => {
      const counts: number[] = [];
      for (let i = 0; i <= boundaries.length; i++) {
        const where = rangeWhere(mensajes, 'id', boundaries, i);
        counts.push((await c.query(`SELECT count(*)::int AS n FROM messages m WHERE ${where}`)).rows[0].n);
      }
      return counts;
    };

    // No statistics yet (reltuples -1): every key is numbered, the ranges are exact.
    const exact = await rangeBoundaries(c, mensajes, 'id', 10_000, 5_000);
    t.same(await sizes(exact), [10_000, 10_000, 10_000, 10_000, 10_000, 10_000, 0], 'sin estadísticas: tramos exactos');

    await c.query('ANALYZE messages');
    const sampled = await rangeBoundaries(c, mensajes, 'id', 10_000, 5_000);
    t.not(sampled.join(), exact.join(), 'con estadísticas: límites de una muestra');
    const counts = await sizes(sampled);
    t.equal(counts.reduce((a, b) => a + b, 0), 60_000, 'cada clave en un tramo, una vez');
    t.ok(sampled.length >= 5 && sampled.length <= 7, `${sampled.length} límites para 60.000 filas en tramos de 10.000`);
    t.ok(counts.slice(0, -1).every((n) => n > 7_000 && n < 13_000), `tramos de ${counts.join(', ')} filas`);
  });
});
