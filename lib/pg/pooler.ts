import type pg from 'pg';
import { inOneTrip } from './one-trip.js';

async function backendPid(client: pg.ClientBase): Promise<number> {
  return (await client.query<{ pid: number }>('SELECT pg_backend_pid() AS pid')).rows[0]!.pid;
}

/**
 * Whether `client` goes through a transaction-mode pooler (PgBouncer or Supavisor with
 * `pool_mode = transaction`, Supabase's port 6543): each transaction may run on another
 * server connection, so a session setting or an advisory lock would stay behind on a
 * connection the application uses next. Asked before the session sets anything.
 *
 * Seen from the client, such a pooler hands our server connection to another client
 * once our transaction ends (PgBouncer reuses the last released one first), and gives us
 * another one while that client holds it. On a direct connection, or through a
 * session-mode pooler, a session keeps its backend and never shares it.
 */
export async function sharesServerConnections(client: pg.ClientBase, openAnother: () => Promise<pg.Client>): Promise<boolean> {
  const ours = await backendPid(client);
  const other = await openAnother();
  try {
    const [, began] = await inOneTrip<{ pid: number }>(other, ['BEGIN', 'SELECT pg_backend_pid() AS pid']);
    const theirs = began!.rows[0]!.pid;
    const oursAgain = await backendPid(client);
    return theirs === ours || oursAgain !== ours;
  } finally {
    await other.query('ROLLBACK').catch(() => undefined);
    await other.end().catch(() => undefined);
  }
}
