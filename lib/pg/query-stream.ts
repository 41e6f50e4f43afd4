import type pg from 'pg';
import QueryStream from 'pg-query-stream';

/**
 * Streams a query's rows (pg-query-stream, in batches) without holding them all.
 * If the connection dies mid-stream, pg-cursor may never call back (node-postgres issues
 * #2468 and #2642: a terminated connection leaves read() and close() pending forever),
 * and destroying the stream waits on close(). So the client's own 'end' and 'error'
 * events decide: the wait is abandoned with that error and the dead stream left alone.
 */
export async function streamRows<T>(client: pg.ClientBase, sql: string, onRow: (row: T) => void | Promise<void>, values: unknown[] = []): Promise<void> {
  const stream = client.query(new QueryStream(sql, values, { batchSize: 10_000, rowMode: 'array' }));
  await untilConnectionLost(
    client,
    (async () => {
      for await (const row of stream) await onRow(row as T);
    })(),
  );
}

/**
 * Waits for `consume`, a read on `client`, unless the connection is lost first: then it
 * fails with the connection's error, and the read, left alone, can never surface later.
 */
export async function untilConnectionLost(client: pg.ClientBase, consume: Promise<void>): Promise<void> {
  let onLost: (error: Error) => void = () => undefined;
  const lost = new Promise<never>((_, reject) => {
    onLost = (error?: Error) => reject(error instanceof Error ? error : new Error('Connection terminated unexpectedly'));
  });
  client.once('end', onLost);
  client.once('error', onLost);
  // Whichever loses the race must not surface later as an unhandled rejection.
  consume.catch(() => undefined);
  lost.catch(() => undefined);
  try {
    await Promise.race([consume, lost]);
  } finally {
    client.off('end', onLost);
    client.off('error', onLost);
  }
}
