import type pg from 'pg';

/**
 * Statements without parameters sent as one simple query: one round trip to the server
 * instead of one each, which on a hosted database a network away is what a follow's
 * batch spends most of its time on (~80 statements a batch, each waiting for the last).
 * PostgreSQL runs them in order and stops at the first error, whose error this rejects
 * with; inside a transaction, the statements before it are then undone with it (or up
 * to a savepoint among them). The results, one per statement.
 */
export async function inOneTrip<R extends pg.QueryResultRow = pg.QueryResultRow>(client: pg.ClientBase, statements: readonly string[]): Promise<pg.QueryResult<R>[]> {
  if (statements.length === 0) return [];
  const result = (await client.query<R>(statements.join(';\n'))) as pg.QueryResult<R> | pg.QueryResult<R>[];
  return Array.isArray(result) ? result : [result];
}
