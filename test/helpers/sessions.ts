import type pg from 'pg';
import { withClient } from './database.js';

export async function backendPid(client: pg.Client): Promise<number> {
  return (await client.query<{ pid: number }>('SELECT pg_backend_pid() AS pid')).rows[0]!.pid;
}

/** The tool's sessions open on the database of `url`, as the server counts them. */
export async function toolSessions(url: string): Promise<number> {
  const database = new URL(url).pathname.slice(1);
  return withClient(url, async (c) => (await c.query<{ n: number }>("SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = $1 AND application_name = 'copiar-tablas'", [database])).rows[0]!.n);
}
