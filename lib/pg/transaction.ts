import type pg from 'pg';

/**
 * BEGIN, `body`, COMMIT; ROLLBACK when anything fails (a rollback that fails too, on a
 * dead connection, is not the error worth reporting).
 */
export async function inTransaction<T>(client: pg.ClientBase, body: () => Promise<T>, begin = 'BEGIN'): Promise<T> {
  await client.query(begin);
  try {
    const result = await body();
    await client.query('COMMIT');
    return result;
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw error;
  }
}
