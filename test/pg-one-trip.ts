import t from 'tap';
import { inOneTrip } from '../lib/pg/one-trip.js';
import { freshDatabase, withClient } from './helpers/database.js';

// Statements sent together to save round trips to a hosted server (the follow's batches):
// one answer per statement, and an error that stops the trip leaves the transaction as
// PostgreSQL leaves it, so a savepoint sent in the same trip still takes it back.
t.test('statements in one trip answer one by one, and a failed one is undone to the savepoint of the same trip', async (t) => {
  const url = await freshDatabase(t);
  await withClient(url, async (c) => {
    await c.query('CREATE TABLE x (id int PRIMARY KEY)');
    t.same((await inOneTrip(c, ['SELECT 1 AS uno'])).map((r) => r.rows), [[{ uno: 1 }]], 'a single statement: one answer');
    const answers = await inOneTrip<{ n: number }>(c, ['INSERT INTO x VALUES (1), (2)', 'SELECT count(*)::int AS n FROM x', 'DELETE FROM x WHERE id = 2 RETURNING id AS n']);
    t.same(answers.map((r) => [r.command, r.rowCount]), [['INSERT', 2], ['SELECT', 1], ['DELETE', 1]], 'one answer per statement, in order');
    t.same(answers[1]!.rows, [{ n: 2 }], 'each with its rows');
    t.same(await inOneTrip(c, []), [], 'nothing to send: no trip');

    await c.query('BEGIN');
    await c.query('INSERT INTO x VALUES (3)');
    const failed = await inOneTrip(c, ['SAVEPOINT s', 'INSERT INTO x VALUES (4)', 'INSERT INTO x VALUES (1)', 'INSERT INTO x VALUES (5)']).catch((error: unknown) => error);
    t.equal((failed as { code?: string }).code, '23505', 'the first error rejects the trip, with its code');
    await inOneTrip(c, ['ROLLBACK TO SAVEPOINT s', 'INSERT INTO x VALUES (6)']);
    await c.query('COMMIT');
    t.same((await c.query<{ id: number }>('SELECT id FROM x ORDER BY id')).rows.map((r) => r.id), [1, 3, 6], 'what came before the savepoint stays; the trip after it is undone, and what follows the error never ran');
  });
});
