import t from 'tap';
import { ArrayLiteral } from '../lib/lookups/prepared-join.js';
import { textArray } from '../lib/pg/text-array.js';
import { freshDatabase, withClient } from './helpers/database.js';

// The follow sends its lists of ids and phones as one array parameter written here rather
// than by pg: what PostgreSQL reads back must be the list given, element for element.
t.test('an array parameter written as text reads back as the list given', async (t) => {
  const url = await freshDatabase(t);
  await withClient(url, async (c) => {
    const lists: (string | null)[][] = [
      [],
      ['a6f1e0a4-0000-4000-8000-000000000001', '+593991234567'],
      ['con "comillas"', 'con \\ barra', 'coma, y {llaves}', ' espacios ', '', 'NULL', 'ñandú 🦤', 'tab\tnueva\nlínea'],
      [null, 'x', null],
    ];
    for (const list of lists) {
      const { rows } = await c.query<{ a: (string | null)[] }>('SELECT $1::text[] AS a', [textArray(list)]);
      t.same(rows[0]!.a, list, JSON.stringify(list));
    }
    const { rows } = await c.query<{ n: number }>("SELECT count(*)::int AS n FROM unnest($1::text[]::uuid[]) AS u WHERE u = 'a6f1e0a4-0000-4000-8000-000000000001'", [textArray(['a6f1e0a4-0000-4000-8000-000000000001', 'a6f1e0a4-0000-4000-8000-000000000002'])]);
    t.equal(rows[0]!.n, 1, 'cast to uuid[] as the id check does');
  });
});

// The same elements written into SQL text (the prepared join's arrays, and the follow's
// lists in one-trip statements): the SQL literal's own quoting on top of the array's.
t.test('an array literal written into SQL reads back as the list given', async (t) => {
  const url = await freshDatabase(t);
  await withClient(url, async (c) => {
    const list = ['a6f1e0a4-0000-4000-8000-000000000001', "o'higgins", 'con "comillas"', 'con \\ barra', "las dos: \\'", 'coma, y {llaves}', '', 'ñandú 🦤'];
    const literal = new ArrayLiteral();
    for (const value of list) literal.add(value);
    const { rows } = await c.query<{ a: string[] }>(`SELECT ${literal.toString()}::text[] AS a`);
    t.same(rows[0]!.a, list);
  });
});
